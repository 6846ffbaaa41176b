"""Requests and replies on raw sockets, against a scripted raw REP (no Swift needed): each
reply reaches the socket that sent its request, directly and through the FaultyRelay."""

import threading

import pynng
import pytest

from curriculum_client.receive_loop import receive_until_closed
from curriculum_client.request_socket import RequestSocket, request_id_prefix
from curriculum_client.testing import Faults, FaultyRelay, header_of, with_header

from conftest import wait_until


class EchoReplier:
    """A raw REP socket that answers each request with ``b"re:" + body``, routed by its header."""

    def __init__(self, url):
        self.sock = pynng.Rep0(opener=pynng.lib.nng_rep0_open_raw, listen=url, recv_timeout=100)
        self.closed = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        receive_until_closed(self.sock, self._answer, lambda: self.closed, messages=True)

    def _answer(self, request):
        self.sock.send_msg(with_header(b"re:" + request.bytes, header_of(request)))

    def close(self):
        # The receiver first, then the socket: see RequestSocket.close.
        self.closed = True
        self.thread.join(timeout=5)
        self.sock.close()


def test_request_ids_count_with_the_high_bit_set():
    assert request_id_prefix(1) == b"\x80\x00\x00\x01"
    assert request_id_prefix(0x7FFF_FFFF) == b"\xff\xff\xff\xff"
    assert request_id_prefix(0x8000_0000) == b"\x80\x00\x00\x00"  # wraps, the high bit stays


@pytest.mark.parametrize("through_relay", [False, True])
def test_each_reply_reaches_the_socket_that_sent_the_request(ipc_dir, through_relay):
    replier = EchoReplier(f"ipc://{ipc_dir}/coordinator")
    relay = None
    url = f"ipc://{ipc_dir}/coordinator"
    if through_relay:
        broadcast = pynng.Pub0(listen=f"ipc://{ipc_dir}/broadcast")
        relay = FaultyRelay(f"ipc://{ipc_dir}/broadcast", url, f"ipc://{ipc_dir}/relay-b",
                            f"ipc://{ipc_dir}/relay-r", faults=Faults(drop=0, duplicate=0, reorder=0))
        url = relay.requests_url
    replies = {"a": [], "b": []}
    connections = []
    sockets = {name: RequestSocket(url, name, replies[name].append, lambda: connections.append(1), {})
               for name in replies}
    try:
        assert wait_until(lambda: all(s.connected for s in sockets.values()), 10)
        assert len(connections) == 2
        for n in range(20):
            for name, sock in sockets.items():
                assert sock.send([f"{name}{n}".encode()]) == 1
        assert wait_until(lambda: all(len(r) == 20 for r in replies.values()), 10), replies
        for name, got in replies.items():
            assert sorted(got) == sorted(f"re:{name}{n}".encode() for n in range(20))
    finally:
        for sock in sockets.values():
            sock.close()
        if relay is not None:
            relay.close()
            broadcast.close()
        replier.close()


def test_nothing_is_sent_without_a_connection(ipc_dir):
    sock = RequestSocket(f"ipc://{ipc_dir}/nobody", "lonely", lambda _: None, lambda: None, {})
    try:
        assert not sock.connected
        assert sock.send([b"JOIN"]) == 0
    finally:
        sock.close()
