"""TRL's GRPOTrainer with the curriculum, against a Swift coordinator: a tiny Llama built
from a config and a character tokenizer (nothing downloaded) train for 3 steps on CPU."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

import pytest

pytest.importorskip("trl", reason="TRL is not installed (.ci/run installs it)")

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import LlamaForCausalLM  # noqa: E402
from trl import GRPOTrainer  # noqa: E402

from curriculum_client import StatusMonitor  # noqa: E402
from helpers import Totals, add_totals, newest_by_worker, states, status_totals  # noqa: E402
from tiny_lm import char_tokenizer, tiny_llama_config  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from trl_grpo_curriculum import curriculum_grpo_config, grpo_with_curriculum  # noqa: E402  (README's TRL section)

CATEGORIES = ["add", "mul", "sub"]
GENERATIONS = 4
PROMPTS_PER_STEP = 3
STEPS = 3


def digits_reward(completions: List[str], category: List[str], **_) -> List[float]:
    """A quarter per digit in the completion (at most 4), a bonus eighth for `mul`: in
    eighths, so TRL's advantages r - mean(r) over 4 completions are exact."""
    return [min(4, sum(ch.isdigit() for ch in text)) / 4 + (0.125 if c == "mul" else 0.0)
            for text, c in zip(completions, category)]


def record_generations(monkeypatch) -> List[Dict[str, list]]:
    """Keeps what TRL's own ``_generate_and_score_completions`` computed for each generation
    batch (the curriculum trainer calls it, then reports), to compare with the coordinator."""
    generations: List[Dict[str, list]] = []
    computed = GRPOTrainer._generate_and_score_completions

    def recording(self, inputs):
        output = computed(self, inputs)
        generations.append({"prompts": [row["prompt"] for row in inputs],
                            "categories": [row["category"] for row in inputs],
                            "advantages": output["advantages"].tolist()})
        return output

    monkeypatch.setattr(GRPOTrainer, "_generate_and_score_completions", recording)
    return generations


def test_grpo_trainer_draws_through_the_curriculum_and_reports_its_advantages(cluster, tmp_path, monkeypatch):
    coordinator = cluster.coordinator(extra=["--categories", ",".join(CATEGORIES), "--tau", "0.2"])
    torch.manual_seed(0)
    tokenizer = char_tokenizer()
    model = LlamaForCausalLM(tiny_llama_config(len(tokenizer)))
    dataset = Dataset.from_list([{"prompt": f"{i} {c} {i} =", "category": c}
                                 for i, c in ((i, CATEGORIES[i % 3]) for i in range(30))])
    # Rewards in eighths and no scaling: TRL's advantages r - mean(r) and every sum are exact.
    args = curriculum_grpo_config(str(tmp_path / "out"), STEPS, PROMPTS_PER_STEP, GENERATIONS, use_cpu=True,
                                  learning_rate=1e-3, max_completion_length=4, scale_rewards="none", seed=0)
    for name, value in {"CURRICULUM_BROADCAST": coordinator.broadcast_url, "CURRICULUM_REQUESTS": coordinator.requests_url,
                        "CURRICULUM_WORKER_ID": "trl-trainer", "CURRICULUM_SEED": "3"}.items():
        monkeypatch.setenv(name, value)
    generations = record_generations(monkeypatch)
    with StatusMonitor(coordinator.status_url) as monitor:
        trainer = grpo_with_curriculum(model, tokenizer, dataset, digits_reward, args)
        trainer.train()
        assert len(generations) == STEPS
        expected: Totals = {c: [0, 0.0, 0.0, 0.0] for c in CATEGORIES}
        for generation in generations:
            prompts = generation["prompts"]
            # RepeatSampler's grouping: each prompt num_generations times in a row.
            groups = [prompts[i:i + GENERATIONS] for i in range(0, len(prompts), GENERATIONS)]
            assert len(groups) == PROMPTS_PER_STEP and all(len(set(g)) == 1 for g in groups)
            for category, advantage in zip(generation["categories"], generation["advantages"]):
                add_totals(expected, {category: [1, abs(advantage), advantage * advantage, 0.0]})
        assert any(a != 0 for g in generations for a in g["advantages"]), "no learning signal to report"
        # train() drained the worker: every report acknowledged, then it left.
        status = monitor.wait_for(lambda s: states(s).get("trl-trainer") == "left", timeout=30)
        assert status is not None and status.reports_accepted == STEPS
        assert status_totals(status) == expected
        assert newest_by_worker(status)["trl-trainer"].samples_accepted == STEPS * PROMPTS_PER_STEP * GENERATIONS
