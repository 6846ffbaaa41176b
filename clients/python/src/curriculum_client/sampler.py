"""A framework-agnostic curriculum sampler for trainers with a data loader (verl, OpenRLHF, ...).

:class:`CurriculumSampler` yields dataset indices: for each training batch it draws the
categories from the coordinator's newest policy (``Worker.next_batch``) and fills each
category's share with random problems of that category. After the trainer computed
advantages for that batch, :meth:`CurriculumSampler.update` reports them, per category,
under the policy version the batch was drawn from. Batches are matched to updates in
order (a data loader that prefetches is fine), see ``clients/python/README.md``.
:meth:`CurriculumSampler.state_dict` / :meth:`CurriculumSampler.load_state_dict` make it a
``Stateful`` sampler, so a ``StatefulDataLoader`` checkpoint resumes mid-epoch.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from typing import Any, Deque, Dict, Iterator, List, Mapping, Optional, Sequence

import numpy as np

from .model import Batch
from .worker import Worker

__all__ = ["CurriculumSampler", "per_sample_mean"]


def per_sample_mean(token_values: Any, mask: Any) -> np.ndarray:
    """Each sample's masked mean over tokens (SEC's per-response advantage): ``(bs, T) -> (bs,)``.

    Accepts numpy arrays or torch tensors (moved to the CPU).
    """
    def array(x: Any) -> np.ndarray:
        if hasattr(x, "detach"):
            x = x.detach().float().cpu()
        return np.asarray(x, dtype=np.float64)

    values, weights = array(token_values), array(mask)
    return (values * weights).sum(axis=-1) / np.maximum(weights.sum(axis=-1), 1.0)


class CurriculumSampler:
    """Draws training batches from the curriculum and reports their advantages.

    Args:
        worker: a started :class:`Worker`.
        categories: the category of every dataset item, by index.
        batch_size: items per training batch (the worker's b).
        num_batches: batches per epoch (``len(sampler) == num_batches * batch_size``);
            default: the dataset size over ``batch_size``.
        seed: seed of the item choice within a category.
        timeout: seconds to wait for the first policy.
    """

    def __init__(self, worker: Worker, categories: Sequence[str], batch_size: int,
                 num_batches: Optional[int] = None, seed: Optional[int] = None, timeout: float = 60.0) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        pools: Dict[str, List[int]] = defaultdict(list)
        for index, category in enumerate(categories):
            pools[str(category)].append(index)
        if not pools:
            raise ValueError("the dataset is empty")
        self.worker = worker
        self.batch_size = batch_size
        self.num_batches = num_batches if num_batches is not None else max(1, len(categories) // batch_size)
        self.timeout = timeout
        self._pools = {c: np.asarray(ix, dtype=np.int64) for c, ix in pools.items()}
        self._rng = np.random.default_rng(seed)
        self._drawn: Deque[Batch] = deque()
        self._lock = threading.Lock()
        # The epoch position: batches drawn this epoch, the current batch's indices and how
        # many of them were yielded. An iterator continues from here, so a restored state
        # resumes where the checkpointed run stopped.
        self._batches_started = 0
        self._current: List[int] = []
        self._offset = 0

    @property
    def categories(self) -> List[str]:
        return sorted(self._pools)

    def __len__(self) -> int:
        return self.num_batches * self.batch_size

    def __iter__(self) -> Iterator[int]:
        """The indices of the rest of this epoch, one batch drawn at a time (lazily, so
        each batch comes from the newest policy when the data loader asks for it)."""
        while True:
            if self._offset == len(self._current):
                if self._batches_started >= self.num_batches:
                    self._batches_started, self._current, self._offset = 0, [], 0
                    return
                self._current = self.draw()
                self._batches_started += 1
                self._offset = 0
            # Counted as consumed when yielded: that is what the data loader checkpoints.
            self._offset += 1
            yield self._current[self._offset - 1]

    def draw(self) -> List[int]:
        """One batch's dataset indices, grouped by category; remembered for :meth:`update`."""
        policy = self.worker.current_policy(timeout=self.timeout)
        foreign = [c for c in policy.categories if c not in self._pools]
        batch = self.worker.next_batch(self.batch_size, excluding=foreign, timeout=self.timeout)
        indices: List[int] = []
        with self._lock:
            self._drawn.append(batch)
            for category, count in batch.items():
                indices += self._rng.choice(self._pools[category], size=count, replace=True).tolist()
        return indices

    def state_dict(self) -> Dict[str, Any]:
        """The epoch position, the item-choice RNG and the batches drawn but not yet
        updated (plain Python values, for ``torch.save`` or JSON)."""
        with self._lock:
            drawn = [{"policy_version": b.policy_version, "categories": list(b.categories),
                      "counts": list(b.counts)} for b in self._drawn]
        return {"batches_started": self._batches_started, "current": list(self._current),
                "offset": self._offset, "rng": self._rng.bit_generator.state, "drawn": drawn}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restores :meth:`state_dict`'s output; the next iterator continues from it."""
        missing = {"batches_started", "current", "offset", "rng", "drawn"} - set(state)
        if missing:
            raise ValueError(f"not a CurriculumSampler state: missing {sorted(missing)}")
        current = [int(i) for i in state["current"]]
        size = sum(len(pool) for pool in self._pools.values())
        if any(not 0 <= i < size for i in current):
            raise ValueError(f"the saved batch has indices outside this dataset of {size} items")
        if not 0 <= int(state["offset"]) <= len(current):
            raise ValueError(f"saved offset {state['offset']} outside its batch of {len(current)}")
        self._rng.bit_generator.state = state["rng"]
        with self._lock:
            self._drawn = deque(Batch(int(b["policy_version"]), tuple(b["categories"]), tuple(b["counts"]))
                                for b in state["drawn"])
        self._batches_started, self._current, self._offset = int(state["batches_started"]), current, int(state["offset"])

    @property
    def outstanding(self) -> int:
        """Batches drawn and not yet passed to :meth:`update`."""
        with self._lock:
            return len(self._drawn)

    def update(self, categories: Sequence[str], advantages: Any, rewards: Any = None) -> int:
        """Reports the oldest drawn batch's statistics: one category, advantage (and
        reward) per sample, e.g. every response of the batch with its prompt's category.
        Returns the report's sequence number."""
        advantages = np.asarray(advantages.detach().cpu() if hasattr(advantages, "detach") else advantages,
                                dtype=np.float64).reshape(-1)
        names = [str(c) for c in categories]
        if len(names) != advantages.size:
            raise ValueError(f"{len(names)} categories for {advantages.size} advantages")
        reward_array = None
        if rewards is not None:
            reward_array = np.asarray(rewards.detach().cpu() if hasattr(rewards, "detach") else rewards,
                                      dtype=np.float64).reshape(-1)
            if reward_array.size != advantages.size:
                raise ValueError(f"{reward_array.size} rewards for {advantages.size} advantages")
        with self._lock:
            if not self._drawn:
                raise RuntimeError("update() without a batch drawn from this sampler")
            batch = self._drawn.popleft()
        grouped: Dict[str, List[int]] = defaultdict(list)
        for position, name in enumerate(names):
            grouped[name].append(position)
        by_category = {c: advantages[ix] for c, ix in grouped.items()}
        by_reward: Optional[Mapping[str, Any]] = (
            {c: reward_array[ix] for c, ix in grouped.items()} if reward_array is not None else None)
        return self.worker.report(batch, by_category, by_reward)
