"""``python -m curriculum_client.integrations.verl_main ...``: verl 0.9's
``python -m verl.trainer.main_ppo ...`` (same Hydra config and overrides) running
:func:`~curriculum_client.integrations.verl.curriculum_trainer` for the configured
``trainer.v1.trainer_mode``."""

from __future__ import annotations

import os

import hydra
import ray
from omegaconf import DictConfig
from verl.trainer import main_ppo
from verl.trainer.ppo.utils import need_critic, need_reference_policy
from verl.utils.config import validate_config
from verl.utils.device import auto_set_device

from .verl import curriculum_trainer

VERL_CONFIG = os.path.join(os.path.dirname(main_ppo.__file__), "config")


@ray.remote
class CurriculumTaskRunner(main_ppo.TaskRunnerV1.__ray_actor_class__):  # type: ignore[name-defined, misc]
    """verl's ``TaskRunnerV1``, whose trainer is the curriculum subclass."""

    def run(self, config: DictConfig) -> None:
        import verl.trainer.ppo.v1 as v1

        # TaskRunnerV1.run looks the trainer class up here by trainer_mode; this actor
        # process only ever builds the curriculum trainer.
        v1.get_trainer_cls = curriculum_trainer
        super().run(config)


@hydra.main(config_path=VERL_CONFIG, config_name="ppo_trainer", version_base=None)
def main(config: DictConfig) -> None:
    if not config.trainer.use_v1:
        raise ValueError("verl_main runs the v1 trainers (trainer.use_v1=true); for verl <= 0.7.1 select "
                         "VerlCurriculumSampler with data.sampler.class_path instead")
    auto_set_device(config)
    validate_config(config=config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config))
    main_ppo.run_ppo(config, task_runner_class=CurriculumTaskRunner)


if __name__ == "__main__":
    main()
