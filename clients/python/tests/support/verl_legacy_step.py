"""One training step's curriculum calls as verl <= 0.7.1's RayPPOTrainer makes them, in a
process whose ``verl`` is that release (put first on PYTHONPATH by the test).

The sampler is chosen by configuration alone (``data.sampler.class_path``) and built by the
trainer's own ``_create_dataloader``; GRPO advantages come from verl's ``compute_advantage``;
rows are reordered as ``balance_batch`` does; then ``sampler.update(batch=batch)`` as in
``fit()``. Prints ``{"version": ..., "totals": {category: [count, sum|A|, sum A^2, sum r]}}``.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
from hydra import compose, initialize_config_dir

import verl
from verl import DataProto
from verl.trainer.ppo.core_algos import AdvantageEstimator
from verl.trainer.ppo.ray_trainer import RayPPOTrainer, compute_advantage
from verl.utils import hf_tokenizer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tiny_lm import save_tiny_model_directory  # noqa: E402

RESPONSES = 4


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--broadcast", "--requests", "--data", "--model"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    model = save_tiny_model_directory(args.model)
    config_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        config = compose("ppo_trainer", overrides=[
            f"data.train_files={args.data}", f"data.val_files={args.data}", "data.train_batch_size=6",
            "data.dataloader_num_workers=0", f"actor_rollout_ref.model.path={model}",
            "data.sampler.class_path=pkg://curriculum_client.integrations.verl",
            "data.sampler.class_name=VerlCurriculumSampler",
            f"+data.curriculum.broadcast_url={args.broadcast}", f"+data.curriculum.requests_url={args.requests}",
            "+data.curriculum.worker_id=verl-legacy", "+data.curriculum.seed=1",
        ])
    # The trainer's dataloader method without its Ray workers (it needs config, tokenizer, processor).
    trainer = RayPPOTrainer.__new__(RayPPOTrainer)
    trainer.config, trainer.tokenizer, trainer.processor = config, hf_tokenizer(str(model)), None
    trainer._create_dataloader(None, None, None, None)
    sampler = trainer.train_dataloader.sampler
    prompts = next(iter(trainer.train_dataloader))

    rng = np.random.default_rng(11)
    rows = len(prompts["category"]) * RESPONSES
    lengths = rng.integers(2, 9, size=rows)
    mask = (torch.arange(8)[None, :] < torch.as_tensor(lengths)[:, None]).long()
    rewards = torch.zeros(rows, 8)
    rewards[torch.arange(rows), torch.as_tensor(lengths) - 1] = torch.as_tensor(rng.integers(0, 9, size=rows) / 8,
                                                                                dtype=torch.float32)
    uids = np.repeat([f"prompt-{i}" for i in range(len(prompts["category"]))], RESPONSES).astype(object)
    batch = DataProto.from_dict(
        tensors={"response_mask": mask, "token_level_scores": rewards, "token_level_rewards": rewards.clone()},
        non_tensors={"uid": uids, "category": np.repeat(np.asarray(prompts["category"], dtype=object), RESPONSES)})
    batch = compute_advantage(batch, AdvantageEstimator.GRPO, num_repeat=RESPONSES, norm_adv_by_std_in_grpo=False)
    batch.reorder(torch.as_tensor(rng.permutation(rows)))  # as balance_batch does
    version = sampler.worker.policy.version
    sampler.update(batch=batch)  # what RayPPOTrainer.fit() calls after each step
    sampler.worker.drain(timeout=30)

    totals = {}
    adv, m, scores = batch.batch["advantages"], batch.batch["response_mask"], batch.batch["token_level_scores"]
    for i, category in enumerate(batch.non_tensor_batch["category"]):
        value = float((adv[i].abs() * m[i]).sum() / m[i].sum())
        entry = totals.setdefault(category, [0, 0.0, 0.0, 0.0])
        for k, x in enumerate((1, value, value * value, float(scores[i].sum()))):
            entry[k] += x
    print(json.dumps({"verl": verl.__version__, "version": version, "totals": totals}))


if __name__ == "__main__":
    main()
