"""Python workers against Syllabus's Python workers: curriculum updates per second, in one run.

Each cell runs P worker processes that send updates as fast as they can for a fixed time:

- ours: P processes, each a ``curriculum_client.Worker`` reporting to a real
  ``curriculum coordinator`` ($CURRICULUM_BIN, a release build is best) over tcp on
  127.0.0.1, paced by a credit window of unacknowledged reports (``--window``, as
  IngestBench: all windows together far under the coordinator's queue, so a report waiting
  in line is not taken for lost and resent);
- Syllabus 0.7: P processes putting updates on the queue of its multiprocessing sync wrapper
  (``make_multiprocessing_curriculum``, ``MultiProcessingComponents.put_update``), whose
  update thread in the main process applies them to a ``DomainRandomization`` curriculum.
  Its producers get the same credit: they wait while its queue holds ``--window`` updates.
  This half runs in a venv of its own (``--syllabus-python``; ``pip install syllabus-rl==0.7
  matplotlib scipy``: 0.7 imports both without declaring them; torch and ray come with it).

One update, both sides: one task's result. Ours: one ``Worker.report`` carrying one
category's statistics (count, sum |A|, sum A^2, sum of rewards; the report also lists the
policy's other categories with count 0, as the protocol asks), merged by the coordinator,
exactly once and acknowledged. Syllabus: one ``episode`` update (return, length, task,
progress), the message its environment wrapper sends when an episode ends, with
``request_sample`` off, applied by the curriculum's ``update_on_episode``. Counted: updates
acknowledged (ours) or applied (Syllabus) by the end of the window. CPU: every process of
the cell (workers, and the coordinator or Syllabus's main process) over the window.

    swift build -c release --product curriculum
    CURRICULUM_BIN=.build/release/curriculum python clients/python/bench/syllabus_compare.py \\
        --syllabus-python /path/to/syllabus-venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from typing import Dict, List

TASKS = 16


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_together(method, processes, target, setup, seconds, window):
    """Starts ``processes`` workers ``target(setup, index, start, seconds, window, ready, results)``,
    waits until each is ready, and returns once their common window has begun."""
    context = multiprocessing.get_context(method)
    ready, results, start = context.Queue(), context.Queue(), context.Value("d", float("inf"))
    workers = [context.Process(target=target, args=(setup, i, start, seconds, window, ready, results))
               for i in range(processes)]
    for process in workers:
        process.start()
    for _ in workers:
        ready.get(timeout=300)
    begin = time.monotonic() + 0.2
    start.value = begin
    time.sleep(max(0.0, begin - time.monotonic()))
    return workers, results


# ---------------------------------------------------------------- ours


def _our_worker(urls, index, start, seconds, window, ready, results):
    from curriculum_client import CategoryStats, Worker

    worker = Worker(f"bench-{index}", *urls, categories=[f"task-{t}" for t in range(TASKS)], start=True)
    worker.wait_joined(timeout=60)
    policy = worker.current_policy(timeout=60)
    ready.put(index)
    while time.monotonic() < start.value:
        time.sleep(0.001)
    deadline = start.value + seconds
    cpu = time.process_time()
    made = samples = 0
    while time.monotonic() < deadline:
        for _ in range(32):
            task = policy.categories[made % TASKS]
            worker.report(policy.version, statistics=[CategoryStats(task, 1, 0.5, 0.25, 1.0)])
            made += 1
            samples += 1
        worker.wait_until_unacknowledged(window, timeout=30)
    acknowledged = worker.counters.reports_acknowledged
    cpu = time.process_time() - cpu
    worker.drain(timeout=60)
    counters = worker.counters
    results.put(dict(index=index, updates=acknowledged, cpu=cpu, made=made, samples=samples,
                     frames=counters.report_frames_sent, retransmissions=counters.retransmissions,
                     acknowledged=counters.reports_acknowledged))


def run_ours(binary: str, processes: int, seconds: float, window: int) -> Dict:
    from curriculum_client import StatusMonitor

    coordinator = subprocess.Popen(
        [binary, "coordinator", "--broadcast", "tcp://127.0.0.1:0", "--requests", "tcp://127.0.0.1:0",
         "--status", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0", "--categories", ",".join(f"task-{t}" for t in range(TASKS))],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        fields = dict(part.split("=", 1) for part in coordinator.stdout.readline().split()[1:])
        urls = (fields["broadcast"], fields["requests"])
        workers, results = start_together("spawn", processes, _our_worker, urls, seconds, window)
        coordinator_cpu = process_cpu(coordinator.pid)
        time.sleep(seconds)
        coordinator_cpu = process_cpu(coordinator.pid) - coordinator_cpu
        per_worker = [results.get(timeout=300) for _ in workers]
        for process in workers:
            process.join(timeout=60)
        with StatusMonitor(fields["status"]) as monitor:
            made = sum(r["made"] for r in per_worker)
            status = monitor.wait_for(lambda s: s.reports_accepted >= made, timeout=60)
        exact = (status is not None and status.reports_accepted == made
                 and sum(t.count for t in status.totals) == sum(r["samples"] for r in per_worker)
                 and all(r["acknowledged"] == r["made"] for r in per_worker))
        return cell("ours", processes, seconds, per_worker, coordinator_cpu, exact=exact,
                    reports_per_frame=sum(r["made"] + r["retransmissions"] for r in per_worker)
                    / max(1, sum(r["frames"] for r in per_worker)),
                    retransmissions=sum(r["retransmissions"] for r in per_worker))
    finally:
        coordinator.terminate()
        coordinator.wait(timeout=30)


# ---------------------------------------------------------------- Syllabus


def _syllabus_worker(components, index, start, seconds, window, ready, results):
    components.update_queue.cancel_join_thread()  # exit without waiting for a backlog to drain
    ready.put(index)
    while time.monotonic() < start.value:
        time.sleep(0.001)
    deadline = start.value + seconds
    cpu = time.process_time()
    made = 0
    while time.monotonic() < deadline:
        for _ in range(32):
            # What GymnasiumSyncWrapper.step sends at the end of an episode.
            components.put_update([{"update_type": "episode", "metrics": (1.0, 1, made % TASKS, 1.0),
                                    "env_id": index, "request_sample": False}])
            made += 1
        # The same credit as ours: Syllabus has no flow control of its own, and producers that
        # flood its queue starve its one update thread of CPU (measured: 3,000 updates/s at 1
        # process fell to 180 at 16). Waiting here measures its update thread at its best.
        while components.update_queue.qsize() >= window and time.monotonic() < deadline:
            time.sleep(0.0005)
    results.put(dict(index=index, cpu=time.process_time() - cpu, made=made))


def run_syllabus(processes: int, seconds: float, window: int) -> Dict:
    from syllabus.core import make_multiprocessing_curriculum
    from syllabus.curricula import DomainRandomization
    from syllabus.task_space import DiscreteTaskSpace

    class CountingDomainRandomization(DomainRandomization):
        applied = 0

        def update_on_episode(self, *args, **kwargs):
            CountingDomainRandomization.applied += 1
            super().update_on_episode(*args, **kwargs)

    curriculum = make_multiprocessing_curriculum(CountingDomainRandomization(DiscreteTaskSpace(TASKS)))
    # Forked, so the queues are inherited, as by the vector environments Syllabus wraps.
    workers, results = start_together("fork", processes, _syllabus_worker, curriculum.components, seconds, window)
    applied, main_cpu = CountingDomainRandomization.applied, time.process_time()
    time.sleep(seconds)
    applied, main_cpu = CountingDomainRandomization.applied - applied, time.process_time() - main_cpu
    per_worker = [results.get(timeout=300) for _ in workers]
    curriculum.stop()  # ends the update thread, frees the shared memory
    for process in workers:
        process.join(timeout=60)
    made = sum(r["made"] for r in per_worker)
    result = cell("syllabus", processes, seconds, per_worker, main_cpu, updates=applied)
    result["backlog"] = made - applied
    return result


# ---------------------------------------------------------------- cells and the table


def cell(side, processes, seconds, per_worker, central_cpu, updates=None, **extra) -> Dict:
    updates = sum(r["updates"] for r in per_worker) if updates is None else updates
    cpu = sum(r["cpu"] for r in per_worker) + central_cpu
    rate = updates / seconds
    return dict(side=side, processes=processes, rate=rate, per_process=rate / processes,
                cpu_cores=cpu / seconds, per_core=updates / cpu if cpu else 0.0,
                worker_cpu=sum(r["cpu"] for r in per_worker) / seconds, central_cpu=central_cpu / seconds, **extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--syllabus-python", help="python of a venv with syllabus-rl 0.7 (omit: ours only)")
    parser.add_argument("--processes", default="1,4,16", help="worker process counts (default 1,4,16)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each cell's window")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are reported")
    parser.add_argument("--window", type=int, default=2048,
                        help="unacknowledged reports at most, all our workers together (each at most 1,024)")
    parser.add_argument("--syllabus-cell", type=int, help=argparse.SUPPRESS)  # internal: one Syllabus cell
    parser.add_argument("--json", help="also write every cell to this file")
    args = parser.parse_args()
    if args.syllabus_cell is not None:
        print(json.dumps(run_syllabus(args.syllabus_cell, args.seconds, args.window)))
        return
    binary = os.environ.get("CURRICULUM_BIN")
    if not binary:
        sys.exit("set CURRICULUM_BIN to a `curriculum` binary (a release build: swift build -c release)")
    counts = [int(p) for p in args.processes.split(",")]
    cells: List[Dict] = []
    for round_number in range(args.rounds):
        for processes in counts:
            ours = run_ours(binary, processes, args.seconds, min(1024, args.window // processes))
            cells.append(ours)
            line = f"round {round_number + 1} P={processes}: ours {ours['rate']:,.0f}/s (exact {ours['exact']})"
            if args.syllabus_python:
                output = subprocess.run(
                    [args.syllabus_python, __file__, "--syllabus-cell", str(processes), "--seconds", str(args.seconds),
                     "--window", str(args.window)],
                    check=True, capture_output=True, text=True).stdout
                theirs = json.loads(output.strip().splitlines()[-1])
                cells.append(theirs)
                line += f", Syllabus {theirs['rate']:,.0f}/s"
            print(line, f"load {os.getloadavg()[0]:.1f}", flush=True)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(cells, handle, indent=1)
    print_table(cells, counts)


def print_table(cells: List[Dict], counts: List[int]) -> None:
    def median(side, processes, key):
        values = [c[key] for c in cells if c["side"] == side and c["processes"] == processes]
        return statistics.median(values) if values else None

    print("\n| processes | side | updates/s | per process | CPU cores used | updates per CPU-second | ours / Syllabus |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for processes in counts:
        ours, theirs = median("ours", processes, "rate"), median("syllabus", processes, "rate")
        for side, rate in (("ours", ours), ("syllabus", theirs)):
            if rate is None:
                continue
            ratio = f"{ours / theirs:.1f}x" if side == "ours" and theirs else ""
            print(f"| {processes} | {side} | {rate:,.0f} | {median(side, processes, 'per_process'):,.0f} "
                  f"| {median(side, processes, 'cpu_cores'):.2f} | {median(side, processes, 'per_core'):,.0f} "
                  f"| {ratio} |")
    exact = all(c.get("exact", True) for c in cells)
    print(f"\nours exactly once in every cell: {exact}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
