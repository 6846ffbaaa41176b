"""The curriculum in the trainer's own logger: a flat ``{name: float}`` per step.

:meth:`Worker.metrics` gives the names below; :func:`metrics_for_logger` adds a prefix
and merges them into the dict a trainer already logs. Every value is a Python ``float``
and every name a ``/``-separated string, which is what wandb (``wandb.log``), verl's
``Tracking.log(data=..., step=...)`` and TensorBoard (``SummaryWriter.add_scalar``) take.

=================================  ==========================================================
``curriculum/p/<category>``        sampling probability of the category in the cached policy
``curriculum/value/<category>``    the policy's value of the category (SEC's Q, DUMP's score)
``curriculum/entropy``             entropy of the sampling distribution, in nats
``curriculum/version``             version of the cached policy
``curriculum/staleness``           cached version minus the version of the last reported batch
``curriculum/staleness_mean``      mean over this worker's reports of (version held when
                                   reporting - the batch's version)
``curriculum/worker/<counter>``    this worker's :class:`WorkerCounters`, and ``unacknowledged``
=================================  ==========================================================

Before the first policy arrives only the staleness and worker counters are present.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Dict, Mapping, MutableMapping, Optional, Sequence

from .model import Policy

if TYPE_CHECKING:  # the worker imports this module
    from .worker import Worker

__all__ = ["PREFIX", "entropy", "policy_metrics", "worker_metrics", "metrics_for_logger"]

PREFIX = "curriculum"


def entropy(probabilities: Sequence[float]) -> float:
    """Shannon entropy in nats; ``log(n)`` for a uniform distribution over ``n`` categories."""
    return -math.fsum(p * math.log(p) for p in probabilities if p > 0.0)


def policy_metrics(policy: Policy) -> Dict[str, float]:
    """Per-category probabilities and values, the entropy and the version of ``policy``."""
    metrics: Dict[str, float] = {}
    for category, probability, value in zip(policy.categories, policy.probabilities, policy.values):
        metrics[f"{PREFIX}/p/{category}"] = float(probability)
        metrics[f"{PREFIX}/value/{category}"] = float(value)
    metrics[f"{PREFIX}/entropy"] = entropy(policy.probabilities)
    metrics[f"{PREFIX}/version"] = float(policy.version)
    return metrics


def worker_metrics(
    policy: Optional[Policy],
    counters: Mapping[str, int],
    unacknowledged: int,
    last_reported_version: Optional[int],
    staleness_total: int,
) -> Dict[str, float]:
    """What :meth:`Worker.metrics` returns, from one consistent snapshot of the worker."""
    metrics = policy_metrics(policy) if policy is not None else {}
    current = policy.version if policy is not None else None
    # A coordinator restarted without its state may publish lower versions: never below 0.
    behind = current - last_reported_version if current is not None and last_reported_version is not None else 0
    metrics[f"{PREFIX}/staleness"] = float(max(0, behind))
    reports = counters.get("reports_queued", 0)
    metrics[f"{PREFIX}/staleness_mean"] = staleness_total / reports if reports else 0.0
    for name, value in counters.items():
        metrics[f"{PREFIX}/worker/{name}"] = float(value)
    metrics[f"{PREFIX}/worker/unacknowledged"] = float(unacknowledged)
    return metrics


def metrics_for_logger(
    worker: "Worker", prefix: str = "", into: Optional[MutableMapping[str, Any]] = None
) -> MutableMapping[str, Any]:
    """``worker.metrics()`` with ``prefix`` before every name (e.g. ``"rollout-3/"`` when
    several workers log to one run), merged into ``into`` (a trainer's per-step metrics
    dict, returned) or into a new dict."""
    target: MutableMapping[str, Any] = {} if into is None else into
    for name, value in worker.metrics().items():
        target[prefix + name] = value
    return target
