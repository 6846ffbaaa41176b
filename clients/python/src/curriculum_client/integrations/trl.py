"""The curriculum in TRL's ``GRPOTrainer`` (tested with TRL 1.16).

:class:`CurriculumGRPOTrainer` overrides two methods of ``GRPOTrainer``:

- ``_get_train_sampler`` returns a :class:`CurriculumRepeatSampler`: TRL's ``RepeatSampler``
  layout (each prompt ``num_generations`` times in a row, each generation batch repeated
  ``num_iterations * steps_per_generation`` times), with each generation batch's prompts
  drawn from the newest policy;
- ``_generate_and_score_completions`` calls TRL's, then reports the advantages it computed
  (``output["advantages"]``), grouped by the dataset's category column, under the policy
  version that generation batch was drawn from.

A callback cannot do this: TRL's callbacks see neither the sampler nor the advantages.
Settings come from the ``curriculum`` argument, else the environment (:mod:`.settings`).
One training process only: with several, every rank would draw its own prompts and
break TRL's groups across ranks.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Mapping, Optional, Union

from torch.utils.data import Sampler
from trl import GRPOTrainer

from ..sampler import CurriculumSampler, per_sample_mean
from ..worker import Worker
from .settings import CurriculumSettings

__all__ = ["CurriculumGRPOTrainer", "CurriculumRepeatSampler"]


class CurriculumRepeatSampler(Sampler[int]):
    """``trl.trainer.utils.RepeatSampler``'s order over curriculum draws of ``curriculum.batch_size`` prompts."""

    def __init__(self, curriculum: CurriculumSampler, mini_repeat_count: int, repeat_count: int) -> None:
        self.curriculum = curriculum
        self.mini_repeat_count = mini_repeat_count
        self.repeat_count = repeat_count

    def __iter__(self) -> Iterator[int]:
        for _ in range(self.curriculum.num_batches):
            chunk = self.curriculum.draw()  # drawn when the data loader reaches it: the newest policy
            for _ in range(self.repeat_count):
                for index in chunk:
                    for _ in range(self.mini_repeat_count):
                        yield index

    def __len__(self) -> int:
        return len(self.curriculum) * self.mini_repeat_count * self.repeat_count


class CurriculumGRPOTrainer(GRPOTrainer):
    """``GRPOTrainer`` whose prompts come from the curriculum and whose advantages go back to it.

    Args:
        curriculum: settings (:class:`CurriculumSettings` or a mapping of them); default:
            the environment.
        curriculum_worker: a started :class:`Worker` to use instead of one made from the settings.
        Everything else is ``GRPOTrainer``'s.
    """

    def __init__(self, *args: Any, curriculum: Union[CurriculumSettings, Mapping[str, Any], None] = None,
                 curriculum_worker: Optional[Worker] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.accelerator.num_processes != 1:
            raise ValueError("CurriculumGRPOTrainer supports one training process; "
                             f"this run has {self.accelerator.num_processes}")
        self.curriculum_settings = (curriculum if isinstance(curriculum, CurriculumSettings)
                                    else CurriculumSettings.resolve(curriculum))
        column = self.curriculum_settings.category_column
        if column not in self.train_dataset.column_names:
            raise ValueError(f"the train dataset has no category column {column!r} "
                             f"(columns: {sorted(self.train_dataset.column_names)})")
        categories = [str(c) for c in self.train_dataset[column]]
        self.curriculum_worker = (curriculum_worker if curriculum_worker is not None
                                  else self.curriculum_settings.start_worker(categories))
        self.curriculum = CurriculumSampler(self.curriculum_worker, categories,
                                            batch_size=self.args.generation_batch_size // self.num_generations,
                                            seed=self.curriculum_settings.seed,
                                            timeout=self.curriculum_settings.timeout)

    def train(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().train(*args, **kwargs)
        finally:  # the last reports are acknowledged before the process may exit
            self.curriculum_worker.drain(timeout=self.curriculum_settings.timeout)

    def _get_train_sampler(self, dataset: Any = None) -> Sampler:
        if dataset is not None and dataset is not self.train_dataset:
            raise ValueError("the curriculum draws from the train dataset it was built with")
        return CurriculumRepeatSampler(self.curriculum, mini_repeat_count=self.num_generations,
                                       repeat_count=self.num_iterations * self.args.steps_per_generation)

    def _generate_and_score_completions(self, inputs: List[Dict[str, Any]]) -> Dict[str, Any]:
        output = super()._generate_and_score_completions(inputs)
        if self.model.training:  # evaluation batches are not drawn from the curriculum
            advantages = output["advantages"]
            if advantages.dim() == 2:  # per-token advantages (subclasses): SEC's masked mean |A|
                advantages = per_sample_mean(advantages.abs(), output["completion_mask"])
            column = self.curriculum_settings.category_column
            self.curriculum.update([row[column] for row in inputs], advantages)
        return output
