"""Watching a coordinator: its ``STAT`` and ``POLI`` broadcasts (like ``curriculum status``)."""

from __future__ import annotations

import threading
import time
from typing import Callable, Dict, List, Optional

import pynng

from . import wire
from .auth import TLSSettings
from .proto import curriculum_pb2 as pb

__all__ = ["StatusMonitor", "fetch_status"]


class StatusMonitor:
    """Subscribes to a coordinator's broadcast endpoint and keeps its newest ``Status``
    (published once a second) and every policy version it sees.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, broadcast_url: str, tls: Optional[TLSSettings] = None) -> None:
        kwargs = dict(recv_timeout=100, recv_max_size=wire.MAX_FRAME_SIZE, reconnect_time_min=50,
                      reconnect_time_max=500)
        if tls is not None:
            kwargs["tls_config"] = tls.to_pynng()
        self._sock = pynng.Sub0(**kwargs)
        self._sock.subscribe(b"STAT")
        self._sock.subscribe(b"POLI")
        self._lock = threading.Condition()
        self._status: Optional[pb.Status] = None
        self._statuses = 0
        self._versions: List[int] = []
        self._closed = False
        self._sock.dial(broadcast_url, block=False)
        self._thread = threading.Thread(target=self._run, name="curriculum-status", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._closed:
            try:
                data = self._sock.recv()
            except pynng.Timeout:
                continue
            except pynng.NNGException:
                return
            try:
                body, envelope = wire.decode(data)
            except wire.WireError:
                continue
            with self._lock:
                if body == "status":
                    self._status = envelope.status
                    self._statuses += 1
                elif body == "policy":
                    self._versions.append(envelope.policy.version)
                self._lock.notify_all()

    @property
    def status(self) -> Optional[pb.Status]:
        with self._lock:
            return self._status

    @property
    def statuses_received(self) -> int:
        with self._lock:
            return self._statuses

    @property
    def policy_versions(self) -> List[int]:
        with self._lock:
            return list(self._versions)

    def member_states(self) -> Dict[str, str]:
        """``{worker_id: state}`` of the newest incarnation of each worker in the newest status."""
        status = self.status
        if status is None:
            return {}
        states: Dict[str, str] = {}
        for worker in status.workers:
            if worker.state != "replaced" or worker.worker.worker_id not in states:
                states[worker.worker.worker_id] = worker.state
        return states

    def wait_for(self, predicate: Callable[[pb.Status], bool], timeout: float) -> Optional[pb.Status]:
        """Waits until a status satisfies ``predicate``; returns it, or None at the deadline."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                if self._status is not None and predicate(self._status):
                    return self._status
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._lock.wait(remaining)

    def next_status(self, timeout: float) -> Optional[pb.Status]:
        """The first status received after this call."""
        with self._lock:
            seen = self._statuses
            self._lock.wait_for(lambda: self._statuses > seen, timeout=timeout)
            return self._status if self._statuses > seen else None

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "StatusMonitor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def fetch_status(broadcast_url: str, timeout: float = 5.0) -> Optional[pb.Status]:
    """The coordinator's next status broadcast, or None if none arrives within ``timeout``."""
    with StatusMonitor(broadcast_url) as monitor:
        return monitor.next_status(timeout)
