"""Worker.metrics() and curriculum_client.tracking against the Swift coordinator."""

import math

from curriculum_client import StatusMonitor, Worker, metrics_for_logger
from curriculum_client.tracking import entropy

from conftest import wait_until
from helpers import report_loop

CATEGORIES = ["math/easy", "math/hard", "code/easy"]
REPORTS = 30


def test_metrics_before_the_first_policy_hold_only_the_worker_counters():
    worker = Worker("not-started", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2")
    metrics = worker.metrics()
    assert not any(name.startswith(("curriculum/p/", "curriculum/value/")) for name in metrics)
    assert "curriculum/version" not in metrics and "curriculum/entropy" not in metrics
    assert metrics["curriculum/staleness"] == 0.0 and metrics["curriculum/worker/reports_queued"] == 0.0
    worker.close()


def test_entropy_is_in_nats():
    assert math.isclose(entropy([0.25] * 4), math.log(4))
    assert entropy([1.0, 0.0]) == 0.0


def test_worker_metrics_describe_the_coordinators_policy(cluster):
    coordinator = cluster.coordinator(extra=["--tau", "0.3"])
    with StatusMonitor(coordinator.status_url) as monitor, \
            Worker("py-metrics", coordinator.broadcast_url, coordinator.requests_url,
                   categories=CATEGORIES, seed=7, retransmit_timeout=0.1) as worker:
        assert worker.wait_joined(timeout=30)
        held_back = worker.next_batch(16, timeout=30)
        report_loop(worker, REPORTS - 1, 16, CATEGORIES, seed=7)
        worker.next_policy(after=held_back.policy_version, timeout=30)
        worker.report(held_back, {c: [0.5] * n for c, n in held_back.items()})
        stale = worker.metrics()
        assert stale["curriculum/staleness"] == stale["curriculum/version"] - held_back.policy_version > 0
        assert stale["curriculum/staleness_mean"] > 0
        assert worker.wait_until_unacknowledged(0, timeout=30)

        metrics = worker.metrics()
        assert all(type(value) is float and math.isfinite(value) for value in metrics.values()), metrics
        policy = worker.policy
        assert policy is not None and set(policy.categories) == set(CATEGORIES)
        probabilities = [metrics[f"curriculum/p/{c}"] for c in policy.categories]
        assert abs(math.fsum(probabilities) - 1.0) <= 1e-9
        assert [metrics[f"curriculum/value/{c}"] for c in policy.categories] == list(policy.values)
        assert metrics["curriculum/entropy"] == entropy(probabilities) <= math.log(len(CATEGORIES)) + 1e-12
        assert metrics["curriculum/version"] == policy.version
        assert metrics["curriculum/staleness"] >= 0.0 and metrics["curriculum/staleness_mean"] >= 0.0
        counters = worker.counters.as_dict()
        assert {f"curriculum/worker/{name}": float(value) for name, value in counters.items()}.items() <= \
            metrics.items()
        assert metrics["curriculum/worker/reports_queued"] == metrics["curriculum/worker/reports_acknowledged"] \
            == REPORTS
        assert metrics["curriculum/worker/unacknowledged"] == 0.0

        # Once the reports are merged the coordinator stops publishing new versions: the
        # worker's metrics then show exactly the policy the coordinator holds.
        def same_policy() -> bool:
            status = monitor.next_status(timeout=5)
            now = worker.metrics()
            return status is not None and status.policy.version == now["curriculum/version"] and all(
                now[f"curriculum/p/{c}"] == p for c, p in zip(status.policy.categories, status.policy.probabilities))

        assert wait_until(same_policy, timeout=20, interval=0.1), (monitor.status.policy, worker.metrics())
        final = worker.metrics()
        logged = metrics_for_logger(worker, prefix="rollout/", into={"actor/loss": 0.5})
        assert logged["actor/loss"] == 0.5
        assert {k[len("rollout/"):] for k in logged if k.startswith("rollout/")} == set(final)

