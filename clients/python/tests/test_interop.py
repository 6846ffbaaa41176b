"""Python workers against the Swift coordinator, alone and beside Swift workers."""

import signal
import threading
import time

import pytest

from curriculum_client import StatusMonitor, Worker

from conftest import wait_until
from helpers import add_totals, newest_by_worker, report_loop, states, status_totals

PY_CATEGORIES = ["py/easy", "py/medium", "py/hard"]


def fast_worker(name, broadcast, requests, **kwargs):
    kwargs.setdefault("categories", PY_CATEGORIES)
    kwargs.setdefault("step_share", 0.25)
    return Worker(name, broadcast, requests, retransmit_timeout=0.1, max_retransmit_timeout=1.0, **kwargs)


def test_python_workers_report_exactly_once_to_a_swift_coordinator(cluster):
    coordinator = cluster.coordinator()
    with StatusMonitor(coordinator.status_url) as monitor:
        results = {}

        def run(name, seed):
            with fast_worker(name, coordinator.broadcast_url, coordinator.requests_url, seed=seed) as worker:
                assert worker.wait_joined(timeout=30)
                results[name] = (report_loop(worker, 40, 16, PY_CATEGORIES, seed), worker)

        threads = [threading.Thread(target=run, args=(f"py{i}", i + 1)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
        assert set(results) == {"py0", "py1"}
        for name, (_, worker) in results.items():
            c = worker.counters
            assert (c.reports_queued, c.reports_acknowledged, c.reports_abandoned, c.joins) == (40, 40, 0, 1), name
        expected = add_totals(add_totals({}, results["py0"][0]), results["py1"][0])
        status = monitor.wait_for(lambda s: states(s) == {"py0": "left", "py1": "left"}, timeout=30)
        assert status is not None, states(monitor.status)
        status = monitor.next_status(timeout=10)
        by_worker = newest_by_worker(status)
        for name, (totals, worker) in results.items():
            assert by_worker[name].reports_accepted == 40
            assert by_worker[name].samples_accepted == worker.counters.samples_queued == 40 * 16
            assert by_worker[name].worker.incarnation == worker.incarnation
        assert status.reports_accepted == 80 and status.reports_rejected == 0 and status.malformed_messages == 0
        assert status_totals(status) == expected  # exact: every value is a multiple of 1/8
        assert status.policy.version > 0 and set(PY_CATEGORIES) == set(status.policy.categories)


def test_a_worker_may_start_before_the_coordinator(cluster, ipc_dir):
    broadcast, requests, status = f"ipc://{ipc_dir}/b", f"ipc://{ipc_dir}/q", f"ipc://{ipc_dir}/s"
    with fast_worker("early", broadcast, requests, start=True) as worker:
        assert not worker.wait_joined(timeout=0.3)
        cluster.coordinator(broadcast=broadcast, requests=requests, status=status)
        assert worker.wait_joined(timeout=30)
        assert worker.current_policy(timeout=5).categories == tuple(PY_CATEGORIES)
        report_loop(worker, 5, 8, PY_CATEGORIES, seed=5)
        assert worker.wait_until_unacknowledged(0, timeout=30)


def test_a_restarted_coordinator_gets_a_rejoin_and_every_buffered_report(cluster, ipc_dir):
    broadcast, requests, status = f"ipc://{ipc_dir}/b", f"ipc://{ipc_dir}/q", f"ipc://{ipc_dir}/s"
    first = cluster.coordinator(broadcast=broadcast, requests=requests, status=status, name="coordinator-1")
    with fast_worker("survivor", broadcast, requests, reconnect_min=0.05, reconnect_max=0.2, start=True) as worker:
        assert worker.wait_joined(timeout=30)
        report_loop(worker, 10, 8, PY_CATEGORIES, seed=1)
        assert worker.wait_until_unacknowledged(0, timeout=30)
        first.signal(signal.SIGTERM)
        first.wait(timeout=15)
        # The coordinator is gone: reports are buffered.
        report_loop(worker, 5, 8, PY_CATEGORIES, seed=2)
        assert worker.unacknowledged == 5
        second = cluster.coordinator(broadcast=broadcast, requests=requests, status=status, name="coordinator-2")
        with StatusMonitor(second.status_url) as monitor:
            # The requests connection comes back: the worker joins again and resends what is pending.
            assert wait_until(lambda: worker.counters.joins == 2, 30), worker.counters
            assert worker.wait_until_unacknowledged(0, timeout=30)
            report_loop(worker, 3, 8, PY_CATEGORIES, seed=3)
            assert worker.wait_until_unacknowledged(0, timeout=30)
            status = monitor.wait_for(
                lambda s: s.reports_accepted + s.reports_rejected == 8, timeout=30)
            assert status is not None, monitor.status
            # The buffered reports were drawn under the old coordinator's versions: each was
            # merged or (from a version the new one has not reached) rejected, exactly once.
            assert newest_by_worker(status)["survivor"].reports_accepted >= 3
            assert worker.counters.reports_rejected_by_coordinator == status.reports_rejected


def test_swift_and_python_workers_share_one_coordinator(cluster):
    # See test_scale.py: the Swift simulated worker needs a non-empty policy from the start.
    coordinator = cluster.coordinator(extra=["--categories", ",".join(PY_CATEGORIES + ["arith/0", "arith/1", "arith/2"])])
    b, r = coordinator.broadcast_url, coordinator.requests_url
    swift = [cluster.swift_worker(f"swift{i}", b, r, "--steps", "40", "--domains", "arith", "--levels", "3")
             for i in range(2)]
    with StatusMonitor(coordinator.status_url) as monitor:
        results = {}

        def run(name, seed):
            with fast_worker(name, b, r, seed=seed) as worker:
                results[name] = (report_loop(worker, 40, 16, PY_CATEGORIES, seed, delay=0.01), worker)

        threads = [threading.Thread(target=run, args=(f"py{i}", 10 + i)) for i in range(2)]
        for t in threads:
            t.start()
        assert monitor.wait_for(lambda s: {"swift0", "swift1", "py0", "py1"} <= set(states(s)), timeout=30), \
            states(monitor.status)
        summaries = {p.name: p.summary(timeout=90) for p in swift}
        for t in threads:
            t.join(timeout=90)
        assert set(results) == {"py0", "py1"}
        status = monitor.wait_for(lambda s: set(states(s).values()) == {"left"} and len(states(s)) == 4, timeout=30)
        assert status is not None, states(monitor.status)
        status = monitor.next_status(timeout=10)
        by_worker = newest_by_worker(status)
        for name, summary in summaries.items():
            assert summary["abandoned"] == 0 and summary["acknowledged"] == summary["reports"] == 40
            assert by_worker[name].reports_accepted == summary["reports"]
            assert by_worker[name].samples_accepted == summary["samples"]
        for name, (_, worker) in results.items():
            assert by_worker[name].reports_accepted == worker.counters.reports_queued == 40
            assert by_worker[name].samples_accepted == worker.counters.samples_queued
        # The Python categories got samples only from the Python workers: exact totals.
        expected = add_totals(add_totals({}, results["py0"][0]), results["py1"][0])
        totals = status_totals(status)
        assert {c: totals[c] for c in PY_CATEGORIES} == expected
        assert {"arith/0", "arith/1", "arith/2"} | set(PY_CATEGORIES) == set(status.policy.categories)
        assert sum(t.count for t in status.totals) == sum(w.samples_accepted for w in status.workers)
        assert status.reports_accepted == 160 and status.reports_rejected == 0
