"""The Slurm launch scripts on a real one-node Slurm cluster: a head job, worker jobs scaled
2 -> 5 -> 1 with sbatch and scancel (one of them SIGKILLed), read with `curriculum status --json`."""

from __future__ import annotations

import json
import math
import subprocess
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from cluster_fixtures import curriculum_bin, slurm  # noqa: F401 (fixtures)
from slurm_cluster import SlurmCluster, free_port, wait_until

SLURM_DIR = Path(__file__).resolve().parents[1] / "slurm"
SHARED = ["arith/0", "arith/1", "arith/2"]
#: The killed worker's own category: every other category's sums are then known exactly.
VICTIM = "victim/0"
Status = Dict


class Run:
    """One curriculum run on the test's Slurm cluster: its run directory, jobs and status."""

    def __init__(self, slurm: SlurmCluster, binary: Path) -> None:
        self.slurm = slurm
        self.binary = binary
        self.dir = slurm.root / "run"
        self.env = {"CURRICULUM_RUN_DIR": str(self.dir), "CURRICULUM": str(binary),
                    "CURRICULUM_HOST": "127.0.0.1", "CURRICULUM_LISTEN_HOST": "127.0.0.1",
                    "CURRICULUM_BROADCAST_PORT": str(free_port()), "CURRICULUM_REQUESTS_PORT": str(free_port()),
                    "CURRICULUM_STATUS_PORT": str(free_port()), "CURRICULUM_REPORTS_PORT": str(free_port()),
                    "CURRICULUM_HEAD_WAIT": "60"}
        self.broadcast = f"tcp://127.0.0.1:{self.env['CURRICULUM_BROADCAST_PORT']}"
        self.status_url = f"tcp://127.0.0.1:{self.env['CURRICULUM_STATUS_PORT']}"
        self.seed = 0

    def submit_head(self) -> str:
        return self.slurm.sbatch(
            SLURM_DIR / "head.sbatch", "--publish-interval-ms", "100", "--heartbeat-ms", "250", "--lease-ms", "1500",
            "--categories", ",".join(SHARED + [VICTIM]),
            env=self.env, output=self.slurm.root / "head-%j.out", error=self.slurm.root / "head-%j.err")

    def submit_worker(self, domain: str = "arith", levels: int = 3) -> str:
        self.seed += 1
        return self.slurm.sbatch(
            SLURM_DIR / "worker.sbatch", "--batch", "16", "--step-delay-ms", "20", "--share", "0.125",
            "--seed", str(self.seed), "--domains", domain, "--levels", str(levels),
            env=self.env, output=self.slurm.root / "worker-%j.out", error=self.slurm.root / "worker-%j.err")

    def status(self) -> Optional[Status]:
        """The coordinator's next status, through `curriculum status --json`; None if none came."""
        try:
            result = subprocess.run(
                [str(self.binary), "status", "--coordinator", self.status_url, "--json", "--timeout", "3"],
                capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return None  # seen once: a status command that outlived its own --timeout; poll again
        return json.loads(result.stdout) if result.returncode == 0 else None

    def wait_status(self, predicate: Callable[[Status], bool], timeout: float, what: str) -> Tuple[Status, float]:
        """The first status satisfying ``predicate`` and the seconds it took (fails at the deadline)."""
        start = time.monotonic()
        deadline = start + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.status()
            if last is not None and predicate(last):
                return last, time.monotonic() - start
        raise AssertionError(f"{what}: not within {timeout} s; last status {states(last) if last else None}\n"
                             f"{self.job_logs()}\n{self.slurm.log('slurmctld')}")

    def job_logs(self, lines: int = 5) -> str:
        """The last lines of every job's stderr, for a failure message."""
        return "\n".join(f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
                         for path in sorted(self.slurm.root.glob("*.err")))

    def summary(self, job: str) -> Dict:
        """The JSON line a drained worker printed when its job ended."""
        assert wait_until(lambda: self.slurm.finished(job), 60), f"job {job}: {self.slurm.job_state(job)}"
        lines = (self.slurm.root / f"worker-{job}.out").read_text().splitlines()
        assert lines, f"job {job} printed nothing: {(self.slurm.root / f'worker-{job}.err').read_text()[-2000:]}"
        return json.loads(lines[-1])


def number(entry: Dict, key: str) -> int:
    """A uint64 of protobuf's JSON mapping (a string; absent when 0)."""
    return int(entry.get(key, 0))


def states(status: Status) -> Dict[str, str]:
    """``{worker_id: state}`` of each worker's newest incarnation."""
    out: Dict[str, str] = {}
    for entry in status.get("workers", []):
        worker = entry["worker"]["worker_id"]
        if entry["state"] != "replaced" or worker not in out:
            out[worker] = entry["state"]
    return out


def by_worker(status: Status) -> Dict[str, Dict]:
    return {e["worker"]["worker_id"]: e for e in status.get("workers", []) if e["state"] != "replaced"}


def active(status: Status) -> List[str]:
    return sorted(w for w, s in states(status).items() if s == "active")


def worker_ids(jobs: List[str]) -> List[str]:
    return sorted(f"rollout-{job}" for job in jobs)


def test_slurm_head_and_workers_scale_two_to_five_to_one(slurm: SlurmCluster, curriculum_bin: Path):
    run = Run(slurm, curriculum_bin)
    timings: Dict[str, float] = {}
    head = run.submit_head()
    _, timings["head sbatch -> status"] = run.wait_status(lambda s: True, 60, "the head job's coordinator")
    assert (run.dir / "head.addr").read_text().splitlines()[0] == f"broadcast={run.broadcast}"

    workers = [run.submit_worker() for _ in range(2)]
    _, timings["0 -> 2 sbatch -> active"] = run.wait_status(
        lambda s: active(s) == worker_ids(workers), 60, "two workers active")

    victim = run.submit_worker(domain="victim", levels=1)
    added = [run.submit_worker() for _ in range(2)] + [victim]
    _, timings["2 -> 5 sbatch -> active"] = run.wait_status(
        lambda s: active(s) == worker_ids(workers + added), 60, "five workers active")
    workers += added[:2]
    run.wait_status(lambda s: all(number(by_worker(s)[w], "reports_accepted") >= 5 for w in worker_ids(workers + [victim])),
                    60, "five workers reporting")

    # A node failure: SIGKILL, no drain. `--batch` sends it to the batch step itself;
    # without it, Slurm 22.05 turns --signal=KILL into a plain cancel (SIGTERM first).
    slurm.run(["scancel", "--batch", "--signal=KILL", victim])
    _, timings["scancel KILL -> lost"] = run.wait_status(
        lambda s: states(s).get(f"rollout-{victim}") == "lost", 30, "the killed worker lost")

    keep, cancelled = workers[0], workers[1:]
    slurm.run(["scancel", *cancelled])
    expected = {f"rollout-{keep}": "active", f"rollout-{victim}": "lost", **{w: "left" for w in worker_ids(cancelled)}}
    _, timings["5 -> 1 scancel -> left"] = run.wait_status(lambda s: states(s) == expected, 60, "scaled down to one")
    summaries = {f"rollout-{job}": run.summary(job) for job in cancelled}

    slurm.run(["scancel", keep])
    summaries[f"rollout-{keep}"] = run.summary(keep)
    expected[f"rollout-{keep}"] = "left"
    status, _ = run.wait_status(lambda s: states(s) == expected, 30, "the last worker left")
    print("\nslurm scale timings (s):", {k: round(v, 2) for k, v in timings.items()})

    # What each drained worker sent was merged exactly once, to the report and the sample.
    entries = by_worker(status)
    for worker, summary in summaries.items():
        assert summary["worker"].startswith(f"{worker}#"), summary["worker"]
        assert summary["abandoned"] == 0 and summary["acknowledged"] == summary["reports"] > 0, worker
        assert number(entries[worker], "reports_accepted") == summary["reports"], worker
        assert number(entries[worker], "samples_accepted") == summary["samples"], worker
    totals = {t["category"]: t for t in status["totals"]}
    for category in SHARED:
        sent = [c for s in summaries.values() for c in s["categories"] if c["category"] == category]
        assert number(totals[category], "count") == sum(c["count"] for c in sent), category
        for key in ("sum_abs_advantage", "sum_squared_advantage", "sum_reward"):
            assert math.isclose(totals[category].get(key, 0.0), sum(c[key] for c in sent), rel_tol=1e-9), (category, key)
    # The killed worker's category holds exactly the samples merged from it.
    assert number(totals[VICTIM], "count") == number(entries[f"rollout-{victim}"], "samples_accepted") > 0
    assert sum(number(t, "count") for t in status["totals"]) == sum(number(w, "samples_accepted") for w in status["workers"])
    assert sum(number(w, "reports_accepted") for w in status["workers"]) == number(status, "reports_accepted")
    assert number(status, "reports_rejected") == 0 and number(status, "malformed_messages") == 0

    # The state outlives the head job: a new head job on the same run directory resumes it.
    slurm.run(["scancel", head])
    assert wait_until(lambda: slurm.finished(head), 30), slurm.job_state(head)
    run.submit_head()
    resumed, _ = run.wait_status(lambda s: True, 60, "the resumed coordinator")
    assert number(resumed["policy"], "version") >= number(status["policy"], "version")
    assert {t["category"]: number(t, "count") for t in resumed["totals"]} == \
        {t["category"]: number(t, "count") for t in status["totals"]}
