"""verl 0.9's v1 trainer with the curriculum, against a Swift coordinator: the train
loader is built by the trainer's own ``_init_dataloader`` from verl's Hydra config, batches
come from its ``_next_train_batch``, GRPO advantages from its ``_compute_advantage`` over
verl's transfer queue (rows shuffled and padded as ``_balance_batch`` does), and the
loader's checkpoint state is saved and restored."""

from __future__ import annotations

import copy
import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest

pytest.importorskip("transfer_queue", reason="verl 0.9's transfer queue is not installed (pip install 'verl[verl-core]')")
v1 = pytest.importorskip("verl.trainer.ppo.v1", reason="verl >= 0.9 (v1 trainers) is not installed")

import ray  # noqa: E402
import torch  # noqa: E402
import transfer_queue as tq  # noqa: E402
from hydra import compose, initialize_config_dir  # noqa: E402
from verl.trainer.ppo.padding_utils import upsample_batch_to_divisible_size  # noqa: E402
from verl.utils.tensordict_utils import list_of_dict_to_tensordict  # noqa: E402

from curriculum_client import StatusMonitor  # noqa: E402
from curriculum_client.integrations import verl_main  # noqa: E402
from curriculum_client.integrations.verl import CurriculumTrainerMixin, curriculum_trainer  # noqa: E402
from curriculum_client.integrations.verl_main import VERL_CONFIG  # noqa: E402
from helpers import Totals, add_totals, newest_by_worker, states, status_totals  # noqa: E402
from tiny_lm import save_tiny_model_directory, write_prompts_parquet  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "verl_grpo_curriculum.sh"
CATEGORIES = ["add", "mul", "sub"]
PROMPTS = 6  # data.train_batch_size
RESPONSES = 4  # actor_rollout_ref.rollout.n


def example_overrides() -> List[str]:
    """The curriculum's overrides in the verl example README shows."""
    found = re.findall(r"^\s*((?:\+data\.curriculum\.|data\.dataloader_num_workers=)\S+) \\$", EXAMPLE.read_text(), re.M)
    assert found, f"no curriculum overrides in {EXAMPLE}"
    return found


def verl_config(tmp_path: Path):
    """verl's own ppo_trainer config with the example's overrides and this test's."""
    write_prompts_parquet(tmp_path / "train.parquet", CATEGORIES)
    model = save_tiny_model_directory(tmp_path / "model")
    overrides = example_overrides() + [
        f"data.train_files={tmp_path / 'train.parquet'}", f"data.val_files={tmp_path / 'train.parquet'}",
        f"data.train_batch_size={PROMPTS}", f"actor_rollout_ref.model.path={model}",
        f"actor_rollout_ref.rollout.n={RESPONSES}", "algorithm.adv_estimator=grpo",
        # Advantages r - mean(r) with rewards in eighths are exact, so every sum is exact.
        "algorithm.norm_adv_by_std_in_grpo=false",
        "transfer_queue.backend.SimpleStorage.num_data_storage_units=1",
        "+data.curriculum.allocation=systematic", "+data.curriculum.seed=7",
    ]
    with initialize_config_dir(config_dir=VERL_CONFIG, version_base=None):
        return compose("ppo_trainer", overrides=overrides)


def make_trainer(config, coordinator, worker_id: str, monkeypatch):
    """The curriculum trainer, as far as ``init()`` builds it without GPUs: tokenizer and loaders."""
    # As in the example, the coordinator's URLs (and here the worker id) from the environment.
    monkeypatch.setenv("CURRICULUM_BROADCAST", coordinator.broadcast_url)
    monkeypatch.setenv("CURRICULUM_REQUESTS", coordinator.requests_url)
    monkeypatch.setenv("CURRICULUM_WORKER_ID", worker_id)
    trainer = curriculum_trainer(config.trainer.v1.trainer_mode)(config)
    trainer._init_tokenizer()
    trainer._init_dataloader()
    trainer.global_steps = 1
    return trainer


def assert_follows(policy, categories: List[str]) -> None:
    """Systematic allocation: each category's count is floor or ceil of n * p."""
    counts = Counter(categories)
    for category, p in zip(policy.categories, policy.probabilities):
        expected = len(categories) * p
        assert math.floor(expected + 1e-9) <= counts[category] <= math.ceil(expected - 1e-9), (category, p, counts)


def rollout(batch, rng: np.random.Generator):
    """Puts RESPONSES responses per prompt into the transfer queue as verl's agent loop
    does (keys uid_session_0, dataset columns copied, the reward on the last token), then
    reorders the rows and pads them as ``_balance_batch`` does."""
    keys, fields, tags = [], [], []
    for uid, category in zip(batch["uid"], batch["category"]):
        for session in range(RESPONSES):
            length = int(rng.integers(2, 9))
            scores = torch.zeros(length)
            scores[-1] = float(rng.integers(0, 9)) / 8
            keys.append(f"{uid}_{session}_0")
            fields.append({"uid": uid, "category": category, "response_mask": torch.ones(length, dtype=torch.int64),
                           "rm_scores": scores, "prompts": torch.ones(3, dtype=torch.int64),
                           "responses": torch.ones(length, dtype=torch.int64)})
            tags.append({"status": "success", "prompt_len": 3, "response_len": length, "seq_len": 3 + length})
    meta = tq.kv_batch_put(keys=keys, partition_id="train", fields=list_of_dict_to_tensordict(fields), tags=tags)
    meta.reorder(rng.permutation(len(keys)).tolist())
    return upsample_batch_to_divisible_size(meta, len(keys) + 4, eos_token_id=2)


def expected_totals(meta) -> Totals:
    """The statistics of the responses in the transfer queue after advantage computation."""
    keys = [k for k, tag in zip(meta.keys, meta.tags) if not tag.get("is_padding", False)]
    data = tq.kv_batch_get(keys=keys, partition_id="train",
                           select_fields=["category", "advantages", "response_mask", "rm_scores"])
    totals: Totals = {}
    for category, advantage, mask, scores in zip(data["category"], data["advantages"].unbind(),
                                                 data["response_mask"].unbind(), data["rm_scores"].unbind()):
        value = float((advantage.abs() * mask).sum() / mask.sum())
        add_totals(totals, {category: [1, value, value * value, float(scores.sum())]})
    return totals


@pytest.fixture(scope="module")
def transfer_queue_runtime():
    """A local Ray runtime (on 127.0.0.1) for the transfer queue's controller and storage
    actors, one CPU each; an already running runtime of this process is used as it is."""
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    free = ray.available_resources().get("CPU", 0)
    if free < 2:  # tq.init would wait for them without a deadline
        pytest.fail(f"the transfer queue needs 2 free Ray CPUs, the runtime has {free}")
    yield
    tq.close()
    if started:
        ray.shutdown()


def test_the_v1_trainer_draws_from_the_policy_and_reports_its_advantages(cluster, tmp_path, monkeypatch,
                                                                         transfer_queue_runtime):
    coordinator = cluster.coordinator(extra=["--categories", ",".join(CATEGORIES), "--tau", "0.2"])
    config = verl_config(tmp_path)
    tq.init(config.transfer_queue)
    rng = np.random.default_rng(5)
    with StatusMonitor(coordinator.status_url) as monitor:
        trainer = make_trainer(config, coordinator, "verl-trainer", monkeypatch)
        worker = trainer.curriculum_sampler.worker
        totals: Totals = {c: [0, 0.0, 0.0, 0.0] for c in CATEGORIES}
        reports = 0

        def settled_policy():
            """The coordinator's newest policy, once this trainer's worker holds it too."""
            status = monitor.wait_for(lambda s: s.reports_accepted == reports and worker.policy is not None
                                      and s.policy.version == worker.policy.version, timeout=30)
            assert status is not None, "the coordinator and the trainer's worker never agreed on a policy"
            return status.policy

        def draw():
            policy = settled_policy()
            batch = trainer._next_train_batch()
            assert_follows(policy, list(batch["category"]))
            return batch, policy.version

        def report(batch) -> None:
            nonlocal reports
            meta = rollout(batch, rng)
            trainer._compute_advantage(meta, metrics={})
            add_totals(totals, expected_totals(meta))
            reports += 1
            status = monitor.wait_for(lambda s: s.reports_accepted == reports, timeout=30)
            assert status is not None and status_totals(status) == totals

        first, version = draw()
        prefetched, prefetched_version = draw()  # drawn before the first batch is reported
        assert prefetched_version == version
        report(first)
        third, third_version = draw()
        assert third_version > version
        report(prefetched)  # named after the version it was drawn from, now stale
        status = monitor.wait_for(lambda s: s.reports_accepted == reports, timeout=30)
        assert newest_by_worker(status)["verl-trainer"].last_staleness >= 1
        report(third)
        assert trainer.curriculum_sampler.sampler.outstanding == 0
        # fit() drains the worker when verl's fit returns (here at once: training needs GPUs).
        monkeypatch.setattr(v1.PPOTrainerSync, "fit", lambda self, agent_loop_manager: None)
        trainer.fit(agent_loop_manager=None)
        assert monitor.wait_for(lambda s: states(s).get("verl-trainer") == "left", timeout=30) is not None


def test_the_loader_checkpoint_resumes_the_curriculum_position(cluster, tmp_path, monkeypatch):
    # Before any report the policy is uniform: with systematic allocation every batch has
    # exactly 2 prompts per category, so only the sampler's state decides which.
    coordinator = cluster.coordinator(extra=["--categories", ",".join(CATEGORIES)])
    config = verl_config(tmp_path)
    prefetching = copy.deepcopy(config)
    prefetching.data.dataloader_num_workers = 2
    with pytest.raises(ValueError, match="dataloader_num_workers=0"):
        make_trainer(prefetching, coordinator, "verl-prefetching", monkeypatch)
    original = make_trainer(config, coordinator, "verl-original", monkeypatch)
    loader = original.train_dataloader
    batches_per_epoch = len(loader)
    first = original._next_train_batch()
    assert sorted(Counter(first["category"]).values()) == [2, 2, 2]
    saved = loader.state_dict()  # what verl's _save_checkpoint writes to data.pt
    torch.save(saved, tmp_path / "data.pt")
    following = [list(original._next_train_batch()["index"]) for _ in range(2)]

    restored = make_trainer(config, coordinator, "verl-restored", monkeypatch)
    restored.train_dataloader.load_state_dict(torch.load(tmp_path / "data.pt", weights_only=False))
    assert [list(restored._next_train_batch()["index"]) for _ in range(2)] == following
    # The checkpointed first batch (drawn, not yet reported) and these two.
    assert restored.curriculum_sampler.sampler.outstanding == 3
    remaining = sum(1 for _ in restored.train_dataloader_it)
    assert 3 + remaining == batches_per_epoch
    for trainer in (original, restored):
        trainer.curriculum_sampler.worker.close()


def test_verl_main_is_main_ppo_with_the_curriculum_trainer(tmp_path, monkeypatch):
    """Training needs GPUs: check the entry point up to the trainer class its task runner builds."""
    from verl.trainer import main_ppo

    launched = {}
    monkeypatch.setattr(main_ppo, "run_ppo", lambda config, task_runner_class: launched.update(
        config=config, runner=task_runner_class))
    model = save_tiny_model_directory(tmp_path / "model")
    monkeypatch.setattr(sys, "argv", ["verl_main", f"hydra.run.dir={tmp_path / 'hydra'}", "hydra.output_subdir=null",
                                      "algorithm.adv_estimator=grpo", f"actor_rollout_ref.model.path={model}",
                                      "data.train_batch_size=8", "actor_rollout_ref.actor.ppo_mini_batch_size=8",
                                      "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=2",
                                      "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=2",
                                      "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=2"])
    verl_main.main()
    assert launched["runner"] is verl_main.CurriculumTaskRunner

    # verl's TaskRunnerV1.run looks the trainer class up by trainer_mode and builds it.
    built = {}
    monkeypatch.setattr(v1, "get_trainer_cls", v1.get_trainer_cls)  # restored after the test
    monkeypatch.setattr(main_ppo.TaskRunnerV1.__ray_actor_class__, "run", lambda self, config: built.update(
        trainer=v1.get_trainer_cls(config.trainer.v1.trainer_mode)))
    verl_main.CurriculumTaskRunner.__ray_actor_class__().run(launched["config"])
    assert issubclass(built["trainer"], CurriculumTrainerMixin) and issubclass(built["trainer"], v1.PPOTrainerSync)
