"""Prompt groups and zero-variance groups in reports (Protocols/README.md section 5)."""

import pytest

from curriculum_client import CategoryStats, InvalidReport, StatusMonitor, Worker
from curriculum_client.proto import curriculum_pb2 as pb


def test_grouped_rewards_count_groups_and_zero_variance_ones():
    # Three groups of G = 4: mixed, all solved, all failed.
    rewards = [1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0]
    advantages = [1, -1, 1, -1] + [0] * 8
    stats = CategoryStats.from_advantages("math", advantages, rewards, group_size=4)
    assert (stats.count, stats.groups, stats.zero_variance_groups) == (12, 3, 2)
    message = stats.to_proto()
    assert message.HasField("groups") and message.zero_variance_groups == 2


def test_without_a_group_size_nothing_is_counted_or_sent():
    stats = CategoryStats.from_advantages("math", [0.5, -0.5], [1, 0])
    assert stats.groups is None and stats.zero_variance_groups is None
    message = stats.to_proto()
    assert not message.HasField("groups") and not message.HasField("zero_variance_groups")
    # A present zero is sent as such.
    assert CategoryStats("math", 8, groups=1, zero_variance_groups=0).to_proto().HasField("zero_variance_groups")


@pytest.mark.parametrize("stats", [
    CategoryStats("a", 8, groups=2, zero_variance_groups=3),
    CategoryStats("a", 8, groups=9),
    CategoryStats("a", 8, zero_variance_groups=1),
    CategoryStats("a", 8, groups=-1),
])
def test_impossible_counts_are_refused_before_sending(stats):
    with pytest.raises(InvalidReport):
        stats.validate()


def test_rewards_that_are_not_whole_groups_are_refused():
    with pytest.raises(InvalidReport, match="not groups of 4"):
        CategoryStats.from_advantages("a", [0.0] * 6, [1.0] * 6, group_size=4)
    with pytest.raises(InvalidReport, match="needs the rewards"):
        CategoryStats.from_advantages("a", [0.0] * 4, group_size=4)


def probabilities(status: pb.Status) -> dict:
    return dict(zip(status.policy.categories, status.policy.probabilities))


def test_band_pass_on_the_coordinator_weighs_by_the_reported_zero_variance_groups(cluster):
    """Two categories solved half of the time: one by prompts always or never solved (every
    group zero-variance), one by prompts solved half of the time. A coordinator running band-pass
    admission admits both by pass rate and, told the group counts, samples only the second."""
    coordinator = cluster.coordinator(extra=["--policy", "bandpass", "--band-low", "0.25", "--band-high", "0.75",
                                             "--categories", "split,even", "--publish-every", "1"])
    split = [1.0] * 4 + [0.0] * 4  # two groups of 4, each all equal
    even = [1.0, 0.0, 1.0, 0.0] * 2  # two groups of 4, each mixed
    with StatusMonitor(coordinator.status_url) as monitor, \
            Worker("grouped", coordinator.broadcast_url, coordinator.requests_url, step_share=1.0,
                   retransmit_timeout=0.1, max_retransmit_timeout=1.0) as worker:
        assert worker.wait_joined(timeout=30)
        version = worker.current_policy(timeout=10).version
        worker.report(version, advantages={"split": [0.0] * 8, "even": [1.0, -1.0] * 4},
                      rewards={"split": split, "even": even}, group_size=4)
        assert worker.wait_until_unacknowledged(0, timeout=30)
        status = monitor.wait_for(lambda s: probabilities(s).get("even") == 1.0, timeout=30)
        assert status is not None, probabilities(monitor.status)
        assert probabilities(status)["split"] == 0.0
        assert status.reports_accepted == 1 and status.reports_rejected == 0


def test_reports_without_group_counts_still_merge(cluster):
    coordinator = cluster.coordinator(extra=["--policy", "bandpass", "--band-low", "0.25", "--band-high", "0.75",
                                             "--categories", "split,even,easy", "--publish-every", "1"])
    with StatusMonitor(coordinator.status_url) as monitor, \
            Worker("old-style", coordinator.broadcast_url, coordinator.requests_url, step_share=1.0,
                   retransmit_timeout=0.1, max_retransmit_timeout=1.0) as worker:
        assert worker.wait_joined(timeout=30)
        version = worker.current_policy(timeout=10).version
        worker.report(version, advantages={"split": [0.0] * 8, "even": [1.0, -1.0] * 4, "easy": [0.0] * 8},
                      rewards={"split": [1.0] * 4 + [0.0] * 4, "even": [1.0, 0.0] * 4, "easy": [1.0] * 8})
        assert worker.wait_until_unacknowledged(0, timeout=30)
        # Without group counts both half-solved categories are admitted equally; the solved one is not.
        status = monitor.wait_for(lambda s: probabilities(s).get("easy") == 0.0, timeout=30)
        assert status is not None, probabilities(monitor.status)
        assert probabilities(status) == {"split": 0.5, "even": 0.5, "easy": 0.0}
        assert status.reports_accepted == 1 and status.reports_rejected == 0
