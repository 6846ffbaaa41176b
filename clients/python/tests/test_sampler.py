"""The curriculum sampler against a Swift coordinator: draws follow the policy, updates report."""

import numpy as np
import pytest

from curriculum_client import CurriculumSampler, StatusMonitor, Worker, per_sample_mean

from helpers import newest_by_worker, states


def test_the_sampler_draws_from_the_policy_and_reports_each_batch(cluster):
    coordinator = cluster.coordinator()
    categories = ["easy"] * 50 + ["hard"] * 30 + ["other"] * 20
    with StatusMonitor(coordinator.status_url) as monitor:
        with Worker("sampler", coordinator.broadcast_url, coordinator.requests_url, step_share=1.0,
                    categories=["easy", "hard", "other"], seed=3) as worker:
            sampler = CurriculumSampler(worker, categories, batch_size=16, num_batches=5, seed=1)
            assert len(sampler) == 80
            loader = iter(sampler)
            for step in range(5):
                indices = [next(loader) for _ in range(16)]  # what a DataLoader batches
                drawn = [categories[i] for i in indices]
                # Two samples per prompt, token-level advantages with a mask.
                token_adv = np.repeat(np.linspace(-1, 1, 16), 2)[:, None] * np.ones((32, 4))
                mask = np.ones((32, 4))
                sampler.update(np.repeat(drawn, 2), per_sample_mean(token_adv, mask), np.ones(32))
            assert sampler.outstanding == 0
            assert worker.wait_until_unacknowledged(0, timeout=30)
        status = monitor.wait_for(lambda s: states(s).get("sampler") == "left", timeout=30)
        assert status is not None
        entry = newest_by_worker(monitor.next_status(timeout=10))["sampler"]
        assert entry.reports_accepted == 5 and entry.samples_accepted == 5 * 32


def test_a_restored_sampler_state_continues_mid_batch(cluster):
    coordinator = cluster.coordinator()
    categories = ["easy"] * 30 + ["hard"] * 30
    with Worker("stateful", coordinator.broadcast_url, coordinator.requests_url, step_share=1.0,
                categories=["easy", "hard"], seed=3) as worker:
        sampler = CurriculumSampler(worker, categories, batch_size=8, num_batches=3, seed=1)
        loader = iter(sampler)
        head = [next(loader) for _ in range(5)]
        state = sampler.state_dict()
        rest_of_batch = [next(loader) for _ in range(3)]
        restored = CurriculumSampler(worker, categories, batch_size=8, num_batches=3, seed=99)
        restored.load_state_dict(state)
        resumed = iter(restored)
        assert [next(resumed) for _ in range(3)] == rest_of_batch
        assert restored.outstanding == 1 and len(head) + len(rest_of_batch) == 8
        assert len(list(resumed)) == 16  # the epoch's two other batches, then it ends
        foreign = dict(state, current=[0, 60])
        with pytest.raises(ValueError, match="outside this dataset of 60 items"):
            restored.load_state_dict(foreign)
        with pytest.raises(ValueError, match="missing"):
            restored.load_state_dict({"offset": 0})
