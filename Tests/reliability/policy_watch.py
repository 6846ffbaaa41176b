"""The policies the coordinator broadcasts to its workers, seen by one more subscriber:
every ``POLI`` frame's version with when it arrived.

(Acknowledgements are not broadcast in protocol version 2: each worker receives its own as
replies, so the tests learn of them from the workers: ``ledger_worker.py`` writes down every
acknowledgement it receives, and ``test_full_disk.py`` runs a worker that records them.)
"""

from __future__ import annotations

import threading
from typing import List, Tuple

from curriculum_client import pb, wire
from curriculum_client.subscription import Subscription


class PolicyWatch:
    def __init__(self, broadcast_url: str) -> None:
        self._lock = threading.Lock()
        #: ``(monotonic time, version)`` of every policy frame, in arrival order.
        self.policies: List[Tuple[float, int]] = []
        self._subscription = Subscription(broadcast_url, [wire.topic_for("policy")], self._received,
                                          name="policy-watch")

    def _received(self, body: str, envelope: pb.Envelope, arrived: float) -> None:
        with self._lock:
            self.policies.append((arrived, envelope.policy.version))

    def policies_since(self, since: float) -> List[int]:
        with self._lock:
            return [version for at, version in self.policies if at >= since]

    def newest_version(self) -> int:
        with self._lock:
            return max((version for _, version in self.policies), default=0)

    def close(self) -> None:
        self._subscription.close()
