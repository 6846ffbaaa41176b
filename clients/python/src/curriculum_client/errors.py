"""The errors a :class:`~curriculum_client.Worker` raises."""

from __future__ import annotations

from typing import Sequence

__all__ = [
    "CurriculumError",
    "InvalidReport",
    "OutboxFull",
    "JoinRejected",
    "ProtocolMismatch",
    "DrainTimeout",
    "WorkerStopped",
    "PolicyTimeout",
]


class CurriculumError(Exception):
    """Base class of every error of this package."""


class InvalidReport(CurriculumError, ValueError):
    """Statistics the coordinator would reject (NaN, negative, empty name, no category)."""


class OutboxFull(CurriculumError):
    """The outbox holds ``capacity`` unacknowledged reports and its overflow policy is ``reject_new``."""

    def __init__(self, capacity: int) -> None:
        super().__init__(
            f"outbox full: {capacity} reports await acknowledgement and the overflow policy rejects new ones"
        )
        self.capacity = capacity


class JoinRejected(CurriculumError):
    """The coordinator refused this worker's join (final for this identity)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the coordinator rejected the join: {reason}")
        self.reason = reason


class ProtocolMismatch(CurriculumError):
    """The coordinator speaks none of this client's protocol versions."""

    def __init__(self, coordinator_supports: Sequence[int]) -> None:
        versions = ", ".join(str(v) for v in coordinator_supports)
        super().__init__(f"the coordinator speaks protocol versions {versions}, this client does not")
        self.coordinator_supports = tuple(coordinator_supports)


class DrainTimeout(CurriculumError, TimeoutError):
    """``drain`` ran out of time with reports still unacknowledged."""

    def __init__(self, unacknowledged: int) -> None:
        super().__init__(f"drain timed out with {unacknowledged} reports unacknowledged")
        self.unacknowledged = unacknowledged


class WorkerStopped(CurriculumError):
    """The worker was drained, closed or failed; it takes no more calls."""


class PolicyTimeout(CurriculumError, TimeoutError):
    """No (new enough) policy arrived within the timeout: is the coordinator reachable?"""
