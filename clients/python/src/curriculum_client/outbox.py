"""The worker's unacknowledged reports: numbering, retransmission with exponential
backoff, acknowledgement and a bounded buffer.

Pure state with an injected clock, like the Swift agent's ``Outbox``: the worker
decides when to call :meth:`Outbox.due` and sends what it returns. Not thread-safe;
the worker holds its lock around every call.
"""

from __future__ import annotations

import random
from collections import deque
from typing import Any, Deque, Dict, Iterable, List, Optional, Tuple

from .proto import curriculum_pb2 as pb

__all__ = ["Outbox", "DROP_OLDEST", "REJECT_NEW"]

#: When full, abandon the oldest unacknowledged report (logged and counted).
DROP_OLDEST = "drop_oldest"
#: When full, refuse the new report (``OutboxFull`` to the caller).
REJECT_NEW = "reject_new"


class _Entry:
    __slots__ = ("report", "attempts", "next_attempt")

    def __init__(self, report: Any, attempts: int, next_attempt: float) -> None:
        #: A ``pb.Report``, or anything else with ``sequence`` and ``resend_floor`` (the
        #: worker keeps pre-encoded ``ReportRecord``s).
        self.report = report
        self.attempts = attempts
        self.next_attempt = next_attempt


class Outbox:
    def __init__(
        self,
        capacity: int = 65_536,
        overflow: str = DROP_OLDEST,
        initial_timeout: float = 0.25,
        maximum_timeout: float = 5.0,
        seed: Optional[int] = None,
    ) -> None:
        if capacity <= 0:
            raise ValueError("an outbox needs room for at least one report")
        if overflow not in (DROP_OLDEST, REJECT_NEW):
            raise ValueError(f"overflow must be {DROP_OLDEST!r} or {REJECT_NEW!r}, got {overflow!r}")
        self.capacity = capacity
        self.overflow = overflow
        self.initial_timeout = initial_timeout
        self.maximum_timeout = maximum_timeout
        #: The sequence number the next report gets.
        self.next_sequence = 1
        #: Reports abandoned because the outbox overflowed.
        self.abandoned = 0
        self._pending: Dict[int, _Entry] = {}
        # Sequence numbers in send order; acknowledged ones are skipped lazily.
        self._order: Deque[int] = deque()
        self._random = random.Random(seed)

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, sequence: int) -> bool:
        """Whether report ``sequence`` is still unacknowledged (and not abandoned)."""
        return sequence in self._pending

    @property
    def resend_floor(self) -> int:
        """Every sequence number below this one is acknowledged or abandoned."""
        while self._order and self._order[0] not in self._pending:
            self._order.popleft()
        return self._order[0] if self._order else self.next_sequence

    def enqueue(self, report: pb.Report, now: float) -> Tuple[Optional[int], Optional[int]]:
        """Numbers ``report`` (in place), stores it and schedules its first retransmission.

        Returns ``(sequence, abandoned sequence or None)``; ``(None, None)`` when full
        under ``reject_new``. The caller sends the report at once.
        """
        dropped: Optional[int] = None
        if len(self._pending) >= self.capacity:
            if self.overflow != DROP_OLDEST:
                return None, None
            oldest = self.resend_floor
            del self._pending[oldest]
            self.abandoned += 1
            dropped = oldest
        sequence = self.next_sequence
        self.next_sequence += 1
        report.sequence = sequence
        report.resend_floor = sequence if not self._pending else self.resend_floor
        self._pending[sequence] = _Entry(report, 1, now + self._backoff(1))
        self._order.append(sequence)
        return sequence, dropped

    def acknowledge(self, contiguous_through: int, selective: Iterable[int] = ()) -> int:
        """Forgets what an acknowledgement covers; returns how many reports it settled."""
        settled = 0
        while self._order and self._order[0] <= contiguous_through:
            if self._pending.pop(self._order.popleft(), None) is not None:
                settled += 1
        for sequence in selective:
            if self._pending.pop(sequence, None) is not None:
                settled += 1
        return settled

    def due(self, now: float, limit: Optional[int] = None) -> List[pb.Report]:
        """The reports whose retransmission time has come, each rescheduled with a doubled,
        jittered timeout and stamped with the current resend floor."""
        floor = self.resend_floor
        reports: List[pb.Report] = []
        for sequence in self._order:
            if limit is not None and len(reports) >= limit:
                break
            entry = self._pending.get(sequence)
            if entry is None or entry.next_attempt > now:
                continue
            entry.attempts += 1
            entry.next_attempt = now + self._backoff(entry.attempts)
            entry.report.resend_floor = floor
            reports.append(entry.report)
        return reports

    def expedite_all(self, now: float) -> None:
        """Makes every pending report due now (after a reconnection)."""
        for entry in self._pending.values():
            entry.next_attempt = now

    @property
    def next_deadline(self) -> Optional[float]:
        return min((e.next_attempt for e in self._pending.values()), default=None)

    def pending_sequences(self) -> List[int]:
        return sorted(self._pending)

    def _backoff(self, attempts: int) -> float:
        """initial * 2^(attempts-1), capped, with +-25% jitter."""
        capped = min(self.initial_timeout * (1 << min(attempts - 1, 20)), self.maximum_timeout)
        return capped * (0.75 + 0.5 * self._random.random())
