"""Frames: a 4-byte ASCII topic followed by one serialized ``Envelope``.

This module is the Python twin of the Swift ``WireCodec``: :func:`encode` builds
frames, :func:`decode` checks them in the same order and raises :class:`WireError`
with the same labels (``Protocols/README.md`` section 2).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Tuple

from google.protobuf.message import DecodeError, Message

from .proto import curriculum_pb2 as pb

__all__ = [
    "PROTOCOL_VERSION",
    "SUPPORTED_VERSIONS",
    "MAX_FRAME_SIZE",
    "TOPICS",
    "WORKER_SUBSCRIPTIONS",
    "WireError",
    "encode",
    "frame",
    "decode",
    "sender",
    "topic_for",
]

#: The protocol version this client speaks (2: requests and replies, Protocols/README.md section 1).
PROTOCOL_VERSION = 2
#: Every protocol version this client speaks, announced in ``Join.supported_versions``.
SUPPORTED_VERSIONS: Tuple[int, ...] = (PROTOCOL_VERSION,)
#: Frames larger than this are refused (also set as the SUB socket's receive limit).
MAX_FRAME_SIZE = 1 << 20

#: ``Envelope.body`` case -> topic. ``REPT`` carries a report alone or a batch of them.
TOPICS: Dict[str, bytes] = {
    "join": b"JOIN",
    "report": b"REPT",
    "report_batch": b"REPT",
    "heartbeat": b"BEAT",
    "leave": b"LEAV",
    "policy": b"POLI",
    "acks": b"ACKS",
    "control": b"CTRL",
    "status": b"STAT",
}
_BODIES: Dict[bytes, FrozenSet[str]] = {
    topic: frozenset(body for body, its_topic in TOPICS.items() if its_topic == topic) for topic in TOPICS.values()
}
#: The body cases that name their sender in a ``worker`` field.
_NAMED_BODIES = ("join", "report", "heartbeat", "leave")

#: The topics a worker's SUB socket subscribes to: policies. Every answer for a worker comes as a
#: reply to its own request; the broadcast's other frames (``CTRL`` answers written in version 1
#: for version-1 workers) are not for it, and a version-2 worker would only refuse them.
WORKER_SUBSCRIPTIONS: Tuple[bytes, ...] = (b"POLI",)


class WireError(ValueError):
    """A frame a receiver must reject. ``label`` is the protocol's name for the fault:

    ``truncated``, ``oversized``, ``unknown_topic``, ``malformed``,
    ``unknown_message_type``, ``topic_mismatch``, ``invalid_report_batch`` or
    ``unsupported_protocol_version``.
    """

    def __init__(self, label: str, detail: str = "", envelope: Optional[pb.Envelope] = None) -> None:
        super().__init__(f"{label}: {detail}" if detail else label)
        self.label = label
        self.detail = detail
        #: The decoded envelope, for ``unsupported_protocol_version`` (to name the sender).
        self.envelope = envelope


def topic_for(body: str) -> bytes:
    """The topic of an ``Envelope.body`` case name (``"report"`` -> ``b"REPT"``)."""
    try:
        return TOPICS[body]
    except KeyError:
        raise ValueError(f"unknown envelope body {body!r}") from None


def frame(envelope: pb.Envelope, topic: Optional[bytes] = None) -> bytes:
    """Frames an envelope as it is (deterministic serialization). ``topic`` defaults to its body's."""
    if topic is None:
        body = envelope.WhichOneof("body")
        if body is None:
            raise ValueError("an envelope without a body has no topic")
        topic = TOPICS[body]
    if len(topic) != 4:
        raise ValueError(f"a topic is 4 bytes, got {topic!r}")
    return topic + envelope.SerializeToString(deterministic=True)


def encode(body: str, message: Message) -> bytes:
    """Wraps ``message`` as ``Envelope.<body>`` at :data:`PROTOCOL_VERSION` and frames it."""
    envelope = pb.Envelope(protocol_version=PROTOCOL_VERSION)
    getattr(envelope, body).CopyFrom(message)
    return frame(envelope, topic_for(body))


def decode(data: bytes, max_frame_size: int = MAX_FRAME_SIZE) -> Tuple[str, pb.Envelope]:
    """Checks and decodes a frame; returns ``(body case name, envelope)``.

    Raises :class:`WireError` for every fault of ``Protocols/README.md`` section 2,
    checked in the Swift codec's order.
    """
    data = bytes(data)
    if len(data) > max_frame_size:
        raise WireError("oversized", f"{len(data)} bytes, limit {max_frame_size}")
    if len(data) < 4:
        raise WireError("truncated", f"{len(data)} bytes")
    topic = data[:4]
    expected_bodies = _BODIES.get(topic)
    if expected_bodies is None:
        raise WireError("unknown_topic", repr(topic))
    envelope = pb.Envelope()
    try:
        envelope.ParseFromString(data[4:])
    except DecodeError as error:
        raise WireError("malformed", str(error)) from None
    if envelope.protocol_version not in SUPPORTED_VERSIONS:
        raise WireError(
            "unsupported_protocol_version", f"received {envelope.protocol_version}", envelope=envelope
        )
    body = envelope.WhichOneof("body")
    if body is None:
        raise WireError("unknown_message_type", f"topic {topic.decode('ascii')}")
    if body not in expected_bodies:
        raise WireError("topic_mismatch", f"topic {topic.decode('ascii')} carries {body}")
    if body == "report_batch":
        _check_batch(envelope.report_batch)
    return body, envelope


def sender(envelope: pb.Envelope) -> Optional[pb.WorkerIdentity]:
    """The worker an envelope's body names, or None: a batch names the one all its
    reports name (:func:`decode` checks that they agree)."""
    body = envelope.WhichOneof("body")
    if body == "report_batch":
        reports = envelope.report_batch.reports
        return _named_worker(reports[0]) if reports else None
    return _named_worker(getattr(envelope, body)) if body in _NAMED_BODIES else None


def _named_worker(message: Message) -> Optional[pb.WorkerIdentity]:
    # Reading an absent field gives an empty identity, which is not the same as none.
    return message.worker if message.HasField("worker") else None


def _check_batch(batch: pb.ReportBatch) -> None:
    """A batch must hold reports, all of one worker: the identity a signature is checked
    against and a replay window is kept for is the batch's, so no report may name another."""
    if not batch.reports:
        raise WireError("invalid_report_batch", "it holds no report")
    # Compared by value, as the Swift codec does (so unknown fields do not count).
    first = _identity_key(batch.reports[0])
    for report in batch.reports[1:]:
        other = _identity_key(report)
        if other != first:
            raise WireError(
                "invalid_report_batch",
                f"its reports name more than one worker ({_describe(first)} and {_describe(other)})",
            )


def _identity_key(report: pb.Report) -> Optional[Tuple[str, int]]:
    worker = _named_worker(report)
    return None if worker is None else (worker.worker_id, worker.incarnation)


def _describe(identity: Optional[Tuple[str, int]]) -> str:
    return "none" if identity is None else f"{identity[0]}#{identity[1]}"
