"""Fixtures: a coordinator with its monitoring port (``--http``) loaded by real ``curriculum worker``s.

The process helpers are the Python client tests' (``clients/python/tests/processes.py``);
the binary comes from $CURRICULUM_BIN the same way.
"""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "clients" / "python" / "tests"))

from binary_fixture import curriculum_bin  # noqa: E402,F401  (a fixture: registered by being named here)
from processes import Cluster, Coordinator, Process, wait_until  # noqa: E402

WORKER_IDS = ("rollout-a", "rollout-b", "rollout-c")


def http_get(url: str, method: str = "GET", timeout: float = 5.0) -> Tuple[int, bytes]:
    """``(status, body)``; a 4xx or 5xx answer is returned, not raised."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def free_port() -> int:
    """A port nothing listens on now (for servers that cannot bind port 0 and say which they got)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LoadedCoordinator:
    """A coordinator serving ``--http`` while the workers of ``WORKER_IDS`` report to it."""

    coordinator: Coordinator
    workers: List[Process]
    http_url: str

    def get(self, path: str, method: str = "GET") -> Tuple[int, bytes]:
        return http_get(self.http_url + path, method)

    def status(self) -> Dict[str, Any]:
        """``/api/status``: ``curriculum.v1.Status`` as JSON with the proto field names."""
        code, body = self.get("/api/status")
        assert code == 200, f"/api/status answered {code}: {body[:200]!r}"
        return json.loads(body)

    def metrics(self) -> str:
        code, body = self.get("/metrics")
        assert code == 200, f"/metrics answered {code}: {body[:200]!r}"
        return body.decode()

    def reports_accepted(self) -> int:
        return int(self.status().get("reports_accepted", 0))

    def log_tails(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log_tail()}" for p in [self.coordinator, *self.workers])


def active_worker_ids(status: Dict[str, Any]) -> List[str]:
    return sorted(w["worker"]["worker_id"] for w in status.get("workers", []) if w.get("state") == "active")


@pytest.fixture(scope="module")
def loaded_coordinator(curriculum_bin: Path, tmp_path_factory: pytest.TempPathFactory):
    """One per test module: the coordinator (SEC at tau 0.3, so the distribution moves
    visibly) and three simulated workers, each ~20 steps a second to spare the CPU."""
    cluster = Cluster(curriculum_bin, tmp_path_factory.mktemp("cluster"))
    try:
        coordinator = cluster.coordinator(extra=["--http", "127.0.0.1:0", "--tau", "0.3"])
        assert coordinator.http_url, f"no http= in the ready line: {coordinator.lines[0]!r}"
        workers = [
            cluster.swift_worker(name, coordinator.broadcast_url, coordinator.requests_url,
                                 "--share", "0.34", "--step-delay-ms", "50")
            for name in WORKER_IDS
        ]
        loaded = LoadedCoordinator(coordinator, workers, coordinator.http_url)
        ready = wait_until(
            lambda: active_worker_ids(loaded.status()) == sorted(WORKER_IDS) and loaded.reports_accepted() > 0,
            timeout=30, interval=0.1)
        assert ready, f"the workers did not join and report within 30 s\n{loaded.log_tails()}"
        yield loaded
    finally:
        cluster.stop()
