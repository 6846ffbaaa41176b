"""Value types: policies, batches, per-category statistics and counters."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .errors import InvalidReport
from .proto import curriculum_pb2 as pb

__all__ = ["Policy", "Batch", "CategoryStats", "WorkerCounters", "advantage_statistics"]


@dataclass(frozen=True)
class Policy:
    """A sampling distribution as the coordinator published it (``POLI`` or ``JoinAccepted``)."""

    version: int
    categories: Tuple[str, ...]
    probabilities: Tuple[float, ...]
    #: Each arm's value as the policy sees it (SEC's Q, a UCB index, ...), for display.
    values: Tuple[float, ...]
    name: str = ""
    issued_at_ms: int = 0

    @classmethod
    def from_proto(cls, message: pb.Policy) -> Optional["Policy"]:
        """The policy, or None if its parallel arrays differ in length."""
        n = len(message.categories)
        if len(message.probabilities) != n or len(message.values) != n:
            return None
        return cls(
            version=int(message.version),
            categories=tuple(message.categories),
            probabilities=tuple(float(p) for p in message.probabilities),
            values=tuple(float(v) for v in message.values),
            name=message.policy_name,
            issued_at_ms=int(message.issued_at_ms),
        )

    def as_dict(self) -> Dict[str, float]:
        """``{category: probability}``."""
        return dict(zip(self.categories, self.probabilities))

    def value_of(self, category: str) -> float:
        return self.values[self.categories.index(category)]


@dataclass(frozen=True)
class Batch:
    """The categories of one batch, drawn from one policy version by ``Worker.next_batch``."""

    #: The version the draw used; report the batch's statistics under it.
    policy_version: int
    #: Every category of the policy, in its order.
    categories: Tuple[str, ...]
    #: Samples per category, parallel to ``categories``.
    counts: Tuple[int, ...]

    @property
    def size(self) -> int:
        return sum(self.counts)

    @property
    def assignments(self) -> List[str]:
        """One category per sample, in category order: ``counts[i]`` copies of ``categories[i]``."""
        return [c for c, n in zip(self.categories, self.counts) for _ in range(n)]

    def items(self) -> Iterator[Tuple[str, int]]:
        """``(category, count)`` for the categories that got at least one sample."""
        return ((c, n) for c, n in zip(self.categories, self.counts) if n > 0)

    def as_dict(self) -> Dict[str, int]:
        return dict(zip(self.categories, self.counts))


@dataclass(frozen=True)
class CategoryStats:
    """One category's share of a batch: what the coordinator's policies compute rewards from.

    SEC's reward of the category is ``sum_abs_advantage / count``. ``groups`` and
    ``zero_variance_groups`` (optional, Protocols/README.md section 5) count the prompt
    groups among the samples and those whose rewards were all equal; None leaves them out.
    """

    category: str
    count: int
    sum_abs_advantage: float = 0.0
    sum_squared_advantage: float = 0.0
    sum_reward: float = 0.0
    groups: Optional[int] = None
    zero_variance_groups: Optional[int] = None

    @classmethod
    def from_advantages(
        cls, category: str, advantages: Any, rewards: Any = None, group_size: Optional[int] = None
    ) -> "CategoryStats":
        """Sums per-sample advantages (each sample's token-masked mean, as in SEC) and rewards.

        ``advantages`` and ``rewards`` may be numpy arrays, lists, tuples, scalars or
        anything ``numpy.asarray`` takes (a CPU torch tensor, for instance). With
        ``group_size`` G, the samples are prompt groups of G consecutive responses (GRPO's
        layout): the groups and the zero-variance ones (all G rewards equal) are counted.
        """
        a = _as_vector(advantages, "advantages", category)
        r = _as_vector(rewards, "rewards", category) if rewards is not None else None
        if r is not None and r.size != a.size:
            raise InvalidReport(f"{category}: {a.size} advantages but {r.size} rewards")
        groups, zero_variance = _count_groups(category, r, group_size)
        return cls(
            category=category,
            count=int(a.size),
            sum_abs_advantage=math.fsum(np.abs(a).tolist()),
            sum_squared_advantage=math.fsum((a * a).tolist()),
            sum_reward=math.fsum(r.tolist()) if r is not None else 0.0,
            groups=groups,
            zero_variance_groups=zero_variance,
        )

    @classmethod
    def empty(cls, category: str) -> "CategoryStats":
        return cls(category=category, count=0)

    @property
    def mean_abs_advantage(self) -> float:
        return self.sum_abs_advantage / self.count if self.count else 0.0

    def validate(self) -> None:
        """Raises :class:`InvalidReport` for what the coordinator would reject."""
        if not self.category:
            raise InvalidReport("a category name is empty")
        if self.count < 0:
            raise InvalidReport(f"{self.category}: negative count {self.count}")
        for name in ("sum_abs_advantage", "sum_squared_advantage", "sum_reward"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise InvalidReport(f"{self.category}: {name} is {value}")
        if self.sum_abs_advantage < 0 or self.sum_squared_advantage < 0:
            raise InvalidReport(f"{self.category}: negative sum of |advantage| or advantage^2")
        if self.count == 0 and (self.sum_abs_advantage or self.sum_squared_advantage or self.sum_reward):
            raise InvalidReport(f"{self.category}: sums without samples")
        if self.groups is None and self.zero_variance_groups is not None:
            raise InvalidReport(f"{self.category}: zero_variance_groups without groups")
        if self.groups is not None:
            zero_variance = self.zero_variance_groups or 0
            if not 0 <= zero_variance <= self.groups <= self.count:
                raise InvalidReport(
                    f"{self.category}: need 0 <= zero_variance_groups ({zero_variance}) <= groups "
                    f"({self.groups}) <= count ({self.count})")

    def to_proto(self) -> pb.CategoryStats:
        return pb.CategoryStats(
            category=self.category,
            count=self.count,
            sum_abs_advantage=self.sum_abs_advantage,
            sum_squared_advantage=self.sum_squared_advantage,
            sum_reward=self.sum_reward,
            groups=self.groups,
            zero_variance_groups=self.zero_variance_groups,
        )


def _count_groups(
    category: str, rewards: Optional[np.ndarray], group_size: Optional[int]
) -> Tuple[Optional[int], Optional[int]]:
    """(groups, zero-variance groups) of rewards laid out as consecutive groups of ``group_size``."""
    if group_size is None:
        return None, None
    if group_size < 1:
        raise InvalidReport(f"{category}: group_size must be at least 1, got {group_size}")
    if rewards is None:
        raise InvalidReport(f"{category}: counting groups needs the rewards")
    if rewards.size % group_size:
        raise InvalidReport(f"{category}: {rewards.size} rewards are not groups of {group_size}")
    grouped = rewards.reshape(-1, group_size)
    return int(grouped.shape[0]), int(np.sum(np.all(grouped == grouped[:, :1], axis=1)))


def _as_vector(values: Any, what: str, category: str) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor, possibly on a GPU
        values = values.detach().cpu()
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as error:
        raise InvalidReport(f"{category}: {what} are not numbers: {error}") from None
    if not np.all(np.isfinite(array)):
        raise InvalidReport(f"{category}: {what} contain NaN or infinite values")
    return array


def advantage_statistics(
    advantages: Dict[str, Any], rewards: Optional[Dict[str, Any]] = None, group_size: Optional[int] = None
) -> List[CategoryStats]:
    """``{category: advantages}`` (and optional ``{category: rewards}``) -> statistics;
    with ``group_size``, also the prompt groups and zero-variance groups of each category."""
    rewards = rewards or {}
    unknown = set(rewards) - set(advantages)
    if unknown:
        raise InvalidReport(f"rewards for categories without advantages: {sorted(unknown)}")
    return [CategoryStats.from_advantages(c, a, rewards.get(c), group_size) for c, a in advantages.items()]


@dataclass
class WorkerCounters:
    """What a worker has done, for logs and status lines (a snapshot)."""

    #: Reports handed to ``report`` and queued.
    reports_queued: int = 0
    #: Samples in those reports.
    samples_queued: int = 0
    #: Reports the coordinator acknowledged.
    reports_acknowledged: int = 0
    #: Of all this incarnation's reports, how many the coordinator rejected (from its acks).
    reports_rejected_by_coordinator: int = 0
    #: REPT frames sent, retransmissions included: fewer than the reports sent when a
    #: backlog is resent in batches.
    report_frames_sent: int = 0
    #: Reports sent again after their acknowledgement timed out (or on a reconnection).
    retransmissions: int = 0
    #: Reports abandoned because the outbox overflowed.
    reports_abandoned: int = 0
    #: Policies adopted (joins included).
    policies_received: int = 0
    #: Frames from the coordinator that could not be decoded.
    malformed_frames: int = 0
    #: JoinAccepted answers that (re)joined this worker.
    joins: int = 0
    #: New connections of either socket (the first ones included).
    connections: int = 0
    heartbeats_sent: int = 0

    def as_dict(self) -> Dict[str, int]:
        return dict(self.__dict__)
