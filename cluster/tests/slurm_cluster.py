"""A one-node Slurm cluster made for a test: munged, slurmctld and slurmd started by hand.

These hosts have no systemd, so the daemons run in the foreground as children of the
test, with a generated ``slurm.conf`` and every state, spool, socket and log file under one
temporary directory; ``SLURM_CONF`` points the client commands at it. :meth:`SlurmCluster.stop`
cancels every job, waits until Slurm has finished them, then ends the daemons it started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "scancel", "squeue", "scontrol", "sinfo")
#: Job states after which Slurm has nothing left running for a job.
FINISHED = {"COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL",
            "DEADLINE"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    """Polls ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def slurm_conf(root: Path, ctld_port: int, slurmd_port: int) -> str:
    # CPUs=16 on a 2-core host, honoured thanks to config_overrides: a head and five workers
    # run at once, each asking for a CPU. KillWait bounds how long a job that ignores
    # SIGTERM may keep the test waiting.
    return f"""\
ClusterName=curriculumtest
SlurmctldHost=localhost
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={root}/munge/munge.sock
CredType=cred/munge
StateSaveLocation={root}/ctld
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=10
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=16 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


class SlurmCluster:
    """munged + slurmctld + slurmd on this host, rooted at ``root`` (keep the path short:
    it holds munge's Unix socket)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.conf = root / "slurm.conf"
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))
        self._daemons: List[subprocess.Popen] = []
        self._logs: List = []
        self.jobs: List[str] = []

    def start(self, timeout: float = 30.0) -> float:
        """Starts the daemons; returns the seconds until the node showed idle."""
        began = time.monotonic()
        for name in ("munge", "ctld", "spool", "log"):
            (self.root / name).mkdir(mode=0o700, parents=True, exist_ok=True)
        key = self.root / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.conf.write_text(slurm_conf(self.root, free_port(), free_port()))
        munge = self.root / "munge"
        # --force: munged refuses a socket directory others cannot enter unless forced.
        self._daemon(["munged", "--foreground", "--force", f"--socket={munge}/munge.sock", f"--key-file={key}",
                      f"--pid-file={munge}/munged.pid", f"--seed-file={munge}/seed",
                      f"--log-file={self.root}/log/munged.log"], "munged")
        if not wait_until(lambda: (munge / "munge.sock").exists(), timeout):
            raise RuntimeError(f"munged did not create its socket within {timeout} s: {self.log('munged')}")
        self._daemon(["slurmctld", "-D", "-i"], "slurmctld")
        self._daemon(["slurmd", "-D", "-N", "localhost"], "slurmd")

        def idle() -> bool:
            self._check_daemons()
            result = self.run(["sinfo", "-h", "-o", "%T"], check=False)
            return result.returncode == 0 and result.stdout.strip() == "idle"

        if not wait_until(idle, timeout):
            raise RuntimeError(f"the node did not become idle within {timeout} s: {self.log('slurmctld')}")
        return time.monotonic() - began

    def _daemon(self, args: List[str], name: str) -> None:
        log = open(self.root / "log" / f"{name}.out", "w")
        self._logs.append(log)
        self._daemons.append(subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                              stdin=subprocess.DEVNULL))

    def _check_daemons(self) -> None:
        for daemon in self._daemons:
            if daemon.poll() is not None:
                raise RuntimeError(f"{daemon.args[0]} exited with {daemon.returncode}: {self.log(daemon.args[0])}")

    def log(self, name: str, lines: int = 20) -> str:
        texts = []
        for path in sorted((self.root / "log").glob(f"{name}*")):
            texts.append(f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(texts)

    def run(self, args: List[str], check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
        result = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def sbatch(self, script: Path, *args: str, env: Dict[str, str], output: Path, error: Path) -> str:
        """Submits ``script`` with ``env`` exported; returns the job id."""
        exports = ",".join(["ALL"] + [f"{k}={v}" for k, v in env.items()])
        result = self.run(["sbatch", "--parsable", f"--export={exports}", f"--output={output}", f"--error={error}",
                           str(script), *args])
        job = result.stdout.strip().split(";")[0]
        self.jobs.append(job)
        return job

    def job_state(self, job: str) -> str:
        """The job's state (``PENDING``, ``RUNNING``, ``COMPLETING``, ``CANCELLED``, ...)."""
        text = self.run(["scontrol", "-o", "show", "job", job]).stdout
        fields = dict(part.split("=", 1) for part in text.split() if "=" in part)
        return fields["JobState"]

    def finished(self, job: str) -> bool:
        return self.job_state(job) in FINISHED

    def stop(self, timeout: float = 60.0) -> None:
        """Cancels the jobs, waits until none runs (slurmstepd gone), ends the daemons."""
        try:
            if self._daemons and all(d.poll() is None for d in self._daemons):
                unfinished = [j for j in self.jobs if not self.finished(j)]
                if unfinished:
                    self.run(["scancel", *unfinished], check=False)
                wait_until(lambda: all(self.finished(j) for j in self.jobs), timeout)
        finally:
            for daemon in reversed(self._daemons):
                if daemon.poll() is None:
                    daemon.send_signal(signal.SIGTERM)
            for daemon in reversed(self._daemons):
                try:
                    daemon.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait(timeout=5)
            for log in self._logs:
                log.close()
            self._kill_leftovers()

    def _kill_leftovers(self) -> None:
        # A backstop for a job process Slurm failed to end: ours all name a path under root.
        marker = str(self.root).encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if marker in (entry / "cmdline").read_bytes():
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:  # gone already, or not ours to read
                continue
