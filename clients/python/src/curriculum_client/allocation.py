"""Turning a distribution into per-category sample counts (the Swift ``BatchAllocator``)."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

__all__ = ["MULTINOMIAL", "SYSTEMATIC", "effective_probabilities", "allocate"]

#: B independent draws from the distribution, as SEC draws its batch.
MULTINOMIAL = "multinomial"
#: One uniform offset and B evenly spaced points: each count is floor or ceil of B p.
SYSTEMATIC = "systematic"


def effective_probabilities(
    probabilities: Sequence[float],
    available: Optional[Sequence[bool]] = None,
    exploration_floor: float = 0.0,
) -> np.ndarray:
    """The probabilities actually sampled from: masked, renormalised and floored.

    Unavailable categories get 0 and their mass is spread proportionally over the
    others (uniformly if those all have probability 0). An exploration floor ``f`` mixes
    in the uniform distribution, ``p' = f + (1 - K f) p`` over the K available categories.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if not 0.0 <= exploration_floor <= 1.0:
        raise ValueError(f"exploration_floor must be in [0, 1], got {exploration_floor}")
    mask = np.ones(p.shape, dtype=bool) if available is None else np.asarray(available, dtype=bool)
    if mask.shape != p.shape:
        raise ValueError(f"the availability mask has {mask.size} entries for {p.size} categories")
    open_count = int(mask.sum())
    if open_count == 0:
        raise ValueError("no category is available")
    q = np.where(mask, np.clip(p, 0.0, None), 0.0)
    total = q.sum()
    share = q / total if total > 0 else np.where(mask, 1.0 / open_count, 0.0)
    floor = min(exploration_floor, 1.0 / open_count)
    return np.where(mask, floor + (1.0 - open_count * floor) * share, 0.0)


def allocate(
    batch_size: int,
    probabilities: Sequence[float],
    rng: np.random.Generator,
    method: str = MULTINOMIAL,
    available: Optional[Sequence[bool]] = None,
    exploration_floor: float = 0.0,
) -> np.ndarray:
    """Per-category counts summing to ``batch_size``, in the distribution's category order."""
    if batch_size < 0:
        raise ValueError(f"batch size {batch_size} is negative")
    p = effective_probabilities(probabilities, available, exploration_floor)
    if batch_size == 0:
        return np.zeros(p.size, dtype=np.int64)
    cumulative = np.cumsum(p)
    last = int(np.flatnonzero(p > 0)[-1])
    cumulative[last:] = 1.0  # a draw can never fall past the end through rounding
    if method == MULTINOMIAL:
        draws = rng.random(batch_size)
        index = np.searchsorted(cumulative, draws, side="right")
        return np.bincount(index, minlength=p.size).astype(np.int64)
    if method == SYSTEMATIC:
        u = rng.random()
        bounds = np.minimum(batch_size, np.ceil(batch_size * cumulative - u)).astype(np.int64)
        bounds[last:] = batch_size
        return np.diff(np.concatenate(([0], np.maximum.accumulate(bounds)))).astype(np.int64)
    raise ValueError(f"unknown allocation method {method!r}")
