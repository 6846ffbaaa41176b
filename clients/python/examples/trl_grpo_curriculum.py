"""GRPO with TRL on a dataset whose ``category`` column names each prompt's curriculum arm.

The coordinator comes from ``$CURRICULUM_BROADCAST`` and ``$CURRICULUM_REQUESTS`` (or pass
``curriculum={...}``, see ``curriculum_client.integrations.settings``).
tests/test_trl_integration.py trains with these two functions.
"""

from typing import Any

from trl import GRPOConfig

from curriculum_client.integrations.trl import CurriculumGRPOTrainer


def curriculum_grpo_config(output_dir: str, max_steps: int, prompts_per_step: int = 8, generations: int = 8,
                           **more: Any) -> GRPOConfig:
    """One generation batch per optimizer step: ``prompts_per_step`` prompts drawn from the
    newest policy, each answered ``generations`` times."""
    return GRPOConfig(output_dir=output_dir, max_steps=max_steps, num_generations=generations,
                      per_device_train_batch_size=prompts_per_step * generations, steps_per_generation=1,
                      report_to=[], save_strategy="no", **more)


def grpo_with_curriculum(model: Any, tokenizer: Any, dataset: Any, reward_funcs: Any,
                         args: GRPOConfig) -> CurriculumGRPOTrainer:
    """``GRPOTrainer``'s arguments, with the curriculum drawing the prompts and taking the advantages."""
    return CurriculumGRPOTrainer(model=model, reward_funcs=reward_funcs, args=args, train_dataset=dataset,
                                 processing_class=tokenizer)
