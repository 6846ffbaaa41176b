#!/usr/bin/env python3
"""The soak: a signed fleet churning for a while around a coordinator that is SIGKILLed
and restarted from its state directory, then an exact account of every report.

For ``--duration`` seconds:
- every second a ``curriculum worker`` joins under a new id and the oldest leaves (SIGTERM:
  it drains, then prints what it reported, per category);
- every ``--worker-kill-period`` seconds one of the ledger workers (``ledger_worker.py``,
  Python) is SIGKILLed and restarted under the same id, as a new incarnation;
- every ``--coordinator-period`` seconds the coordinator is SIGKILLed and restarted with the
  same ``--state``, and while it is down one more ledger worker is SIGKILLed and restarted;
- every frame is signed (``--auth-keys``);
- every few seconds the coordinator's RSS, the state directory's size and the membership
  rows of its status are sampled.

At the end every worker is drained and the reports are accounted for. A worker learns that
a report is acknowledged only from the coordinator's reply to one of its own requests, so
the ledger workers write down every acknowledgement they receive before acting on it:
- a drained worker's reports are all acknowledged: all of them must be counted;
- a SIGKILLed worker's acknowledged reports (in its ledger) must be counted; those never
  acknowledged are lost by design (the worker died holding them), unless the coordinator
  made one durable and its reply did not reach the ledger before the kill (the coordinator
  died first, or the worker): such reports are counted without a recorded acknowledgement
  and are found as the prefix of the worker's unacknowledged reports that closes the gap.
Lost: acknowledged but not counted. Double-counted: counted more often than sent. Both
show up in the per-category totals (samples, reports, sums of |A|, A^2 and rewards), which
must equal the sum of what was counted, exactly; and, per incarnation still listed in the
status, in its accepted-reports count.

Run it directly (``scripts/soak.sh`` does) or through ``test_soak.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "clients" / "python" / "tests"))
sys.path.insert(0, str(HERE))

from coordinator_probe import directory_bytes, get_json, rss_bytes, worker_rows  # noqa: E402
from policy_watch import PolicyWatch  # noqa: E402
from processes import Coordinator, Process, find_curriculum_binary  # noqa: E402
from soak_accounting import LedgerIncarnation, account  # noqa: E402
from soak_result import (  # noqa: E402
    CLOCK_SKEW_MS, COMPACT_AFTER_MIB, MIB, RETIRE_AFTER_S, RETIRED_EXPIRY_S, Sample, SoakResult, report, verdict)

LEDGER_WORKER = HERE / "ledger_worker.py"


class Soak:
    def __init__(self, binary: Path, workdir: Path, duration: float, coordinator_period: float = 60.0,
                 worker_kill_period: float = 5.0, churn_workers: int = 6, ledger_workers: int = 3,
                 sample_period: float = 2.0, log=print) -> None:
        self.binary = binary
        self.workdir = workdir
        self.duration = duration
        self.coordinator_period = coordinator_period
        self.worker_kill_period = worker_kill_period
        self.churn_workers = churn_workers
        self.ledger_slots = [f"ledger-{i}" for i in range(ledger_workers)]
        self.sample_period = sample_period
        self.log = log
        self.state = workdir / "state"
        self.logs = workdir / "logs"
        self.ledgers = workdir / "ledgers"
        for directory in (self.logs, self.ledgers):
            directory.mkdir(parents=True, exist_ok=True)
        # ipc endpoints keep their addresses across coordinator restarts; their paths must be short.
        self.sockets = Path(tempfile.mkdtemp(prefix="soak-"))
        self.broadcast = f"ipc://{self.sockets}/broadcast"
        self.requests = f"ipc://{self.sockets}/requests"
        self.status = f"ipc://{self.sockets}/status"
        self.reports = f"ipc://{self.sockets}/reports"  # version 1: only listened on
        self.keys = workdir / "soak.keys"
        self.keys.write_text(f"soak:{os.urandom(32).hex()}\n")
        self.keys.chmod(0o600)
        self.result = SoakResult(duration=duration)
        self.coordinator: Optional[Coordinator] = None
        self.coordinator_starts = 0
        self.churn: List[Process] = []
        self.leaving: List[Process] = []
        self.churn_summaries: List[dict] = []
        self.ledger: Dict[str, LedgerIncarnation] = {}
        self.incarnations: List[LedgerIncarnation] = []
        self.started = time.monotonic()
        self.watch: Optional[PolicyWatch] = None

    # ------------------------------------------------------------------ processes

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def start_coordinator(self) -> None:
        self.coordinator_starts += 1
        self.coordinator = Coordinator(
            self.binary, self.logs, broadcast=self.broadcast, requests=self.requests, status=self.status,
            reports=self.reports,
            name=f"coordinator-{self.coordinator_starts}",
            extra=["--state", str(self.state), "--compact-after-mib", str(COMPACT_AFTER_MIB), "--auth-keys",
                   str(self.keys), "--auth-max-clock-skew-ms", str(CLOCK_SKEW_MS),
                   "--retire-after-ms", str(RETIRE_AFTER_S * 1000), "--retired-expiry-ms", str(RETIRED_EXPIRY_S * 1000),
                   "--http", "127.0.0.1:0"])

    def kill_coordinator(self, and_worker: str) -> None:
        """SIGKILLs the coordinator, and, while it is down, the worker ``and_worker``: its last
        reports cannot have been acknowledged. Then restarts both."""
        assert self.coordinator is not None and self.watch is not None
        seen = self.watch.newest_version()
        self.coordinator.signal(signal.SIGKILL)
        self.coordinator.wait(timeout=30)
        self.coordinator.stop()
        self.result.coordinator_kills += 1
        time.sleep(0.3)  # a few reports the worker sends into the void
        self.kill_ledger_worker(and_worker)
        self.start_coordinator()
        fields = dict(part.split("=", 1) for part in self.coordinator.lines[0].split()[1:])
        self.result.restarts.append((seen, int(fields["version"])))

    def start_churn_worker(self) -> None:
        number = self.result.joins
        name = f"churn-{number:05d}"
        args = [str(self.binary), "worker", "--broadcast", self.broadcast, "--requests", self.requests, "--id", name,
                "--auth-keys", str(self.keys), "--batch", "16", "--step-delay-ms", "100", "--share", "0.1",
                "--seed", str(number)]
        self.churn.append(Process(args, name, self.logs))
        self.result.joins += 1

    def start_ledger_worker(self, slot: str) -> None:
        incarnation = random.SystemRandom().randrange(1, 1 << 63)
        ledger = self.ledgers / f"{slot}-{incarnation}.jsonl"
        args = [sys.executable, str(LEDGER_WORKER), "--broadcast", self.broadcast, "--requests", self.requests,
                "--id", slot, "--incarnation", str(incarnation), "--categories", f"soak/{slot}/a,soak/{slot}/b",
                "--ledger", str(ledger), "--auth-keys", str(self.keys)]
        process = Process(args, f"{slot}-{incarnation}", self.logs)
        record = LedgerIncarnation(slot, incarnation, ledger, process)
        self.ledger[slot] = record
        self.incarnations.append(record)
        self.result.joins += 1

    def kill_ledger_worker(self, slot: str) -> None:
        record = self.ledger[slot]
        record.process.signal(signal.SIGKILL)
        record.process.wait(timeout=30)
        record.process.stop()
        record.killed = True
        self.result.worker_kills += 1
        self.start_ledger_worker(slot)

    def retire_oldest_churn_worker(self) -> None:
        process = self.churn.pop(0)
        process.signal(signal.SIGTERM)
        self.leaving.append(process)
        self.result.leaves += 1

    def reap(self, block: bool = False) -> None:
        for process in list(self.leaving):
            if not block and process.popen.poll() is None:
                continue
            self.leaving.remove(process)
            try:
                self.churn_summaries.append(process.summary(timeout=90))
            except (AssertionError, TimeoutError, json.JSONDecodeError) as error:
                self.result.problems.append(f"{process.name} did not drain: {error}")
            process.stop()

    # ------------------------------------------------------------------ sampling

    def sample(self) -> None:
        assert self.coordinator is not None
        rss = None
        try:
            rss = rss_bytes(self.coordinator.popen.pid)
        except (OSError, RuntimeError):
            pass
        sizes = directory_bytes(self.state)
        rows = None
        try:
            rows = len(worker_rows(get_json(self.coordinator.http_url, timeout=3)))
        except OSError:
            pass
        self.result.samples.append(Sample(
            self.elapsed(), rss, sum(sizes.values()), sizes.get("snapshot.json", 0), rows,
            len(self.churn) + len(self.ledger)))

    # ------------------------------------------------------------------ the run

    def run(self) -> SoakResult:
        try:
            self.start_coordinator()
            assert self.coordinator is not None
            self.watch = PolicyWatch(self.broadcast)
            for slot in self.ledger_slots:
                self.start_ledger_worker(slot)
            for _ in range(self.churn_workers):
                self.start_churn_worker()
            self.started = time.monotonic()
            next_churn, next_kill, next_sample = 1.0, self.worker_kill_period, 0.0
            next_coordinator_kill = self.coordinator_period
            kills = 0
            while (now := self.elapsed()) < self.duration:
                if now >= next_churn:
                    next_churn += 1.0
                    self.retire_oldest_churn_worker()
                    self.start_churn_worker()
                if now >= next_kill:
                    next_kill += self.worker_kill_period
                    self.kill_ledger_worker(self.ledger_slots[kills % len(self.ledger_slots)])
                    kills += 1
                if now >= next_coordinator_kill and now < self.duration - 10:
                    next_coordinator_kill += self.coordinator_period
                    self.kill_coordinator(and_worker=self.ledger_slots[kills % len(self.ledger_slots)])
                    kills += 1
                if now >= next_sample:
                    next_sample += self.sample_period
                    self.sample()
                    last = self.result.samples[-1]
                    self.log(f"[{now:6.1f} s] rss {((last.rss or 0) / MIB):.1f} MiB, state {last.state_bytes / MIB:.2f} MiB, "
                             f"rows {last.rows}, live {last.live_workers}, joins {self.result.joins}, "
                             f"kills {self.result.worker_kills}+{self.result.coordinator_kills}")
                self.reap()
                time.sleep(0.05)
            self.sample()
            self.finish()
        finally:
            for process in self.churn + self.leaving + [r.process for r in self.ledger.values()]:
                process.stop()
            if self.coordinator is not None:
                self.coordinator.stop()
            if self.watch is not None:
                self.watch.close()
            shutil.rmtree(self.sockets, ignore_errors=True)
        return self.result

    def finish(self) -> None:
        """Drains every worker, reads the coordinator's totals and accounts for every report."""
        assert self.coordinator is not None and self.watch is not None
        for process in self.churn:
            process.signal(signal.SIGTERM)
            self.leaving.append(process)
        self.result.leaves += len(self.churn)
        live = len(self.churn) + len(self.ledger)
        self.churn = []
        for record in self.ledger.values():
            record.process.signal(signal.SIGTERM)
            self.result.leaves += 1
        self.reap(block=True)
        for record in self.ledger.values():
            try:
                record.summary = record.process.summary(timeout=90)
            except (AssertionError, TimeoutError, json.JSONDecodeError) as error:
                self.result.problems.append(f"{record.process.name} did not drain: {error}")
        status = get_json(self.coordinator.http_url)
        (self.workdir / "final-status.json").write_text(json.dumps(status, indent=1))
        self.result.live_at_end = live
        self.result.final_rows = len(worker_rows(status))
        self.result.retired_at_end = int(status.get("retired_workers", 0))
        self.result.rejections = {k: int(v) for k, v in status.get("rejections", {}).items()}
        self.result.duplicates_ignored = int(status.get("duplicates_ignored", 0))
        account(self.result, status, self.churn_summaries, self.incarnations)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--coordinator-period", type=float, default=60.0)
    parser.add_argument("--worker-kill-period", type=float, default=5.0)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a new temporary directory")
    args = parser.parse_args()
    binary = find_curriculum_binary()
    if binary is None:
        print("no `curriculum` binary: swift build --product curriculum, or set CURRICULUM_BIN", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="curriculum-soak-"))
    print(f"soak: {args.duration:.0f} s with {binary}, logs in {workdir}", flush=True)
    result = Soak(binary, workdir, args.duration, args.coordinator_period, args.worker_kill_period,
                  log=lambda line: print(line, flush=True)).run()
    print(report(result))
    return 0 if verdict(result) is None else 1


if __name__ == "__main__":
    sys.exit(main())
