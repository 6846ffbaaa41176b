"""Shared pieces of the interop tests."""

from __future__ import annotations

import threading
from typing import Dict, Iterable, List, Optional, Tuple

import numpy as np

from curriculum_client import Worker, pb

Totals = Dict[str, List[float]]  # category -> [count, sum|A|, sum A^2, sum reward]


def add_totals(into: Totals, other: Totals) -> Totals:
    for category, values in other.items():
        mine = into.setdefault(category, [0, 0.0, 0.0, 0.0])
        for i, v in enumerate(values):
            mine[i] += v
    return into


def report_loop(worker: Worker, reports: int, batch_size: int, own: Iterable[str], seed: int,
                stop: Optional[threading.Event] = None, delay: float = 0.0) -> Totals:
    """Draws and reports ``reports`` batches of made-up advantages (multiples of 1/8, so
    every sum is exact in any order) for the worker's own categories; returns the sums."""
    own = list(own)
    rng = np.random.default_rng(seed)
    totals: Totals = {c: [0, 0.0, 0.0, 0.0] for c in own}
    for _ in range(reports):
        if stop is not None and stop.is_set():
            break
        policy = worker.current_policy(timeout=30)
        batch = worker.next_batch(batch_size, excluding=[c for c in policy.categories if c not in own])
        advantages, rewards = {}, {}
        for category, n in batch.items():
            a = rng.integers(-8, 9, size=n) / 8.0
            r = rng.integers(0, 9, size=n) / 8.0
            advantages[category], rewards[category] = a, r
            add_totals(totals, {category: [n, float(np.abs(a).sum()), float((a * a).sum()), float(r.sum())]})
        worker.report(batch, advantages, rewards)
        if delay:
            (stop or threading.Event()).wait(delay)
    return totals


def status_totals(status: pb.Status) -> Totals:
    return {t.category: [t.count, t.sum_abs_advantage, t.sum_squared_advantage, t.sum_reward] for t in status.totals}


def newest_by_worker(status: pb.Status) -> Dict[str, pb.WorkerStatus]:
    """The status entries by worker id (the newest incarnation wins for a restarted worker)."""
    out: Dict[str, pb.WorkerStatus] = {}
    for entry in status.workers:
        if entry.state != "replaced" or entry.worker.worker_id not in out:
            out[entry.worker.worker_id] = entry
    return out


def states(status: Optional[pb.Status]) -> Dict[str, str]:
    return {} if status is None else {k: v.state for k, v in newest_by_worker(status).items()}
