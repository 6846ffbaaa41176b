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
import threading
import time
from pathlib import Path
from typing import Dict, List, Set, Tuple

import numpy as np

from coordinator_probe import get_json, metric, status_totals
from curriculum_client import Worker
from policy_watch import PolicyWatch
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


class RecordingWorker:
    """A Python worker in this process that reports every 20 ms and records every
    acknowledgement it receives: acknowledgements are replies to its own requests, so only
    a worker sees them. ``sent`` holds what it reported, per category ``[count, reports, sum
    |A|, sum A^2, sum reward]`` (a report lists every category of its policy)."""

    CATEGORY = "disk/py"

    def __init__(self, broadcast_url: str, requests_url: str) -> None:
        self.acks: List[Tuple[float, int, Set[int]]] = []
        self.sent: Dict[str, List[float]] = {}
        self.worker = Worker("disk-py", broadcast_url, requests_url, step_share=0.5, categories=[self.CATEGORY],
                             seed=7, on_acknowledged=self._acknowledged, start=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _acknowledged(self, contiguous_through: int, selective) -> None:
        self.acks.append((time.monotonic(), contiguous_through, set(selective)))

    def _loop(self) -> None:
        rng = np.random.default_rng(7)
        while not self._stop.is_set():
            policy = self.worker.current_policy(timeout=30)
            batch = self.worker.next_batch(8, excluding=[c for c in policy.categories if c != self.CATEGORY])
            advantages = rng.integers(-8, 9, size=8) / 8.0
            rewards = rng.integers(0, 9, size=8) / 8.0
            self.worker.report(batch, {self.CATEGORY: advantages}, {self.CATEGORY: rewards})
            for category in batch.categories:
                self.sent.setdefault(category, [0, 0, 0.0, 0.0, 0.0])[1] += 1
            own = self.sent[self.CATEGORY]
            for index, value in enumerate((8, 0, float(np.abs(advantages).sum()),
                                           float((advantages * advantages).sum()), float(rewards.sum()))):
                own[index] += value
            self._stop.wait(0.02)

    def acknowledged_by(self, moment: float) -> Tuple[int, Set[int]]:
        """What the acknowledgements received before ``moment`` cover."""
        contiguous, selective = 0, set()
        for at, through, above in self.acks:
            if at < moment:
                contiguous = max(contiguous, through)
                selective |= above
        return contiguous, {s for s in selective if s > contiguous}

    def stop_and_drain(self) -> int:
        """Stops reporting, drains; returns the reports made."""
        self._stop.set()
        self._thread.join(timeout=30)
        self.worker.drain(timeout=60)
        return self.worker.counters.reports_queued


def log_lines(path: Path, *needles: str):
    return [line for line in path.read_text(errors="replace").splitlines() if all(n in line for n in needles)]


def test_a_full_state_disk_holds_acknowledgements_keeps_policies_and_recovers_exactly(
        curriculum_bin, small_tmpfs, tmp_path):
    state = small_tmpfs / "state"
    cluster = Cluster(curriculum_bin, tmp_path)
    watch = recorder = None
    try:
        coordinator = cluster.coordinator(extra=["--state", str(state), "--http", "127.0.0.1:0"])
        http = coordinator.http_url
        assert http, coordinator.lines
        watch = PolicyWatch(coordinator.broadcast_url)
        workers = [cluster.swift_worker(name, coordinator.broadcast_url, coordinator.requests_url,
                                        "--step-delay-ms", "20", "--share", "0.5")
                   for name in ("disk-a", "disk-b")]
        recorder = RecordingWorker(coordinator.broadcast_url, coordinator.requests_url)

        def accepted() -> int:
            return int(get_json(http).get("reports_accepted", 0))

        assert wait_until(lambda: accepted() >= 100 and recorder.acknowledged_by(time.monotonic())[0] > 0,
                          timeout=60, interval=0.1), f"no load within 60 s\n{coordinator.log_tail()}"
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
        # Replies may still come (a heartbeat's), but none may acknowledge anything new.
        assert recorder.acknowledged_by(time.monotonic()) == recorder.acknowledged_by(outage_start), \
            "acknowledged while the disk refused every commit"
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
        held = recorder.acknowledged_by(recovered)
        assert wait_until(lambda: recorder.acknowledged_by(time.monotonic())[0] > held[0]
                          and watch.newest_version() > saved_version,
                          timeout=20, interval=0.05), f"no acknowledgement after space came back\n{coordinator.log_tail()}"
        resumed = log_lines(coordinator.log_path, "coordinator state saved again")
        assert len(resumed) == 1, resumed

        for worker in workers:
            worker.signal(15)
        recorded_reports = recorder.stop_and_drain()
        counters = recorder.worker.counters
        assert counters.reports_acknowledged == recorded_reports and counters.reports_abandoned == 0, counters
        summaries = [worker.summary(timeout=60) for worker in workers]
        for summary in summaries:
            assert summary["abandoned"] == 0 and summary["acknowledged"] == summary["reports"], summary
        sent = {category: list(values) for category, values in recorder.sent.items()}
        for summary in summaries:
            for entry in summary["categories"]:
                into = sent.setdefault(entry["category"], [0, 0, 0.0, 0.0, 0.0])
                for index, key in enumerate(("count", "reports", "sum_abs_advantage", "sum_squared_advantage",
                                             "sum_reward")):
                    into[index] += entry[key]
        # Drained means acknowledged, and acknowledged means merged: the status shows them all.
        final = get_json(http)
        merged = status_totals(final)
        assert int(final["reports_accepted"]) == sum(s["reports"] for s in summaries) + recorded_reports
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
        if recorder is not None:
            recorder.worker.close()
        if watch is not None:
            watch.close()
        cluster.stop()
