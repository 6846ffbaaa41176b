"""The loop every receiving thread of this package runs (and the tests' stand-ins)."""

from __future__ import annotations

import logging
from typing import Any, Callable

import pynng

__all__ = ["receive_until_closed"]

_log = logging.getLogger("curriculum_client")


def receive_until_closed(sock: pynng.Socket, handle: Callable[[Any], None], closed: Callable[[], bool],
                         messages: bool = False, name: str = "a socket") -> None:
    """Hands everything ``sock`` receives to ``handle`` (bytes, or :class:`pynng.Message` with
    their headers when ``messages``) until ``closed()`` holds or the socket is closed.

    ``sock`` needs a receive timeout: ``closed()`` is checked between receives, so the thread
    ends within one timeout, before its socket is closed (``RequestSocket.close`` says why).
    A failing ``handle`` is logged, and the loop goes on."""
    receive = sock.recv_msg if messages else sock.recv
    while not closed():
        try:
            received = receive()
        except pynng.Timeout:
            continue
        except pynng.NNGException:  # closed
            return
        try:
            handle(received)
        except Exception:  # pragma: no cover - keep the protocol alive
            _log.exception("handling what %s received failed", name)
