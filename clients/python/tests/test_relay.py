"""Exactly-once totals through a relay that drops 30%, duplicates 10% and reorders frames."""

import threading

from curriculum_client import StatusMonitor, Worker
from curriculum_client.testing import Faults, FaultyRelay

from helpers import add_totals, newest_by_worker, report_loop, states, status_totals

CATEGORIES = ["lossy/a", "lossy/b", "lossy/c", "lossy/d"]


def test_exactly_once_totals_through_a_lossy_relay(cluster, ipc_dir):
    coordinator = cluster.coordinator(extra=["--lease-ms", "10000"])
    faults = Faults(drop=0.30, duplicate=0.10, reorder=0.10)
    with FaultyRelay(coordinator.broadcast_url, coordinator.requests_url,
                     f"ipc://{ipc_dir}/relay-b", f"ipc://{ipc_dir}/relay-r", faults=faults, seed=20251129) as relay, \
            StatusMonitor(coordinator.status_url) as monitor:
        results = {}
        errors = []

        def run(name, seed):
            try:
                worker = Worker(name, relay.broadcast_url, relay.requests_url, step_share=0.25, categories=CATEGORIES,
                                seed=seed, retransmit_timeout=0.1, max_retransmit_timeout=0.8)
                with worker:
                    totals = report_loop(worker, 40, 16, CATEGORIES, seed, delay=0.005)
                    worker.drain(timeout=60)
                results[name] = (totals, worker)
            except Exception as error:  # surfaced below
                errors.append((name, error))

        threads = [threading.Thread(target=run, args=(f"lossy{i}", 100 + i)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        assert set(results) == {"lossy0", "lossy1", "lossy2"}

        expected = {}
        for totals, worker in results.values():
            add_totals(expected, totals)
            c = worker.counters
            assert c.reports_queued == c.reports_acknowledged == 40 and c.reports_abandoned == 0
        # The faults really happened, in both directions.
        for direction in relay.counters.values():
            assert direction.dropped > 0 and direction.duplicated > 0 and direction.reordered > 0
        assert sum(w.counters.retransmissions for _, w in results.values()) > 0

        status = monitor.wait_for(lambda s: len(states(s)) == 3 and set(states(s).values()) == {"left"}, timeout=30)
        assert status is not None, states(monitor.status)
        status = monitor.next_status(timeout=10)
        by_worker = newest_by_worker(status)
        for name, (_, worker) in results.items():
            assert by_worker[name].reports_accepted == 40
            assert by_worker[name].samples_accepted == worker.counters.samples_queued
        # Merged exactly once: duplicates were seen and ignored, the sums are exact.
        assert status.duplicates_ignored > 0
        assert status.reports_accepted == 120 and status.reports_rejected == 0
        assert status_totals(status) == expected
