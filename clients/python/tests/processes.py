"""Child processes of the tests: the Swift `curriculum` binary, coordinators and workers.

Shared by the fixtures of `clients/python/tests` and `Tests/observability` (which puts this
directory on `sys.path`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]  # clients/python/tests -> repository root
PYTHON_WORKER = HERE / "support" / "python_worker.py"


def find_curriculum_binary() -> Optional[Path]:
    explicit = os.environ.get("CURRICULUM_BIN")
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise RuntimeError(f"CURRICULUM_BIN={explicit} is not an executable file")
        return path
    candidates = [ROOT / ".build" / "release" / "curriculum", ROOT / ".build" / "debug" / "curriculum"]
    others = sorted(ROOT.glob(".build*/debug/curriculum"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates + others:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    """Polls ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class Process:
    """A child process with stdout captured by a reader thread and stderr to a log file."""

    def __init__(self, args: List[str], name: str, log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "w")
        self.popen = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL, text=True, bufsize=1
        )
        self.lines: List[str] = []
        self._lines_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            with self._lines_lock:
                self.lines.append(line.rstrip("\n"))

    def first_line(self, timeout: float) -> str:
        if not wait_until(lambda: bool(self.lines) or self.popen.poll() is not None, timeout):
            raise TimeoutError(f"{self.name}: no output within {timeout} s\n{self.log_tail()}")
        wait_until(lambda: bool(self.lines), 1.0)
        if not self.lines:
            raise RuntimeError(f"{self.name} exited with {self.popen.returncode}\n{self.log_tail()}")
        return self.lines[0]

    def signal(self, number: int) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(number)

    def wait(self, timeout: float) -> int:
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"{self.name} still running after {timeout} s\n{self.log_tail()}") from None
        self._reader.join(timeout=5)
        return code

    def summary(self, timeout: float) -> Dict:
        """The JSON line a worker prints when it stops, after waiting for it to exit."""
        code = self.wait(timeout)
        assert code == 0, f"{self.name} exited with {code}\n{self.log_tail()}"
        assert self.lines, f"{self.name} printed no summary\n{self.log_tail()}"
        return json.loads(self.lines[-1])

    def log_tail(self, count: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-count:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        self._log.close()


class Coordinator(Process):
    """A coordinator on its four endpoints (port 0: the system picks; the ready line says which)."""

    def __init__(self, binary: Path, log_dir: Path, broadcast: str = "tcp://127.0.0.1:0",
                 requests: str = "tcp://127.0.0.1:0", status: str = "tcp://127.0.0.1:0",
                 reports: str = "tcp://127.0.0.1:0", extra: Optional[List[str]] = None, name: str = "coordinator"):
        args = [str(binary), "coordinator", "--broadcast", broadcast, "--requests", requests, "--status", status,
                "--reports", reports,
                "--publish-interval-ms", "100", "--heartbeat-ms", "250", "--lease-ms", "1500"] + (extra or [])
        super().__init__(args, name, log_dir)
        line = self.first_line(timeout=30)
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        self.broadcast_url = fields["broadcast"]
        self.requests_url = fields["requests"]
        self.status_url = fields["status"]
        #: The version-1 endpoint: every frame there is answered with a ProtocolMismatch.
        self.reports_url = fields["reports"]
        #: The monitoring port's base URL (``http://HOST:PORT``), given ``--http`` in ``extra``.
        self.http_url: Optional[str] = fields.get("http")


class Cluster:
    """Starts processes for one test and stops every one of them at the end."""

    def __init__(self, binary: Optional[Path], log_dir: Path) -> None:
        self.binary = binary
        self.log_dir = log_dir
        self.processes: List[Process] = []

    def coordinator(self, **kwargs) -> Coordinator:
        assert self.binary is not None
        process = Coordinator(self.binary, self.log_dir, **kwargs)
        self.processes.append(process)
        return process

    def swift_worker(self, name: str, broadcast: str, requests: str, *extra: str) -> Process:
        assert self.binary is not None
        args = [str(self.binary), "worker", "--broadcast", broadcast, "--requests", requests, "--id", name,
                "--batch", "16", "--step-delay-ms", "10", "--share", "0.125", "--seed", str(abs(hash(name)) % 10_000),
                *extra]
        process = Process(args, name, self.log_dir)
        self.processes.append(process)
        return process

    def python_worker(self, name: str, broadcast: str, requests: str, *extra: str) -> Process:
        args = [sys.executable, str(PYTHON_WORKER), "--broadcast", broadcast, "--requests", requests, "--id", name,
                *extra]
        process = Process(args, name, self.log_dir)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


