"""Scaling Python and Swift worker processes up and down (with a SIGKILL) while reports flow."""

import signal

from curriculum_client import StatusMonitor

from helpers import add_totals, newest_by_worker, states, status_totals

PY_CATEGORIES = ["py/easy", "py/medium", "py/hard"]


def test_scaling_three_to_six_to_two_with_a_crash_loses_and_double_counts_nothing(cluster):
    # Every category known from the start: a `curriculum worker` that receives the empty
    # version-0 policy before its own join registers its categories exits ("no category is
    # available"), a race of the Swift simulated worker, not of the protocol.
    coordinator = cluster.coordinator(extra=["--categories", ",".join(PY_CATEGORIES + ["arith/0", "arith/1", "arith/2"])])
    b, r = coordinator.broadcast_url, coordinator.requests_url
    swift_args = ("--domains", "arith", "--levels", "3")

    def start(name):
        if name.startswith("swift"):
            return cluster.swift_worker(name, b, r, *swift_args)
        return cluster.python_worker(name, b, r, "--seed", name[2:], "--share", "0.125")

    with StatusMonitor(coordinator.status_url) as monitor:
        def active():
            return {name for name, state in states(monitor.status).items() if state == "active"}

        def reporting(names, at_least):
            status = monitor.status
            by_worker = newest_by_worker(status) if status else {}
            return all(n in by_worker and by_worker[n].state == "active" and
                       by_worker[n].reports_accepted >= at_least for n in names)

        workers = {name: start(name) for name in ("py0", "py1", "swift0")}
        assert monitor.wait_for(lambda s: reporting(workers, 10), timeout=60), states(monitor.status)

        for name in ("py2", "py3", "swift1"):
            workers[name] = start(name)
        assert monitor.wait_for(lambda s: active() == set(workers) and reporting(workers, 10), timeout=60), \
            states(monitor.status)

        # Scale down: three drain and leave, one crashes.
        workers["py1"].signal(signal.SIGKILL)
        for name in ("py2", "py3", "swift1"):
            workers[name].signal(signal.SIGTERM)
        summaries = {name: workers[name].summary(timeout=60) for name in ("py2", "py3", "swift1")}
        assert monitor.wait_for(
            lambda s: states(s) == {"py0": "active", "swift0": "active", "py1": "lost",
                                    "py2": "left", "py3": "left", "swift1": "left"}, timeout=30), states(monitor.status)

        for name in ("py0", "swift0"):
            workers[name].signal(signal.SIGTERM)
        for name in ("py0", "swift0"):
            summaries[name] = workers[name].summary(timeout=60)
        assert monitor.wait_for(lambda s: list(states(s).values()).count("left") == 5, timeout=30), \
            states(monitor.status)
        status = monitor.next_status(timeout=10)

    by_worker = newest_by_worker(status)
    # Every drained worker's reports were merged exactly once, to the sample.
    for name, summary in summaries.items():
        assert summary["abandoned"] == 0 and summary["acknowledged"] == summary["reports"] > 0, name
        assert by_worker[name].reports_accepted == summary["reports"], name
        assert by_worker[name].samples_accepted == summary["samples"], name
    # The Python categories' sums: the drained Python workers' exact totals plus whatever
    # the killed one got merged before it died (at most what it reported).
    drained = {}
    for name in ("py0", "py2", "py3"):
        add_totals(drained, summaries[name]["totals"])
    totals = status_totals(status)
    killed = by_worker["py1"]
    assert killed.reports_accepted > 0
    assert sum(totals[c][0] for c in PY_CATEGORIES) == sum(drained[c][0] for c in PY_CATEGORIES) + killed.samples_accepted
    for c in PY_CATEGORIES:
        for got, expected in zip(totals[c], drained[c]):
            assert got >= expected
    # Per-worker and per-category accounting agree exactly.
    assert sum(t.count for t in status.totals) == sum(w.samples_accepted for w in status.workers)
    assert sum(w.reports_accepted for w in status.workers) == status.reports_accepted
    assert status.reports_rejected == 0 and status.malformed_messages == 0
