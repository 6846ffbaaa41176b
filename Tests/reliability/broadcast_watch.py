"""What the coordinator broadcasts to its workers, seen by one more subscriber.

Every policy frame's version (with when it arrived) and, per worker incarnation, every
sequence the coordinator has acknowledged. A worker can know of an acknowledgement only
from such a frame, so what a worker knew was acknowledged is a subset of what this sees,
including acknowledgements a worker SIGKILLed a moment earlier never read.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Set, Tuple

import pynng

from curriculum_client import wire

Incarnation = Tuple[str, int]


@dataclass
class Acknowledged:
    """One incarnation's acknowledged sequences: everything up to ``contiguous``, and ``selective``."""

    contiguous: int = 0
    selective: Set[int] = field(default_factory=set)

    def covers(self, sequence: int) -> bool:
        return sequence <= self.contiguous or sequence in self.selective


class BroadcastWatch:
    def __init__(self, broadcast_url: str) -> None:
        self._sock = pynng.Sub0(recv_timeout=100, recv_max_size=wire.MAX_FRAME_SIZE, recv_buffer_size=8192,
                                reconnect_time_min=20, reconnect_time_max=200)
        self._sock.subscribe(wire.topic_for("policy"))
        self._sock.subscribe(wire.topic_for("acks"))
        self._lock = threading.Lock()
        #: ``(monotonic time, version)`` of every policy frame, in arrival order.
        self.policies: List[Tuple[float, int]] = []
        #: Monotonic arrival time of every acknowledgement frame.
        self.ack_frames: List[float] = []
        self._acknowledged: Dict[Incarnation, Acknowledged] = {}
        self._closed = False
        self._sock.dial(broadcast_url, block=False)
        self._thread = threading.Thread(target=self._run, name="broadcast-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._closed:
            try:
                data = self._sock.recv()
            except pynng.Timeout:
                continue
            except pynng.NNGException:
                return
            now = time.monotonic()
            try:
                body, envelope = wire.decode(data)
            except wire.WireError:
                continue
            with self._lock:
                if body == "policy":
                    self.policies.append((now, envelope.policy.version))
                elif body == "acks":
                    self.ack_frames.append(now)
                    for ack in envelope.acks.workers:
                        key = (ack.worker.worker_id, ack.worker.incarnation)
                        seen = self._acknowledged.setdefault(key, Acknowledged())
                        seen.contiguous = max(seen.contiguous, ack.contiguous_through)
                        seen.selective.update(s for s in ack.selective if s > seen.contiguous)

    def acknowledged(self, incarnation: Incarnation) -> Acknowledged:
        with self._lock:
            seen = self._acknowledged.get(incarnation, Acknowledged())
            return Acknowledged(seen.contiguous, set(seen.selective))

    def policies_since(self, since: float) -> List[int]:
        with self._lock:
            return [version for at, version in self.policies if at >= since]

    def acks_since(self, since: float) -> int:
        with self._lock:
            return sum(1 for at in self.ack_frames if at >= since)

    def newest_version(self) -> int:
        with self._lock:
            return max((version for _, version in self.policies), default=0)

    def close(self) -> None:
        self._closed = True
        self._thread.join(timeout=2)
        self._sock.close()
