"""Rollout workers as Ray actors attached to the curriculum coordinator.

verl and OpenRLHF place their rollout workers as Ray actors; this module does the same
for curriculum workers. Each :class:`RolloutActor` holds one :class:`~curriculum_client.Worker`
and runs a rollout loop on a thread of its own: draw a batch from the newest policy, call
the rollout function, report the advantages. :class:`RolloutFleet` scales them:

.. code-block:: python

    import ray
    from curriculum_client.ray import RolloutFleet

    ray.init()
    fleet = RolloutFleet("tcp://head:7450", "tcp://head:7452", rollout=my_rollout, batch_size=32)
    fleet.scale(8)            # eight actors join
    fleet.scale(2)            # six drain (every report acknowledged), leave, and exit
    fleet.kill("rollout-1")   # ray.kill: no drain; the coordinator marks it lost
    fleet.add("rollout-1")    # back under the same id: the old incarnation is `replaced`
    fleet.shutdown()

A rollout function takes the :class:`~curriculum_client.Batch` and returns
``(advantages, rewards)``: per category, one advantage per sample (and optionally one
reward per sample, or None). It runs inside the actor, so Ray must be able to pickle it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import ray

from .errors import PolicyTimeout, WorkerStopped
from .model import Batch, CategoryStats, WorkerCounters, advantage_statistics
from .worker import Worker

__all__ = ["RolloutActor", "RolloutFleet", "RolloutSummary", "SyntheticRollout", "RolloutFunction"]

#: ``rollout(batch) -> (advantages, rewards)``, each ``{category: per-sample values}``; rewards may be None.
RolloutFunction = Callable[[Batch], Tuple[Mapping[str, Any], Optional[Mapping[str, Any]]]]


class SyntheticRollout:
    """Made-up advantages and rewards, multiples of 1/8 so every sum is exact in any order:
    a stand-in for generation and scoring, for trials and tests."""

    def __init__(self, seed: Optional[int] = None) -> None:
        self.seed = seed
        # Created on first use, inside the actor: each actor gets its own stream.
        self._rng: Optional[np.random.Generator] = None

    def __call__(self, batch: Batch) -> Tuple[Dict[str, np.ndarray], Dict[str, np.ndarray]]:
        if self._rng is None:
            self._rng = np.random.default_rng(self.seed)
        advantages = {c: self._rng.integers(-8, 9, size=n) / 8.0 for c, n in batch.items()}
        rewards = {c: self._rng.integers(0, 9, size=n) / 8.0 for c, n in batch.items()}
        return advantages, rewards


@dataclass
class RolloutSummary:
    """What one actor's worker reported, per category, and its protocol counters."""

    worker_id: str
    incarnation: int
    counters: WorkerCounters
    #: Sums of everything this actor reported, by category (empty entries left out).
    totals: Dict[str, CategoryStats] = field(default_factory=dict)


def _add(totals: Dict[str, CategoryStats], stats: CategoryStats) -> None:
    old = totals.get(stats.category, CategoryStats.empty(stats.category))
    totals[stats.category] = CategoryStats(
        stats.category, old.count + stats.count, old.sum_abs_advantage + stats.sum_abs_advantage,
        old.sum_squared_advantage + stats.sum_squared_advantage, old.sum_reward + stats.sum_reward)


class RolloutActor:
    """A rollout worker's body, meant to run as a Ray actor (``ray.remote(RolloutActor)``).

    The rollout loop starts in ``__init__``, so an actor Ray restarts (``max_restarts``)
    rejoins by itself under the same id as a new incarnation.

    Args:
        worker_id: the worker's stable id; keep it when a worker comes back.
        broadcast_url, requests_url: the coordinator's endpoints.
        rollout: the rollout function (default: :class:`SyntheticRollout`).
        batch_size: samples drawn per step.
        categories: the categories this worker has problems for: announced when it joins,
            and the only ones it draws (empty: every category of the policy).
        step_delay: seconds to wait between steps (0 for a real rollout, which takes its own time).
        worker_options: further keyword arguments of :class:`~curriculum_client.Worker`
            (``step_share``, ``authenticator``, ``tls``, ...).
    """

    def __init__(self, worker_id: str, broadcast_url: str, requests_url: str, *,
                 rollout: Optional[RolloutFunction] = None, batch_size: int = 16,
                 categories: Sequence[str] = (), step_delay: float = 0.0,
                 worker_options: Optional[Mapping[str, Any]] = None) -> None:
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if step_delay < 0:
            raise ValueError(f"step_delay must not be negative, got {step_delay}")
        self._rollout: RolloutFunction = rollout if rollout is not None else SyntheticRollout()
        self._batch_size = batch_size
        self._own = tuple(categories)
        self._step_delay = step_delay
        self._worker = Worker(worker_id, broadcast_url, requests_url, categories=self._own,
                              **dict(worker_options or {}))
        self._worker.start()
        self._totals: Dict[str, CategoryStats] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._failure: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._loop, name=f"rollout-{worker_id}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    policy = self._worker.current_policy(timeout=0.2)
                except PolicyTimeout:
                    continue
                foreign = [c for c in policy.categories if self._own and c not in self._own]
                batch = self._worker.next_batch(self._batch_size, excluding=foreign)
                advantages, rewards = self._rollout(batch)
                statistics = advantage_statistics(dict(advantages), dict(rewards) if rewards else None)
                try:
                    self._worker.report(batch, statistics=statistics)
                except WorkerStopped:
                    return  # drained between the draw and the report: this batch is not counted
                with self._lock:
                    for stats in statistics:
                        _add(self._totals, stats)
                self._stop.wait(self._step_delay)
        except BaseException as error:  # surfaced to the caller by summary() and drain()
            self._failure = error

    def summary(self) -> RolloutSummary:
        """What this worker has reported so far. Raises what stopped the rollout loop, if anything did."""
        if self._failure is not None:
            raise self._failure
        with self._lock:
            totals = dict(self._totals)
        return RolloutSummary(self._worker.worker_id, self._worker.incarnation, self._worker.counters, totals)

    def drain(self, timeout: float = 30.0) -> RolloutSummary:
        """Stops the loop, waits until the coordinator acknowledged every report, leaves.
        Returns the final summary; raises :class:`~curriculum_client.DrainTimeout` if reports
        were still unacknowledged at the deadline."""
        self._stop.set()
        self._thread.join()
        self._worker.drain(timeout)
        return self.summary()


class RolloutFleet:
    """Creates, drains and kills :class:`RolloutActor` actors: scaling a run on Ray.

    Worker ids are ``{name_prefix}-{n}``, numbered from 0 in the order actors are added.
    ``actor_options`` go to ``.options()`` of every actor (``num_cpus``, ``num_gpus``,
    ``scheduling_strategy`` with a placement group, ``max_restarts``, ...); the other
    keyword arguments to :class:`RolloutActor`.
    """

    def __init__(self, broadcast_url: str, requests_url: str, *, name_prefix: str = "rollout",
                 actor_options: Optional[Mapping[str, Any]] = None, **actor_arguments: Any) -> None:
        self.broadcast_url = broadcast_url
        self.requests_url = requests_url
        self.name_prefix = name_prefix
        self._actor_class = ray.remote(RolloutActor).options(**dict(actor_options or {}))
        self._arguments = actor_arguments
        self._actors: Dict[str, Any] = {}
        self._next = 0

    @property
    def worker_ids(self) -> List[str]:
        """The ids of the running actors, oldest first."""
        return list(self._actors)

    def add(self, worker_id: Optional[str] = None) -> str:
        """Starts one actor (a fresh id, or ``worker_id`` for a worker that comes back). Returns its id."""
        if worker_id is None:
            worker_id = f"{self.name_prefix}-{self._next}"
            self._next += 1
        if worker_id in self._actors:
            raise ValueError(f"{worker_id} is already running")
        self._actors[worker_id] = self._actor_class.remote(
            worker_id, self.broadcast_url, self.requests_url, **self._arguments)
        return worker_id

    def remove(self, worker_ids: Sequence[str], timeout: float = 60.0) -> List[RolloutSummary]:
        """Drains these actors together (every report acknowledged, then leave), then ends them."""
        unknown = [w for w in worker_ids if w not in self._actors]
        if unknown:
            raise KeyError(f"no running actor named {unknown}")
        actors = [self._actors.pop(w) for w in worker_ids]
        try:
            return list(ray.get([actor.drain.remote(timeout) for actor in actors], timeout=timeout + 30))
        finally:
            for actor in actors:
                ray.kill(actor)  # already left the coordinator: this only frees the process

    def scale(self, count: int, timeout: float = 60.0) -> List[RolloutSummary]:
        """Adds actors, or drains the newest ones, until ``count`` run. Returns the drained ones' summaries."""
        if count < 0:
            raise ValueError(f"count must not be negative, got {count}")
        while len(self._actors) < count:
            self.add()
        surplus = self.worker_ids[count:]
        return self.remove(surplus, timeout) if surplus else []

    def kill(self, worker_id: str) -> None:
        """Ends an actor at once with ``ray.kill``, as a node failure would: no drain, no leave,
        so the coordinator marks the worker lost when its lease runs out."""
        ray.kill(self._actors.pop(worker_id), no_restart=True)

    def summaries(self) -> Dict[str, RolloutSummary]:
        """Each running actor's summary so far."""
        ids = self.worker_ids
        return dict(zip(ids, ray.get([self._actors[w].summary.remote() for w in ids])))

    def shutdown(self, timeout: float = 60.0) -> List[RolloutSummary]:
        """Drains every actor; returns their summaries."""
        return self.remove(self.worker_ids, timeout)
