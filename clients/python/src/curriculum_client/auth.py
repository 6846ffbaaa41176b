"""Worker authentication: HMAC-SHA256 signed frames, and TLS to the coordinator.

A coordinator started with ``--auth-keys FILE`` takes in only frames signed with a key
of that file (``Protocols/README.md`` section 8). Give the worker the same file:

.. code-block:: python

    from curriculum_client import HMACAuthenticator, Worker

    signer = HMACAuthenticator.from_file("/etc/curriculum/keys")      # the file's first key
    with Worker("rollout-7", broadcast, requests, authenticator=signer) as worker:
        ...

Every frame the worker sends (joins, reports, heartbeats, leaves) passes through
:meth:`Authenticator.sign` right before it is sent, retransmissions included: each
gets the next counter and the current time, so the coordinator's replay window and
clock-skew bound accept it once.

The key file has one key per line, ``KEY_ID:HEX_SECRET``, optionally followed by
``:WORKERS`` (comma-separated worker ids, or prefixes ending in ``*``, the key may sign
for); blank lines and ``#`` comments are ignored; secrets are at least 16 bytes. Make
one with ``echo "$(date +%Y-%m):$(openssl rand -hex 32)" > keys && chmod 600 keys``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
import threading
import time
from typing import Dict, Optional, Sequence

from . import wire
from .proto import curriculum_pb2 as pb
from .report_encoding import varint

try:  # Python 3.8+
    from typing import Protocol, runtime_checkable
except ImportError:  # pragma: no cover
    from typing_extensions import Protocol, runtime_checkable  # type: ignore

__all__ = [
    "Authenticator",
    "NoAuthentication",
    "HMACAuthenticator",
    "AuthenticationKey",
    "AuthenticationError",
    "KeyFileError",
    "load_keyring",
    "sign_frame",
    "verify_frame",
    "TLSSettings",
]

#: The MAC is the last field of a signed frame: HMAC-SHA256, 32 bytes.
MAC_SIZE = 32
#: Secrets shorter than this are refused (128 bits).
MIN_SECRET_SIZE = 16
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@runtime_checkable
class Authenticator(Protocol):
    """Turns an outgoing frame (topic + serialized ``Envelope``) into the frame to send.

    Called once per frame sent, from the worker's threads, possibly concurrently: an
    implementation keeps its own state thread-safe.
    """

    def sign(self, frame: bytes) -> bytes: ...


class NoAuthentication:
    """For a coordinator without a key file: frames go out as they are."""

    def sign(self, frame: bytes) -> bytes:
        return frame


class KeyFileError(ValueError):
    """A key file or key that cannot be used; the message names the file and line."""


class AuthenticationError(ValueError):
    """A frame that fails :func:`verify_frame`. ``label`` is the coordinator's counter
    label: ``unsigned``, ``unknown_key``, ``bad_mac`` or ``forged_identity``."""

    def __init__(self, label: str, detail: str = "") -> None:
        super().__init__(f"{label}: {detail}" if detail else label)
        self.label = label


class AuthenticationKey:
    """One shared secret, named by ``key_id``; ``workers`` restricts which worker ids it
    may sign for (exact ids, or prefixes ending in ``*``; None: any)."""

    def __init__(self, key_id: str, secret: bytes, workers: Optional[Sequence[str]] = None) -> None:
        if not _KEY_ID.match(key_id):
            raise KeyFileError(f'key id "{key_id[:80]}" is not 1 to 64 characters of A-Z a-z 0-9 . _ -')
        if len(secret) < MIN_SECRET_SIZE:
            raise KeyFileError(
                f"the secret of key {key_id} is {len(secret)} bytes; at least {MIN_SECRET_SIZE} are required "
                "(openssl rand -hex 32 makes 32)"
            )
        if workers is not None and (not workers or any(not w for w in workers)):
            raise KeyFileError(f"key {key_id}: the worker list has an empty entry")
        self.key_id = key_id
        self.secret = bytes(secret)
        self.workers = tuple(workers) if workers is not None else None

    def allows(self, worker_id: str) -> bool:
        if self.workers is None:
            return True
        return any(worker_id.startswith(w[:-1]) if w.endswith("*") else worker_id == w for w in self.workers)

    def __repr__(self) -> str:  # never the secret
        return f"AuthenticationKey({self.key_id!r})"


def load_keyring(path: str, check_permissions: bool = True) -> Dict[str, AuthenticationKey]:
    """Reads a key file into ``{key_id: key}``, in file order (the first is the default
    signing key). Refuses a file that users other than its owner and group may read or
    write, like the coordinator."""
    try:
        mode = os.stat(path).st_mode
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise KeyFileError(f"key file {path} cannot be read: {error}") from None
    if check_permissions and mode & (stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path} is accessible to other users (mode {stat.S_IMODE(mode):o}): run chmod 600 {path}"
        )
    keys: Dict[str, AuthenticationKey] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split(":")]
        where = f"key file {path}, line {number}"
        expected = "expected KEY_ID:HEX_SECRET or KEY_ID:HEX_SECRET:WORKERS"
        if len(fields) not in (2, 3):
            raise KeyFileError(f"{where}: {len(fields)} colon-separated fields; {expected}")
        try:
            secret = bytes.fromhex(fields[1])
        except ValueError:
            raise KeyFileError(f"{where}: the secret is not an even number of hex digits; {expected}") from None
        workers = [w.strip() for w in fields[2].split(",")] if len(fields) == 3 else None
        try:
            key = AuthenticationKey(fields[0], secret, workers)
        except KeyFileError as error:
            raise KeyFileError(f"{where}: {error}") from None
        if key.key_id in keys:
            raise KeyFileError(f"{where}: key id {key.key_id} appears twice")
        keys[key.key_id] = key
    if not keys:
        raise KeyFileError(f"key file {path} holds no key")
    return keys


def sign_frame(frame: bytes, key: AuthenticationKey, counter: int, sent_at_ms: int) -> bytes:
    """Appends the ``authentication`` field to an unsigned frame and signs it:

    ``frame || 0x12 len || 0x0A len key_id || 0x10 counter || 0x18 sent_at_ms || 0x7A 0x20 mac``

    where ``mac = HMAC-SHA256(secret, every byte before it)``.
    """
    key_id = key.key_id.encode("ascii")
    field = (
        b"\x0a" + varint(len(key_id)) + key_id
        + b"\x10" + varint(counter)
        + b"\x18" + varint(sent_at_ms)
        + b"\x7a" + bytes([MAC_SIZE])
    )
    signed = bytes(frame) + b"\x12" + varint(len(field) + MAC_SIZE) + field
    return signed + hmac.new(key.secret, signed, hashlib.sha256).digest()


def verify_frame(frame: bytes, keyring: Dict[str, AuthenticationKey]) -> pb.Envelope:
    """Checks a signed frame's MAC (and worker binding) against a keyring and returns its
    envelope; raises :class:`AuthenticationError`. Replay and clock checks are the
    receiver's, with its own state and clock."""
    frame = bytes(frame)
    envelope = pb.Envelope.FromString(frame[4:])
    if not envelope.HasField("authentication"):
        raise AuthenticationError("unsigned")
    authentication = envelope.authentication
    key = keyring.get(authentication.key_id)
    if key is None:
        raise AuthenticationError("unknown_key", authentication.key_id[:64])
    mac = authentication.mac
    expected = hmac.new(key.secret, frame[:-MAC_SIZE], hashlib.sha256).digest()
    if len(mac) != MAC_SIZE or frame[-MAC_SIZE:] != mac or not hmac.compare_digest(mac, expected):
        raise AuthenticationError("bad_mac", key.key_id)
    sender = wire.sender(envelope)
    if sender is not None and not key.allows(sender.worker_id):
        raise AuthenticationError("forged_identity", f"{key.key_id} may not sign for {sender.worker_id}")
    return envelope


class HMACAuthenticator:
    """Signs every frame with one key: counter 1, 2, 3, ... for this process, and the
    current time in milliseconds since the Unix epoch. Thread-safe.

    The counter starts again at 1 in every process; that is safe because every
    :class:`~curriculum_client.Worker` draws a new incarnation when it starts. Do not
    share one authenticator between workers of different identities that outlive it.
    """

    def __init__(self, key_id: str, secret: bytes, clock=time.time) -> None:
        self.key = AuthenticationKey(key_id, secret)
        self._clock = clock
        self._counter = 0
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str, key_id: Optional[str] = None) -> "HMACAuthenticator":
        """Signs with key ``key_id`` of a key file, or with its first key."""
        keys = load_keyring(path)
        if key_id is None:
            key = next(iter(keys.values()))
        elif key_id in keys:
            key = keys[key_id]
        else:
            raise KeyFileError(f"no key {key_id} in {path}; it holds {', '.join(keys)}")
        return cls(key.key_id, key.secret)

    @property
    def counter(self) -> int:
        """The counter of the last frame signed."""
        with self._lock:
            return self._counter

    def sign(self, frame: bytes) -> bytes:
        with self._lock:
            self._counter += 1
            counter = self._counter
        return sign_frame(frame, self.key, counter, int(self._clock() * 1000))


class TLSSettings:
    """Client-side TLS for ``tls+tcp://`` endpoints: verify the coordinator's certificate.

    ``ca_file`` is a PEM file of the certificate authority (or the coordinator's
    self-signed certificate); ``server_name`` the name to check the certificate against
    when it differs from the host in the URL.
    """

    def __init__(self, ca_file: str, server_name: Optional[str] = None) -> None:
        self.ca_file = ca_file
        self.server_name = server_name

    def to_pynng(self):  # pragma: no cover - needs a TLS endpoint
        import pynng

        return pynng.TLSConfig(
            pynng.TLSConfig.MODE_CLIENT, ca_files=[self.ca_file], server_name=self.server_name
        )
