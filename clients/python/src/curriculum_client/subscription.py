"""A SUB socket read on a thread of its own: every valid frame of the subscribed topics is
handed to a callback. ``StatusMonitor`` reads the status endpoint with it; tests watch the
broadcast's policies with it."""

from __future__ import annotations

import threading
import time
from typing import Callable, Iterable, Optional

import pynng

from . import wire
from .auth import TLSSettings
from .proto import curriculum_pb2 as pb
from .receive_loop import receive_until_closed

__all__ = ["Subscription"]

#: ``handle(body case name, envelope, monotonic arrival time)``.
Handler = Callable[[str, pb.Envelope, float], None]


class Subscription:
    """Dials ``url`` (non-blocking: the publisher may start later) and calls ``handle`` on its
    thread for every frame of ``topics`` that decodes; others are skipped. Call :meth:`close`."""

    def __init__(self, url: str, topics: Iterable[bytes], handle: Handler, tls: Optional[TLSSettings] = None,
                 name: str = "curriculum-subscription") -> None:
        options = dict(recv_timeout=100, recv_max_size=wire.MAX_FRAME_SIZE, recv_buffer_size=1024,
                       reconnect_time_min=20, reconnect_time_max=500)
        if tls is not None:
            options["tls_config"] = tls.to_pynng()
        self._sock = pynng.Sub0(**options)
        for topic in topics:
            self._sock.subscribe(topic)
        self._handle = handle
        self._closed = False
        self._sock.dial(url, block=False)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        receive_until_closed(self._sock, self._received, lambda: self._closed, name="a subscription")

    def _received(self, data: bytes) -> None:
        arrived = time.monotonic()
        try:
            body, envelope = wire.decode(data)
        except wire.WireError:
            return
        self._handle(body, envelope, arrived)

    def close(self) -> None:
        # The receiver ends first (within one receive timeout), so no timed receive is
        # pending when the socket closes (see RequestSocket.close).
        self._closed = True
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._sock.close()
