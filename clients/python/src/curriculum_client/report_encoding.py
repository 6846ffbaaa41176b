"""REPT frames written by hand: byte for byte what :func:`wire.encode` makes of the same
``Report`` or ``ReportBatch``, without building protobuf messages.

Reports are most of what a worker sends. Building a ``pb.Report`` with a validated
``pb.CategoryStats`` per category, copying it into an ``Envelope`` and serializing it took
41 us of CPU per ``Worker.report`` of 16 categories (cProfile: validating and converting the
15 empty entries was over half of it); with this module, which keeps each report as bytes
from the start (a :class:`ReportRecord`) and only joins them into a frame, 4.9 us. It is the
Python twin of the Swift ``ReportFrameEncoder``.

Fields go out in field-number order and proto3 defaults (0, empty, a double whose bits
are all zero) are left out, as the generated encoder does; a present ``worker`` is written
even when empty, optional fields whenever set. Every field number here is below 16, so
every tag is one byte. ``tests/test_report_encoding.py`` checks the bytes against the
generated encoder for random reports and against ``Protocols/vectors``.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Tuple

from .errors import InvalidReport
from .proto import curriculum_pb2 as pb
from .wire import PROTOCOL_VERSION

if TYPE_CHECKING:  # pragma: no cover
    from .model import CategoryStats

__all__ = [
    "ReportRecord", "identity_field", "category_entry", "entry_of", "empty_entry", "empty_entries", "report_frame",
    "batched_size", "records_of", "varint",
]

_DOUBLE = struct.Struct("<d").pack
_UINT64_LIMIT = 1 << 64
# Varints of small numbers, the common case (sequence numbers, counts, lengths).
_SMALL = [bytes([n]) if n < 0x80 else bytes([n & 0x7F | 0x80, n >> 7]) for n in range(1 << 14)]
# Topic and Envelope.protocol_version (field 1, varint), then the body's tag: report is
# field 11, report_batch field 14, both length-delimited.
_ENVELOPE = b"REPT" + b"\x08" + bytes([PROTOCOL_VERSION])
_REPORT_FRAME = _ENVELOPE + b"\x5a"
_BATCH_FRAME = _ENVELOPE + b"\x72"
assert PROTOCOL_VERSION < 0x80


def varint(value: int) -> bytes:
    """A uint64 as a protobuf varint; ValueError outside [0, 2^64), as the generated code raises."""
    if 0 <= value < 16384:
        return _SMALL[value]
    if not 0 <= value < _UINT64_LIMIT:
        raise ValueError(f"value {value} is out of range for uint64")
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _length_delimited(tag: bytes, payload: bytes) -> bytes:
    return tag + varint(len(payload)) + payload


def identity_field(worker_id: str, incarnation: int) -> bytes:
    """``Report.worker`` (field 1) naming ``(worker_id, incarnation)``."""
    identity = b""
    if worker_id:
        identity += _length_delimited(b"\x0a", worker_id.encode("utf-8"))
    if incarnation:
        identity += b"\x10" + varint(incarnation)
    return _length_delimited(b"\x0a", identity)


_THREE_DOUBLES = struct.Struct("<BdBdBd").pack
_ZERO_DOUBLE = b"\x00" * 8
_NAME_FIELDS: Dict[str, bytes] = {}
_CACHE_LIMIT = 65_536


def _name_field(category: str) -> bytes:
    field = _NAME_FIELDS.get(category)
    if field is None:
        field = _length_delimited(b"\x0a", category.encode("utf-8")) if category else b""
        if len(_NAME_FIELDS) < _CACHE_LIMIT:
            _NAME_FIELDS[category] = field
    return field


def category_entry(
    category: str,
    count: int,
    sum_abs_advantage: float,
    sum_squared_advantage: float,
    sum_reward: float,
    groups: Optional[int] = None,
    zero_variance_groups: Optional[int] = None,
) -> bytes:
    """One ``Report.categories`` element (field 5) with its tag and length."""
    entry = _name_field(category)
    if count:
        entry += b"\x10" + varint(count)
    if sum_abs_advantage and sum_squared_advantage and sum_reward:
        entry += _THREE_DOUBLES(0x19, sum_abs_advantage, 0x21, sum_squared_advantage, 0x29, sum_reward)
    else:
        for tag, value in ((b"\x19", sum_abs_advantage), (b"\x21", sum_squared_advantage), (b"\x29", sum_reward)):
            packed = _DOUBLE(value)
            if packed != _ZERO_DOUBLE:  # -0.0 is not a default: its sign bit is set
                entry += tag + packed
    if groups is not None:
        entry += b"\x30" + varint(groups)
    if zero_variance_groups is not None:
        entry += b"\x38" + varint(zero_variance_groups)
    return b"\x2a" + varint(len(entry)) + entry


def entry_of(stats: "CategoryStats") -> bytes:
    """:func:`category_entry` of a :class:`~curriculum_client.CategoryStats`."""
    return category_entry(
        stats.category, stats.count, stats.sum_abs_advantage, stats.sum_squared_advantage, stats.sum_reward,
        stats.groups, stats.zero_variance_groups,
    )


def empty_entry(category: str) -> bytes:
    """The entry of a category the batch had no sample of (count 0, zero sums)."""
    return category_entry(category, 0, 0.0, 0.0, 0.0)


_FILLS: Dict[Tuple[Tuple[str, ...], Tuple[str, ...]], bytes] = {}


def empty_entries(categories: Sequence[str], given: Tuple[str, ...]) -> bytes:
    """The empty entries of every one of ``categories`` not in ``given``, in order, joined:
    a report lists every category of its policy (Protocols/README.md section 5), so with 16
    categories and one measured, 15 of 16 entries are these. Cached per (policy, given),
    which a worker reporting the same few categories hits every time. Raises
    :class:`InvalidReport` for an empty name among them."""
    key = (categories, given) if type(categories) is tuple else None
    fill = _FILLS.get(key) if key is not None else None
    if fill is None:
        missing = [c for c in categories if c not in given]
        if "" in missing:
            raise InvalidReport("a category name is empty")
        fill = b"".join(empty_entry(c) for c in missing)
        if key is not None and len(_FILLS) < _CACHE_LIMIT:
            _FILLS[key] = fill
    return fill


class ReportRecord:
    """One report as the outbox keeps it: its fixed fields already encoded, ``sequence`` and
    ``resend_floor`` (which the :class:`~curriculum_client.Outbox` sets) written at send time.

    ``worker`` is :func:`identity_field`'s bytes (``b""`` for a report naming no one);
    ``fields`` holds ``policy_version``, ``step_share`` and the category entries, encoded.
    """

    __slots__ = ("worker", "fields", "sequence", "resend_floor")

    def __init__(self, worker: bytes, policy_version: int, step_share: float, entries: Iterable[bytes]) -> None:
        self.worker = worker
        head = b"\x18" + varint(policy_version) if policy_version else b""
        share = _DOUBLE(step_share)
        if share != b"\x00\x00\x00\x00\x00\x00\x00\x00":
            head += b"\x21" + share
        self.fields = head + b"".join(entries)
        self.sequence = 0
        self.resend_floor = 0

    def encode(self) -> bytes:
        """The serialized ``Report`` (no tag, no length)."""
        sequence = self.sequence
        floor = self.resend_floor
        return b"".join((
            self.worker,
            b"\x10" + varint(sequence) if sequence else b"",
            self.fields,
            b"\x30" + varint(floor) if floor else b"",
        ))

    def to_proto(self) -> pb.Report:
        return pb.Report.FromString(self.encode())


def batched_size(record: ReportRecord) -> int:
    """About what ``record`` adds to a batch frame: its bytes and a few of tag and length."""
    return len(record.worker) + len(record.fields) + 16


def report_frame(records: Sequence[ReportRecord]) -> bytes:
    """The unsigned REPT frame of ``records``: a lone ``report``, or a ``report_batch``."""
    if len(records) == 1:
        body = records[0].encode()
        return _REPORT_FRAME + varint(len(body)) + body
    parts: List[bytes] = []
    for record in records:
        body = record.encode()
        parts.append(b"\x0a" + varint(len(body)))
        parts.append(body)
    batch = b"".join(parts)
    return _BATCH_FRAME + varint(len(batch)) + batch


def records_of(reports: Sequence[pb.Report]) -> Tuple[ReportRecord, ...]:
    """Records of generated reports (for tests and tools), encoded with this module."""
    records = []
    for report in reports:
        worker = (
            identity_field(report.worker.worker_id, report.worker.incarnation) if report.HasField("worker") else b""
        )
        entries = [
            category_entry(
                c.category, c.count, c.sum_abs_advantage, c.sum_squared_advantage, c.sum_reward,
                c.groups if c.HasField("groups") else None,
                c.zero_variance_groups if c.HasField("zero_variance_groups") else None,
            )
            for c in report.categories
        ]
        record = ReportRecord(worker, report.policy_version, report.step_share, entries)
        record.sequence, record.resend_floor = report.sequence, report.resend_floor
        records.append(record)
    return tuple(records)
