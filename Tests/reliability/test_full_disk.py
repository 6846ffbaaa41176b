"""A coordinator whose state directory fills up while workers report, then gets space back.

The state directory is a 4 MiB tmpfs; a filler file takes every free byte. While the disk
refuses writes, the coordinator must say so once (naming the path and ENOSPC), count every
refused commit, acknowledge nothing (an acknowledgement promises durability) and keep
publishing the newest policy it has saved; the workers keep their unacknowledged reports.
When the filler is deleted, the held changes are written, acknowledgements resume, and the
totals equal what the workers reported.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

from broadcast_watch import BroadcastWatch
from coordinator_probe import get_json, metric, status_totals
from processes import Cluster, wait_until

FAILURES = "curriculum_state_write_failures_total"
#: How long the disk stays full once the first commit is refused.
OUTAGE_SECONDS = 5.0


def fill(path: Path) -> int:
    """Writes ``path`` until the file system has no byte left; returns the bytes written."""
    written = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (1 << 16, 1 << 12, 1 << 8, 1):
            while True:
                try:
                    written += os.write(descriptor, b"\0" * size)
                except OSError as error:
                    assert error.errno == errno.ENOSPC, error
                    break
    finally:
        os.close(descriptor)
    return written


def log_lines(path: Path, *needles: str):
    return [line for line in path.read_text(errors="replace").splitlines() if all(n in line for n in needles)]


def test_a_full_state_disk_holds_acknowledgements_keeps_policies_and_recovers_exactly(
        curriculum_bin, small_tmpfs, tmp_path):
    state = small_tmpfs / "state"
    cluster = Cluster(curriculum_bin, tmp_path)
    watch = None
    try:
        coordinator = cluster.coordinator(extra=["--state", str(state), "--http", "127.0.0.1:0"])
        http = coordinator.http_url
        assert http, coordinator.lines
        watch = BroadcastWatch(coordinator.broadcast_url)
        workers = [cluster.swift_worker(name, coordinator.broadcast_url, coordinator.reports_url,
                                        "--step-delay-ms", "20", "--share", "0.5")
                   for name in ("disk-a", "disk-b")]

        def accepted() -> int:
            return int(get_json(http).get("reports_accepted", 0))

        assert wait_until(lambda: accepted() >= 100 and watch.acks_since(0) > 0, timeout=60, interval=0.1), \
            f"no load within 60 s\n{coordinator.log_tail()}"
        assert metric(http, FAILURES) == 0

        filled = fill(small_tmpfs / "filler")
        assert wait_until(lambda: metric(http, FAILURES) > 0, timeout=20, interval=0.05), \
            f"no refused commit after filling the disk ({filled} bytes)\n{coordinator.log_tail()}"
        # Frames already on their way when the first commit failed may still arrive.
        time.sleep(0.5)
        outage_start = time.monotonic()
        saved_version = watch.newest_version()
        accepted_at_start = accepted()
        failures_at_start = metric(http, FAILURES)
        time.sleep(OUTAGE_SECONDS)

        during = get_json(http)
        failures = metric(http, FAILURES)
        policies = watch.policies_since(outage_start)
        assert watch.acks_since(outage_start) == 0, "acknowledged while the disk refused every commit"
        assert failures > failures_at_start, "refused commits are not counted"
        # Reports keep arriving and are merged in memory, so the coordinator's own version moves on...
        assert int(during["reports_accepted"]) > accepted_at_start
        assert int(during["policy"]["version"]) > saved_version
        # ...but workers are sent only the newest saved version, a few times a second.
        assert len(policies) >= OUTAGE_SECONDS * 2, f"policies were not republished: {policies}"
        assert set(policies) == {saved_version}, f"published unsaved versions: {sorted(set(policies))}"
        errors = log_lines(coordinator.log_path, "cannot save coordinator state")
        assert len(errors) == 1, f"{len(errors)} lines for {failures:.0f} refused commits:\n" + "\n".join(errors)
        assert "ENOSPC" in errors[0] and str(state) in errors[0], errors[0]

        (small_tmpfs / "filler").unlink()
        recovered = time.monotonic()
        assert wait_until(lambda: watch.acks_since(recovered) > 0 and watch.newest_version() > saved_version,
                          timeout=20, interval=0.05), f"no acknowledgement after space came back\n{coordinator.log_tail()}"
        resumed = log_lines(coordinator.log_path, "coordinator state saved again")
        assert len(resumed) == 1, resumed

        for worker in workers:
            worker.signal(15)
        summaries = [worker.summary(timeout=60) for worker in workers]
        for summary in summaries:
            assert summary["abandoned"] == 0 and summary["acknowledged"] == summary["reports"], summary
        sent = {}
        for summary in summaries:
            for entry in summary["categories"]:
                into = sent.setdefault(entry["category"], [0, 0, 0.0, 0.0, 0.0])
                for index, key in enumerate(("count", "reports", "sum_abs_advantage", "sum_squared_advantage",
                                             "sum_reward")):
                    into[index] += entry[key]
        # Drained means acknowledged, and acknowledged means merged: the status shows them all.
        final = get_json(http)
        merged = status_totals(final)
        assert int(final["reports_accepted"]) == sum(s["reports"] for s in summaries)
        assert sorted(merged) == sorted(sent)
        for category, (count, reports, *sums) in sent.items():
            assert merged[category][:2] == [count, reports], category
            # The simulated student's advantages are not dyadic: the worker's plain sums and the
            # coordinator's compensated ones may differ in the last bits.
            for got, want in zip(merged[category][2:], sums):
                assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (category, got, want)
        print(f"\nfull disk: {failures:.0f} refused commits in {OUTAGE_SECONDS:.0f} s, one log line; "
              f"{len(policies)} policy frames at saved version {saved_version} while the coordinator "
              f"reached {during['policy']['version']} in memory; "
              f"{int(during['reports_accepted']) - accepted_at_start} reports merged unacknowledged; "
              f"{sum(s['reports'] for s in summaries)} reports, {sum(s['retransmissions'] for s in summaries)} "
              f"resends, totals exact")
    finally:
        if watch is not None:
            watch.close()
        cluster.stop()
