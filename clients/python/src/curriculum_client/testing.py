"""Test helpers: a lossy relay to put between workers and a coordinator.

:class:`FaultyRelay` listens where workers dial, dials the coordinator's endpoints,
and forwards every frame in both directions while dropping, duplicating and
reordering them at set rates, from seeded generators so a failing run can be
repeated (the Python twin of the Swift tests' ``FaultyRelay``).

.. code-block:: python

    with FaultyRelay(coordinator_broadcast, coordinator_reports,
                     "ipc:///tmp/r-broadcast", "ipc:///tmp/r-reports", seed=7) as relay:
        worker = Worker("w", relay.broadcast_url, relay.reports_url)
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import pynng

__all__ = ["Faults", "FaultyRelay"]


@dataclass(frozen=True)
class Faults:
    drop: float = 0.30
    duplicate: float = 0.10
    #: Share of frames held back and released after the next one.
    reorder: float = 0.10


@dataclass
class RelayCounters:
    forwarded: int = 0
    dropped: int = 0
    duplicated: int = 0
    reordered: int = 0


class FaultyRelay:
    """Forwards coordinator <-> workers traffic through seeded faults, until closed."""

    def __init__(
        self,
        coordinator_broadcast_url: str,
        coordinator_reports_url: str,
        broadcast_url: str,
        reports_url: str,
        faults: Faults = Faults(),
        seed: int = 0,
    ) -> None:
        #: Workers dial these instead of the coordinator's endpoints.
        self.broadcast_url = broadcast_url
        self.reports_url = reports_url
        self.faults = faults
        #: Per direction: ``"to_workers"`` and ``"to_coordinator"``.
        self.counters: Dict[str, RelayCounters] = {
            "to_workers": RelayCounters(),
            "to_coordinator": RelayCounters(),
        }
        self._closed = False
        fast = dict(reconnect_time_min=20, reconnect_time_max=200)
        self._from_coordinator = pynng.Sub0(recv_timeout=100, recv_buffer_size=8192, **fast)
        self._from_coordinator.subscribe(b"")
        self._to_workers = pynng.Pub0(send_buffer_size=8192)
        self._from_workers = pynng.Sub0(recv_timeout=100, recv_buffer_size=8192)
        self._from_workers.subscribe(b"")
        self._to_coordinator = pynng.Pub0(send_buffer_size=8192, **fast)
        self._to_workers.listen(broadcast_url)
        self._from_workers.listen(reports_url)
        self._from_coordinator.dial(coordinator_broadcast_url, block=False)
        self._to_coordinator.dial(coordinator_reports_url, block=False)
        self._threads: List[threading.Thread] = [
            threading.Thread(
                target=self._forward,
                args=(self._from_coordinator, self._to_workers, random.Random(seed), self.counters["to_workers"]),
                daemon=True,
            ),
            threading.Thread(
                target=self._forward,
                args=(self._from_workers, self._to_coordinator, random.Random(seed + 1),
                      self.counters["to_coordinator"]),
                daemon=True,
            ),
        ]
        for thread in self._threads:
            thread.start()

    def _forward(self, source: pynng.Socket, destination: pynng.Socket, rng: random.Random,
                 counters: RelayCounters) -> None:
        held: Optional[bytes] = None
        faults = self.faults
        while not self._closed:
            try:
                data = source.recv()
            except pynng.Timeout:
                continue
            except pynng.NNGException:
                return
            roll = rng.random()
            try:
                if roll < faults.drop:
                    counters.dropped += 1
                    continue
                if held is None and roll < faults.drop + faults.reorder:
                    held = data
                    counters.reordered += 1
                    continue
                destination.send(data)
                counters.forwarded += 1
                if roll > 1 - faults.duplicate:
                    destination.send(data)
                    counters.duplicated += 1
                if held is not None:
                    destination.send(held)
                    held = None
            except pynng.NNGException:
                return

    def close(self) -> None:
        self._closed = True
        for sock in (self._from_coordinator, self._from_workers, self._to_workers, self._to_coordinator):
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> "FaultyRelay":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
