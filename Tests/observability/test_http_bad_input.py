"""Bad input to the monitoring port gets a clear 4xx, never a hang, and never stops the coordinator."""

from __future__ import annotations

import socket
import time
import urllib.parse
from typing import List, Optional, Tuple

import pytest

from .conftest import LoadedCoordinator, http_get, wait_until

#: How long a bad request may take to be answered or closed.
ANSWER_DEADLINE = 5.0


def address(coordinator: LoadedCoordinator) -> Tuple[str, int]:
    parsed = urllib.parse.urlparse(coordinator.http_url)
    assert parsed.hostname and parsed.port
    return parsed.hostname, parsed.port


def exchange(target: Tuple[str, int], request: bytes) -> Optional[int]:
    """Sends raw bytes; the status code of the answer, or None if the server closed (or
    reset) the connection without one. Fails if it does neither within the deadline."""
    deadline = time.monotonic() + ANSWER_DEADLINE
    answer = b""
    with socket.create_connection(target, timeout=ANSWER_DEADLINE) as connection:
        try:
            connection.sendall(request)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server answered and closed before taking it all: read what it said
        try:
            while b"\r\n" not in answer:
                connection.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = connection.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except ConnectionResetError:
            pass
        except socket.timeout:
            pytest.fail(f"no answer and no close within {ANSWER_DEADLINE} s to {request[:60]!r}")
    if not answer:
        return None
    status_line = answer.split(b"\r\n", 1)[0].split()
    assert status_line[0].startswith(b"HTTP/1."), f"not an HTTP answer: {answer[:100]!r}"
    return int(status_line[1])


def request(line: bytes, *headers: bytes) -> bytes:
    return line + b"\r\n" + b"".join(h + b"\r\n" for h in (b"Host: test", b"Connection: close", *headers)) + b"\r\n"


@pytest.mark.parametrize("path", ["/nope", "/metrics/extra", "/api", "/api/status/1", "/../../etc/passwd"])
def test_unknown_path_is_404(loaded_coordinator: LoadedCoordinator, path: str):
    assert exchange(address(loaded_coordinator), request(b"GET %s HTTP/1.1" % path.encode())) == 404


@pytest.mark.parametrize("method,path", [("POST", "/metrics"), ("DELETE", "/healthz"), ("PUT", "/api/status"),
                                         ("POST", "/"), ("HEAD", "/healthz")])
def test_wrong_method_is_refused(loaded_coordinator: LoadedCoordinator, method: str, path: str):
    # Hummingbird's router answers a method it has no route for like a path it has none
    # for, 404; 405 would be as clear.
    assert loaded_coordinator.get(path, method)[0] in (404, 405)


@pytest.mark.parametrize("since", ["abc", "", "-5", "1.5", "99999999999999999999999"])
def test_history_with_a_bad_since_is_400_and_says_why(loaded_coordinator: LoadedCoordinator, since: str):
    code, body = loaded_coordinator.get("/api/history?" + urllib.parse.urlencode({"since": since}))
    assert code == 400 and b"since must be a whole number of milliseconds" in body, (code, body)


@pytest.mark.parametrize("name,data,allowed", [
    ("no HTTP version", b"GET /healthz\r\n\r\n", {400}),
    ("not a request line", b"HELLO\r\n\r\n", {400}),
    ("binary bytes", bytes(range(256)) + b"\r\n\r\n", {400}),
    ("header without a colon", request(b"GET /healthz HTTP/1.1", b"Broken header"), {400}),
    ("unsupported HTTP version", request(b"GET /healthz HTTP/9.9"), {400, 505}),
    ("a 100 KB URI", request(b"GET /" + b"a" * 100_000 + b" HTTP/1.1"), {400, 414}),
    ("1 MB of headers", request(b"GET /healthz HTTP/1.1",
                                *(b"X-Padding-%d: %s" % (i, b"y" * 1000) for i in range(1000))), {400, 431}),
    ("one 1 MB header", request(b"GET /healthz HTTP/1.1", b"X-Big: " + b"y" * (1 << 20)), {400, 431}),
])
def test_malformed_or_oversized_request_is_refused(loaded_coordinator: LoadedCoordinator, name: str, data: bytes,
                                                   allowed: set):
    assert exchange(address(loaded_coordinator), data) in allowed, name


def test_many_slow_clients_do_not_block_health_checks(loaded_coordinator: LoadedCoordinator):
    target = address(loaded_coordinator)
    slow: List[socket.socket] = []
    try:
        for _ in range(200):
            connection = socket.create_connection(target, timeout=5)
            connection.sendall(b"GET /metrics HTTP/1.1\r\nHost: test\r\nX-Slow: ")  # and never the rest
            slow.append(connection)
        for _ in range(5):
            started = time.monotonic()
            code, body = http_get(loaded_coordinator.http_url + "/healthz", timeout=2)
            assert (code, body) == (200, b"ok\n")
            assert time.monotonic() - started < 1.0, "a health check waited behind the slow clients"
        assert loaded_coordinator.get("/api/status")[0] == 200
    finally:
        for connection in slow:
            connection.close()


def test_the_coordinator_still_serves_after_the_bad_input(loaded_coordinator: LoadedCoordinator):
    # Runs last in this module, after every request above.
    assert loaded_coordinator.coordinator.popen.poll() is None, loaded_coordinator.log_tails()
    assert loaded_coordinator.get("/readyz")[0] == 200
    accepted = loaded_coordinator.reports_accepted()
    assert wait_until(lambda: loaded_coordinator.reports_accepted() > accepted, timeout=10, interval=0.1), \
        f"no report merged after the bad input\n{loaded_coordinator.log_tails()}"
    assert "curriculum_reports_accepted_total" in loaded_coordinator.metrics()
