"""Watching a coordinator: the ``STAT`` frames of its status endpoint (like ``curriculum status``).

Protocol version 2 publishes ``Status`` on an endpoint of its own (``--status``, default
``tcp://*:7453``), not on the workers' broadcast: it grows with the fleet (about 50 KB a
second at 1,000 workers), and nng's PUB copies every message to every subscriber.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Dict, Optional

from . import wire
from .auth import TLSSettings
from .proto import curriculum_pb2 as pb
from .subscription import Subscription

__all__ = ["StatusMonitor", "fetch_status"]


class StatusMonitor:
    """Subscribes to a coordinator's status endpoint and keeps its newest ``Status``
    (published once a second).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, status_url: str, tls: Optional[TLSSettings] = None) -> None:
        self._lock = threading.Condition()
        self._status: Optional[pb.Status] = None
        self._statuses = 0
        self._subscription = Subscription(status_url, [wire.topic_for("status")], self._received, tls,
                                          name="curriculum-status")

    def _received(self, body: str, envelope: pb.Envelope, _arrived: float) -> None:
        with self._lock:
            self._status = envelope.status
            self._statuses += 1
            self._lock.notify_all()

    @property
    def status(self) -> Optional[pb.Status]:
        with self._lock:
            return self._status

    @property
    def statuses_received(self) -> int:
        with self._lock:
            return self._statuses

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
        self._subscription.close()

    def __enter__(self) -> "StatusMonitor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def fetch_status(status_url: str, timeout: float = 5.0) -> Optional[pb.Status]:
    """The coordinator's next status, or None if none arrives within ``timeout``."""
    with StatusMonitor(status_url) as monitor:
        return monitor.next_status(timeout)
