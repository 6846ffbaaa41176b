"""The curriculum in verl's PPO/GRPO trainers.

Supported versions (each tested against the real release, see ``clients/python/README.md``):

- **verl 0.9.x** (v1 trainers, ``verl.trainer.ppo.v1``): verl no longer has a curriculum
  sampler hook, so :func:`curriculum_trainer` subclasses the trainer class verl would pick.
  Its ``_init_dataloader`` builds the train loader over :class:`VerlCurriculumSampler`, and
  its ``_compute_advantage`` reports each step's advantages, read back from the transfer
  queue. :mod:`curriculum_client.integrations.verl_main` is ``verl.trainer.main_ppo`` with
  that trainer selected.
- **verl 0.5.0 to 0.7.1** (the releases with ``verl.experimental.dataset.sampler``):
  :class:`VerlCurriculumSampler` is an ``AbstractCurriculumSampler``, selected by
  configuration alone (``data.sampler.class_path`` / ``class_name``); ``RayPPOTrainer.fit``
  calls its :meth:`VerlCurriculumSampler.update` after each step.
"""

from __future__ import annotations

from collections.abc import Sized
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

import torch

from ..sampler import CurriculumSampler, per_sample_mean
from ..worker import Worker
from .settings import CurriculumSettings

try:  # verl 0.5.0 - 0.7.1: the trainer calls update(batch) on this interface
    from verl.experimental.dataset.sampler import AbstractCurriculumSampler as _SamplerBase
except ImportError:  # verl 0.9: the interface is gone; the trainer subclass calls us instead
    from torch.utils.data import Sampler as _SamplerBase

__all__ = ["VerlCurriculumSampler", "CurriculumTrainerMixin", "curriculum_trainer", "response_categories"]


def _dense(values: Any) -> Any:
    """A padded tensor from verl's jagged (nested) per-response tensors; others unchanged."""
    if isinstance(values, torch.Tensor) and values.is_nested:
        return torch.nested.to_padded_tensor(values, 0.0)
    return values


def response_categories(uids: Sequence[Any], categories: Sequence[Any]) -> List[str]:
    """Each response's category, checked per prompt: every response of a ``uid`` (verl
    repeats it ``rollout.n`` times) must carry the same category. Row order is free, as
    after ``balance_batch``."""
    if len(uids) != len(categories):
        raise ValueError(f"{len(uids)} uids for {len(categories)} categories")
    of_prompt: Dict[str, str] = {}
    for uid, category in zip(uids, categories):
        known = of_prompt.setdefault(str(uid), str(category))
        if known != str(category):
            raise ValueError(f"prompt {uid} has responses in two categories: {known!r} and {category!r}")
    return [of_prompt[str(uid)] for uid in uids]


class VerlCurriculumSampler(_SamplerBase):  # type: ignore[misc, valid-type]
    """A ``torch.utils.data.Sampler`` of dataset indices drawn from the curriculum.

    Args:
        data_source: verl's ``RLHFDataset`` (its ``dataframe`` holds the category column).
        data_config: verl's ``data`` config; settings come from its ``curriculum`` node, else
            from the environment (:mod:`.settings`).
        batch_size: prompts per curriculum draw (default ``data.train_batch_size``).
        worker: a started :class:`Worker` to use instead of one made from the settings.
    """

    def __init__(self, data_source: Sized, data_config: Mapping[str, Any], batch_size: Optional[int] = None,
                 worker: Optional[Worker] = None) -> None:
        self.settings = CurriculumSettings.resolve(data_config.get("curriculum"))
        column = self.settings.category_column
        frame = data_source.dataframe  # type: ignore[attr-defined]
        names = getattr(frame, "column_names", None) or list(frame.columns)
        if column not in names:
            raise ValueError(f"the dataset has no category column {column!r} (columns: {sorted(names)}); "
                             "set curriculum.category_column or $CURRICULUM_CATEGORY_COLUMN")
        categories = [str(c) for c in frame[column]]
        self.worker = worker if worker is not None else self.settings.start_worker(categories)
        self.sampler = CurriculumSampler(self.worker, categories, batch_size or int(data_config["train_batch_size"]),
                                         seed=self.settings.seed, timeout=self.settings.timeout)

    def __iter__(self) -> Iterator[int]:
        return iter(self.sampler)

    def __len__(self) -> int:
        return len(self.sampler)

    def state_dict(self) -> Dict[str, Any]:
        """Saved by ``StatefulDataLoader.state_dict()`` with verl's checkpoint (``data.pt``)."""
        return self.sampler.state_dict()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.sampler.load_state_dict(state)

    def report(self, uids: Sequence[Any], categories: Sequence[Any], advantages: Any, response_mask: Any,
               token_scores: Any = None) -> int:
        """Reports the oldest drawn batch: per response, the masked mean |advantage|
        ``(|A| * mask).sum(-1) / mask.sum(-1)`` (and the summed token scores as reward),
        grouped by category, under the policy version that batch was drawn from; the
        policy's other categories get count-0 entries. Returns the report's number."""
        per_response = per_sample_mean(torch.as_tensor(_dense(advantages)).abs(), _dense(response_mask))
        rewards = None if token_scores is None else _dense(token_scores).sum(-1)
        return self.sampler.update(response_categories(uids, categories), per_response, rewards)

    def update(self, batch: Any) -> None:
        """verl <= 0.7.1's curriculum hook: ``RayPPOTrainer.fit`` passes the step's ``DataProto``."""
        scores = batch.batch["token_level_scores"] if "token_level_scores" in batch.batch.keys() else None
        self.report(batch.non_tensor_batch["uid"], batch.non_tensor_batch[self.settings.category_column],
                    batch.batch["advantages"], batch.batch["response_mask"], scores)


class CurriculumTrainerMixin:
    """Put before a verl 0.9 v1 trainer class (``PPOTrainerSync``, ...); see :func:`curriculum_trainer`."""

    curriculum_sampler: VerlCurriculumSampler

    def _init_dataloader(self) -> None:
        from torchdata.stateful_dataloader import StatefulDataLoader

        config = self.config  # type: ignore[attr-defined]
        if config.data.get("dataloader_num_workers", 0) != 0:
            # Worker processes would fetch batches ahead and checkpoint a position past the
            # one trained on.
            raise ValueError("the curriculum needs data.dataloader_num_workers=0")
        super()._init_dataloader()  # type: ignore[misc]
        # One draw per local update: each _step_once trains on this many prompts.
        draw_size = config.data.train_batch_size // self.parameter_sync_step  # type: ignore[attr-defined]
        self.curriculum_sampler = VerlCurriculumSampler(self.train_dataset, config.data,  # type: ignore[attr-defined]
                                                        batch_size=draw_size)
        built = self.train_dataloader  # type: ignore[has-type]
        self.train_dataloader = StatefulDataLoader(dataset=self.train_dataset, batch_size=built.batch_size,  # type: ignore
                                                   num_workers=0, drop_last=True, collate_fn=built.collate_fn,
                                                   sampler=self.curriculum_sampler)

    def fit(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().fit(*args, **kwargs)  # type: ignore[misc]
        finally:  # the last steps' reports are acknowledged before the process may exit
            self.curriculum_sampler.worker.drain(timeout=self.curriculum_sampler.settings.timeout)

    def _compute_advantage(self, batch: Any, metrics: Dict[str, Any]) -> Any:
        import transfer_queue as tq

        batch = super()._compute_advantage(batch, metrics)  # type: ignore[misc]
        column = self.curriculum_sampler.settings.category_column
        # balance_batch's padding rows copy a real sample: leave them out.
        keys = [key for key, tag in zip(batch.keys, batch.tags) if not tag.get("is_padding", False)]
        data = tq.kv_batch_get(keys=keys, partition_id=batch.partition_id,
                               select_fields=["uid", column, "advantages", "response_mask", "rm_scores"])
        self.curriculum_sampler.report(list(data["uid"]), list(data[column]), data["advantages"],
                                       data["response_mask"], data["rm_scores"])
        policy = self.curriculum_sampler.worker.policy
        if policy is not None:
            metrics.update({f"curriculum/p/{c}": p for c, p in policy.as_dict().items()})
        return batch


def curriculum_trainer(trainer_mode: str) -> type:
    """The v1 trainer class registered for ``trainer.v1.trainer_mode``, with the curriculum."""
    from verl.trainer.ppo.v1.trainer_base import get_trainer_cls

    base = get_trainer_cls(trainer_mode)
    name = f"Curriculum{base.__name__}"
    return type(name, (CurriculumTrainerMixin, base), {"__module__": __name__, "__qualname__": name})

