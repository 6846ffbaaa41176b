"""TRL's GRPOTrainer with the curriculum, against a Swift coordinator: a tiny Llama built
from a config and a character tokenizer (nothing downloaded) train for 3 steps on CPU."""

from __future__ import annotations

from typing import Dict, List

import pytest

pytest.importorskip("trl", reason="TRL is not installed (.ci/run installs it)")

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import LlamaForCausalLM  # noqa: E402
from trl import GRPOConfig  # noqa: E402

from curriculum_client import StatusMonitor  # noqa: E402
from curriculum_client.integrations.trl import CurriculumGRPOTrainer  # noqa: E402
from helpers import Totals, add_totals, newest_by_worker, status_totals  # noqa: E402
from tiny_lm import char_tokenizer, tiny_llama_config  # noqa: E402

CATEGORIES = ["add", "mul", "sub"]
GENERATIONS = 4
PROMPTS_PER_STEP = 3
STEPS = 3


def digits_reward(completions: List[str], category: List[str], **_) -> List[float]:
    """A quarter per digit in the completion (at most 4), a bonus eighth for `mul`: in
    eighths, so TRL's advantages r - mean(r) over 4 completions are exact."""
    return [min(4, sum(ch.isdigit() for ch in text)) / 4 + (0.125 if c == "mul" else 0.0)
            for text, c in zip(completions, category)]


class RecordingTrainer(CurriculumGRPOTrainer):
    """Keeps what TRL computed for each generation batch, to compare with the coordinator."""

    generations: List[Dict[str, list]]

    def _generate_and_score_completions(self, inputs):
        output = super()._generate_and_score_completions(inputs)
        self.generations.append({"prompts": [row["prompt"] for row in inputs],
                                 "categories": [row["category"] for row in inputs],
                                 "advantages": output["advantages"].tolist()})
        return output


def test_grpo_trainer_draws_through_the_curriculum_and_reports_its_advantages(cluster, tmp_path):
    coordinator = cluster.coordinator(extra=["--categories", ",".join(CATEGORIES), "--tau", "0.2"])
    torch.manual_seed(0)
    tokenizer = char_tokenizer()
    model = LlamaForCausalLM(tiny_llama_config(len(tokenizer)))
    dataset = Dataset.from_list([{"prompt": f"{i} {c} {i} =", "category": c}
                                 for i, c in ((i, CATEGORIES[i % 3]) for i in range(30))])
    args = GRPOConfig(output_dir=str(tmp_path / "out"), use_cpu=True, max_steps=STEPS, learning_rate=1e-3,
                      per_device_train_batch_size=PROMPTS_PER_STEP * GENERATIONS, num_generations=GENERATIONS,
                      max_completion_length=4, scale_rewards="none", report_to=[], save_strategy="no",
                      logging_steps=1, seed=0, dataloader_num_workers=0)
    with StatusMonitor(coordinator.broadcast_url) as monitor:
        trainer = RecordingTrainer(model=model, reward_funcs=digits_reward, args=args, train_dataset=dataset,
                                   processing_class=tokenizer,
                                   curriculum={"broadcast_url": coordinator.broadcast_url,
                                               "reports_url": coordinator.reports_url,
                                               "worker_id": "trl-trainer", "allocation": "systematic", "seed": 3})
        trainer.generations = []
        trainer.train()
        assert len(trainer.generations) == STEPS
        expected: Totals = {c: [0, 0.0, 0.0, 0.0] for c in CATEGORIES}
        for generation in trainer.generations:
            prompts = generation["prompts"]
            # RepeatSampler's grouping: each prompt num_generations times in a row.
            groups = [prompts[i:i + GENERATIONS] for i in range(0, len(prompts), GENERATIONS)]
            assert len(groups) == PROMPTS_PER_STEP and all(len(set(g)) == 1 for g in groups)
            for category, advantage in zip(generation["categories"], generation["advantages"]):
                add_totals(expected, {category: [1, abs(advantage), advantage * advantage, 0.0]})
        assert any(a != 0 for g in trainer.generations for a in g["advantages"]), "no learning signal to report"
        trainer.curriculum_worker.drain(timeout=30)
        status = monitor.wait_for(lambda s: s.reports_accepted == STEPS, timeout=30)
        assert status is not None, "the coordinator did not accept one report per generation step"
        assert status_totals(status) == expected
        assert newest_by_worker(status)["trl-trainer"].samples_accepted == STEPS * PROMPTS_PER_STEP * GENERATIONS
