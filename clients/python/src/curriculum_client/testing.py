"""Test helpers: a lossy relay to put between workers and a coordinator.

:class:`FaultyRelay` listens where workers dial, dials the coordinator's endpoints,
and forwards every frame (policies, requests, replies) while dropping, duplicating and
reordering them at set rates, from seeded generators so a failing run can be
repeated (the Python twin of the Swift tests' ``FaultyRelay``).

.. code-block:: python

    with FaultyRelay(coordinator_broadcast, coordinator_requests,
                     "ipc:///tmp/r-broadcast", "ipc:///tmp/r-requests", seed=7) as relay:
        worker = Worker("w", relay.broadcast_url, relay.requests_url)
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import pynng
from pynng import ffi, lib

__all__ = ["Faults", "FaultyRelay", "header_of", "with_header"]


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
    """Forwards coordinator <-> workers traffic through seeded faults, until closed.

    Requests and replies pass raw sockets with their backtrace (the SP header), as
    ``nng_device`` forwards them, so each reply finds the worker that asked.
    """

    def __init__(
        self,
        coordinator_broadcast_url: str,
        coordinator_requests_url: str,
        broadcast_url: str,
        requests_url: str,
        faults: Faults = Faults(),
        seed: int = 0,
    ) -> None:
        #: Workers dial these instead of the coordinator's endpoints.
        self.broadcast_url = broadcast_url
        self.requests_url = requests_url
        self.faults = faults
        #: Per path: ``"broadcast"`` (policies), ``"requests"`` (to the coordinator) and ``"replies"``.
        self.counters: Dict[str, RelayCounters] = {
            "broadcast": RelayCounters(),
            "requests": RelayCounters(),
            "replies": RelayCounters(),
        }
        self._closed = False
        fast = dict(reconnect_time_min=20, reconnect_time_max=200)
        self._from_coordinator = pynng.Sub0(recv_timeout=100, recv_buffer_size=8192, **fast)
        self._from_coordinator.subscribe(b"")
        self._to_workers = pynng.Pub0(send_buffer_size=8192)
        self._workers_side = pynng.Rep0(opener=lib.nng_rep0_open_raw, recv_timeout=100, recv_buffer_size=8192,
                                        send_buffer_size=8192)
        self._coordinator_side = pynng.Req0(opener=lib.nng_req0_open_raw, recv_timeout=100,
                                            recv_buffer_size=8192, send_buffer_size=8192, **fast)
        self._to_workers.listen(broadcast_url)
        self._workers_side.listen(requests_url)
        self._from_coordinator.dial(coordinator_broadcast_url, block=False)
        self._coordinator_side.dial(coordinator_requests_url, block=False)
        paths = [
            (self._from_coordinator, self._to_workers, "broadcast"),
            (self._workers_side, self._coordinator_side, "requests"),
            (self._coordinator_side, self._workers_side, "replies"),
        ]
        self._threads: List[threading.Thread] = [
            threading.Thread(target=self._forward, args=(source, destination, random.Random(seed + n),
                                                         self.counters[path]), daemon=True)
            for n, (source, destination, path) in enumerate(paths)
        ]
        for thread in self._threads:
            thread.start()

    def _forward(self, source: pynng.Socket, destination: pynng.Socket, rng: random.Random,
                 counters: RelayCounters) -> None:
        held: Optional[pynng.Message] = None
        faults = self.faults
        while not self._closed:
            try:
                message = source.recv_msg()
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
                    held = message
                    counters.reordered += 1
                    continue
                copy = _copy(message) if roll > 1 - faults.duplicate else None
                destination.send_msg(message)
                counters.forwarded += 1
                if copy is not None:
                    destination.send_msg(copy)
                    counters.duplicated += 1
                if held is not None:
                    destination.send_msg(held)
                    held = None
            except pynng.NNGException:
                return

    def close(self) -> None:
        # The forwarders first (each within a receive timeout), then the sockets: closing a
        # raw socket under a pending timed receive can crash nng 1.11 (RequestSocket.close).
        self._closed = True
        for thread in self._threads:
            thread.join(timeout=5)
        for sock in (self._from_coordinator, self._workers_side, self._to_workers, self._coordinator_side):
            sock.close()

    def __enter__(self) -> "FaultyRelay":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def header_of(message: pynng.Message) -> bytes:
    """A received message's SP header: at a raw REP socket, the request's backtrace (the pipe
    it came on, then the words it carried up to the request ID)."""
    length = lib.nng_msg_header_len(message._nng_msg)
    return ffi.buffer(ffi.cast("char *", lib.nng_msg_header(message._nng_msg)), length)[:] if length else b""


def with_header(body: bytes, header: bytes) -> pynng.Message:
    """A message to send on a raw socket: at a raw REP socket, ``header`` routes the reply."""
    message = pynng.Message(body)
    if header:
        lib.nng_msg_header_append(message._nng_msg, header, len(header))
    return message


def _copy(message: pynng.Message) -> pynng.Message:
    """A second message with the same header (a request's backtrace) and body."""
    return with_header(message.bytes, header_of(message))
