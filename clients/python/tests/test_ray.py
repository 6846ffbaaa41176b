"""Rollout workers as Ray actors on a local Ray runtime: 2 -> 6 -> 3 actors with a ray.kill."""

from __future__ import annotations

import time
from typing import Dict, List

import pytest

from curriculum_client import StatusMonitor, pb

from helpers import newest_by_worker, states

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install ray (CI's .ci/run does)")

from curriculum_client.ray import RolloutFleet, RolloutSummary  # noqa: E402 (needs ray)

CATEGORIES = ["ray/easy", "ray/medium", "ray/hard"]
VICTIM_CATEGORIES = ["victim/only"]  # the killed worker's own, so every category's sum is known exactly


@pytest.fixture(scope="module")
def ray_runtime():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def timed_wait(monitor: StatusMonitor, predicate, timeout: float, what: str) -> float:
    """Seconds until a status satisfies ``predicate`` (fails the test at the deadline)."""
    start = time.monotonic()
    assert monitor.wait_for(predicate, timeout=timeout) is not None, f"{what}: {states(monitor.status)}"
    return time.monotonic() - start


def reporting(status: pb.Status, names: List[str], at_least: int) -> bool:
    by_worker = newest_by_worker(status)
    return all(n in by_worker and by_worker[n].state == "active" and by_worker[n].reports_accepted >= at_least
               for n in names)


def test_ray_actors_scale_two_to_six_to_three_with_a_kill(cluster, ray_runtime):
    coordinator = cluster.coordinator(extra=["--categories", ",".join(CATEGORIES + VICTIM_CATEGORIES)])
    b, r = coordinator.broadcast_url, coordinator.requests_url
    common = dict(batch_size=16, step_delay=0.05,
                  worker_options=dict(step_share=0.125, retransmit_timeout=0.1, max_retransmit_timeout=1.0))
    fleet = RolloutFleet(b, r, categories=CATEGORIES, **common)
    victims = RolloutFleet(b, r, name_prefix="victim", categories=VICTIM_CATEGORIES, **common)
    summaries: Dict[str, RolloutSummary] = {}
    timings: Dict[str, float] = {}
    try:
        with StatusMonitor(coordinator.status_url) as monitor:
            fleet.scale(2)
            timings["0 -> 2 active"] = timed_wait(
                monitor, lambda s: reporting(s, fleet.worker_ids, 5), 90, "two actors reporting")

            fleet.scale(5)
            victims.scale(1)
            six = fleet.worker_ids + victims.worker_ids
            timings["2 -> 6 active"] = timed_wait(
                monitor, lambda s: sorted(n for n, st in states(s).items() if st == "active") == sorted(six), 90,
                "six actors active")
            assert monitor.wait_for(lambda s: reporting(s, six, 5), timeout=60), states(monitor.status)

            victims.kill("victim-0")
            timings["ray.kill -> lost"] = timed_wait(
                monitor, lambda s: states(s).get("victim-0") == "lost", 30, "killed actor lost")
            victims.add("victim-0")
            timings["same id back -> active"] = timed_wait(
                monitor, lambda s: states(s).get("victim-0") == "active" and
                any(w.worker.worker_id == "victim-0" and w.state == "replaced" for w in s.workers), 90,
                "victim-0 back, old incarnation replaced")

            start = time.monotonic()
            for summary in fleet.scale(2):
                summaries[summary.worker_id] = summary
            drained = time.monotonic() - start
            expected = {"rollout-0": "active", "rollout-1": "active", "victim-0": "active",
                        "rollout-2": "left", "rollout-3": "left", "rollout-4": "left"}
            timings["6 -> 3 left"] = drained + timed_wait(monitor, lambda s: states(s) == expected, 30, "6 -> 3")

            for summary in fleet.shutdown() + victims.shutdown():
                summaries[summary.worker_id] = summary
            assert monitor.wait_for(lambda s: set(states(s).values()) == {"left"}, timeout=30), states(monitor.status)
            status = monitor.next_status(timeout=10)
    finally:
        fleet.shutdown()
        victims.shutdown()
    assert status is not None
    print("\nray scale timings (s):", {k: round(v, 2) for k, v in timings.items()})

    by_worker = newest_by_worker(status)
    # Every drained actor's reports were merged exactly once, to the sample.
    assert sorted(summaries) == ["rollout-0", "rollout-1", "rollout-2", "rollout-3", "rollout-4", "victim-0"]
    for name, summary in summaries.items():
        counters = summary.counters
        assert counters.reports_abandoned == 0 and counters.reports_acknowledged == counters.reports_queued > 0, name
        assert by_worker[name].worker.incarnation == summary.incarnation, name
        assert by_worker[name].reports_accepted == counters.reports_queued, name
        assert by_worker[name].samples_accepted == counters.samples_queued, name

    totals = {t.category: t for t in status.totals}
    # The shared categories hold exactly what the drained actors reported (sums of
    # multiples of 1/8: exact in any order).
    for category in CATEGORIES:
        sent = [s.totals[category] for s in summaries.values() if category in s.totals]
        got = totals[category]
        assert got.count == sum(t.count for t in sent), category
        assert got.sum_abs_advantage == sum(t.sum_abs_advantage for t in sent), category
        assert got.sum_squared_advantage == sum(t.sum_squared_advantage for t in sent), category
        assert got.sum_reward == sum(t.sum_reward for t in sent), category
    # The victim's category: the killed incarnation's merged samples plus its successor's.
    killed = [w for w in status.workers if w.worker.worker_id == "victim-0" and w.state == "replaced"]
    assert len(killed) == 1 and killed[0].samples_accepted > 0
    victim_total = totals[VICTIM_CATEGORIES[0]].count
    assert victim_total == killed[0].samples_accepted + summaries["victim-0"].totals[VICTIM_CATEGORIES[0]].count
    # Per-worker and per-category accounting agree exactly.
    assert sum(t.count for t in status.totals) == sum(w.samples_accepted for w in status.workers)
    assert sum(w.reports_accepted for w in status.workers) == status.reports_accepted
    assert status.reports_rejected == 0 and status.malformed_messages == 0
