"""A worker's requests endpoint: a raw REQ socket that carries every frame the worker sends
and receives the coordinator's one reply to each (``Protocols/README.md`` section 1).

Raw mode, because the worker resends by its own rules (the outbox's backoff, joins until
answered) and answers are matched by what they say, not by request: a cooked REQ socket would
allow one request in flight and resend on its own timer. A raw REQ socket sends a message's
header, then its body, and inspects neither; pynng cannot set a header, so the 4-byte
big-endian request ID (high bit set: nng's REP reads backtrace words up to the first with that
bit) goes in front of the frame, which is the same bytes on the wire. nng moves the ID of a
received reply into the header, so :meth:`RequestSocket.recv` returns the bare frame.
"""

from __future__ import annotations

import itertools
import logging
import struct
import threading
from typing import Any, Callable, Dict, Iterable

import pynng

from . import wire
from .receive_loop import receive_until_closed

__all__ = ["RequestSocket", "request_id_prefix"]

_log = logging.getLogger("curriculum_client")
_REQUEST_ID = struct.Struct(">I").pack
#: Frames queued while connected, for a burst (everything pending after a reconnection: a full
#: outbox of 65,536 reports is 1,024 frames of 64).
_SEND_BUFFER = 1024


def request_id_prefix(counter: int) -> bytes:
    """The 4 bytes that go in front of a frame: ``counter`` (mod 2^31) with the high bit set."""
    return _REQUEST_ID(0x8000_0000 | (counter & 0x7FFF_FFFF))


class RequestSocket:
    """Sends frames as requests and hands every reply to ``on_reply`` on a receiver thread.

    ``on_connect`` runs on nng's thread whenever a connection comes up (the coordinator may
    have restarted); it must only record the event.
    """

    def __init__(self, url: str, name: str, on_reply: Callable[[bytes], None], on_connect: Callable[[], None],
                 options: Dict[str, Any]) -> None:
        self.url = url
        self._on_reply = on_reply
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()
        self._pipes = 0
        self._pipes_lock = threading.Lock()
        self._closing = False
        self._socket = pynng.Req0(
            opener=pynng.lib.nng_req0_open_raw, recv_timeout=100, recv_max_size=wire.MAX_FRAME_SIZE,
            recv_buffer_size=1024, send_buffer_size=_SEND_BUFFER, **options,
        )
        self._socket.add_post_pipe_connect_cb(lambda _pipe: self._pipe_changed(1, on_connect))
        self._socket.add_post_pipe_remove_cb(lambda _pipe: self._pipe_changed(-1, None))
        self._socket.dial(url, block=False)
        self._thread = threading.Thread(target=self._receive_loop, name=f"curriculum-replies-{name}", daemon=True)
        self._thread.start()

    @property
    def connected(self) -> bool:
        with self._pipes_lock:
            return self._pipes > 0

    def send(self, frames: Iterable[bytes]) -> int:
        """Sends ``frames`` in order, each as one request, without blocking; returns how many
        went out. Stops at the first that cannot: the caller's resend logic covers the rest.

        Nothing is sent while no connection is up, since a raw REQ socket would queue the
        frames and a coordinator that comes back would get every join repeated while it was
        away; a new connection makes the worker join and resend what is pending anyway."""
        if not self.connected:
            return 0
        sent = 0
        for data in frames:
            with self._ids_lock:
                prefix = request_id_prefix(next(self._ids))
            try:
                self._socket.send(prefix + data, block=False)
            except pynng.NNGException as error:  # TryAgain (queue full) or Closed
                _log.debug("request to %s not sent: %s", self.url, error)
                break
            sent += 1
        return sent

    def close(self) -> None:
        """Ends the receiver thread, then closes the socket. In that order: nng 1.11 (pynng
        0.9) can free a raw socket's receive queue while its timer thread still expires a
        pending timed receive (``nni_msgq_cancel`` on freed memory: "panic:
        pthread_mutex_lock: Invalid argument", about once in 30 closes here); with the
        receiver gone, no receive is pending. The receiver sees the flag within one receive
        timeout (100 ms)."""
        self._closing = True
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._socket.close()

    def _pipe_changed(self, change: int, on_connect: Callable[[], None] | None) -> None:
        with self._pipes_lock:
            self._pipes += change
        if on_connect is not None:
            on_connect()

    def _receive_loop(self) -> None:
        receive_until_closed(self._socket, self._on_reply, lambda: self._closing, name=self.url)
