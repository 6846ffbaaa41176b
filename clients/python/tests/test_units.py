"""The client's pure parts: outbox, allocation, statistics, report assembly."""

import math

import numpy as np
import pytest

from curriculum_client import (
    Batch, CategoryStats, InvalidReport, Outbox, OutboxFull, Worker, WorkerStopped, allocate,
    effective_probabilities, pb, wire,
)
from curriculum_client.outbox import REJECT_NEW


def report():
    return pb.Report(worker=pb.WorkerIdentity(worker_id="w", incarnation=1), policy_version=0, step_share=1,
                     categories=[pb.CategoryStats(category="a", count=1)])


def test_outbox_numbers_acknowledges_cumulatively_and_selectively():
    box = Outbox(initial_timeout=1.0, seed=1)
    for expected in range(1, 6):
        r = report()
        assert box.enqueue(r, now=0.0) == (expected, None)
        assert r.sequence == expected and r.resend_floor == 1
    assert box.acknowledge(2, [4]) == 3
    assert box.pending_sequences() == [3, 5]
    assert box.resend_floor == 3
    assert box.acknowledge(2, [4]) == 0  # a repeated ack settles nothing
    assert box.acknowledge(5) == 2 and len(box) == 0
    assert box.resend_floor == 6


def test_outbox_retransmits_with_doubling_jittered_backoff_and_current_floor():
    box = Outbox(initial_timeout=1.0, maximum_timeout=3.0, seed=3)
    r1, r2 = report(), report()
    box.enqueue(r1, 0.0)
    box.enqueue(r2, 0.0)
    assert box.due(0.5) == []
    first = box.due(1.26)  # first timeout in [0.75, 1.25]
    assert [r.sequence for r in first] == [1, 2]
    box.acknowledge(1)
    # Second timeout in [1.5, 2.5]; the resent report carries the raised floor.
    assert box.due(1.26 + 1.49) == []
    again = box.due(1.26 + 2.51)
    assert [r.sequence for r in again] == [2] and again[0].resend_floor == 2
    box.expedite_all(5.0)
    assert [r.sequence for r in box.due(5.0)] == [2]
    # Capped at the maximum (3 s +25%).
    assert box.next_deadline <= 5.0 + 3.0 * 1.25


def test_outbox_overflow_drops_oldest_or_rejects_new():
    box = Outbox(capacity=2, seed=0)
    box.enqueue(report(), 0.0)
    box.enqueue(report(), 0.0)
    assert box.enqueue(report(), 0.0) == (3, 1)
    assert box.abandoned == 1 and box.resend_floor == 2
    strict = Outbox(capacity=1, overflow=REJECT_NEW, seed=0)
    strict.enqueue(report(), 0.0)
    assert strict.enqueue(report(), 0.0) == (None, None)


def test_allocation_counts_sum_to_the_batch_and_respect_exclusions():
    rng = np.random.default_rng(0)
    for method in ("multinomial", "systematic"):
        counts = allocate(1000, [0.1, 0.6, 0.3], rng, method=method)
        assert counts.sum() == 1000
        if method == "systematic":
            assert all(abs(c - 1000 * p) <= 1 for c, p in zip(counts, [0.1, 0.6, 0.3]))
        excluded = allocate(50, [0.1, 0.6, 0.3], rng, method=method, available=[True, False, True])
        assert excluded[1] == 0 and excluded.sum() == 50
    assert effective_probabilities([0.0, 0.0, 1.0], [True, True, False]).tolist() == [0.5, 0.5, 0.0]
    floored = effective_probabilities([0.0, 1.0], exploration_floor=0.1)
    assert floored.tolist() == pytest.approx([0.1, 0.9])
    with pytest.raises(ValueError):
        effective_probabilities([1.0], [False])


def test_statistics_from_numpy_lists_and_scalars():
    s = CategoryStats.from_advantages("a", np.array([[0.5, -1.0], [0.25, 0.0]]), [1, 0, 1, 1])
    assert (s.count, s.sum_abs_advantage, s.sum_squared_advantage, s.sum_reward) == (4, 1.75, 1.3125, 3.0)
    assert s.mean_abs_advantage == 1.75 / 4
    assert CategoryStats.from_advantages("b", [-2.0]).sum_abs_advantage == 2.0
    assert CategoryStats.from_advantages("c", 0.5).count == 1
    assert CategoryStats.from_advantages("d", []).count == 0
    with pytest.raises(InvalidReport):
        CategoryStats.from_advantages("e", [math.nan])
    with pytest.raises(InvalidReport):
        CategoryStats.from_advantages("f", [1.0, 2.0], [1.0])
    with pytest.raises(InvalidReport):
        CategoryStats("", 1).validate()
    with pytest.raises(InvalidReport):
        CategoryStats("g", 0, sum_reward=1.0).validate()


def pending(worker):
    return [r for r in worker._outbox._pending.values()]


def test_a_report_of_a_batch_lists_every_category_of_its_policy():
    worker = Worker("unit", "inproc://nowhere-b", "inproc://nowhere-r", step_share=0.25, incarnation=9)
    batch = Batch(policy_version=4, categories=("x", "y", "z"), counts=(2, 0, 1))
    assert worker.report(batch, {"x": np.array([0.5, -0.5]), "z": [1.0]}, {"x": [1, 0], "z": [1]}) == 1
    (entry,) = pending(worker)
    r = entry.report.to_proto()
    assert (r.sequence, r.policy_version, r.step_share, r.resend_floor) == (1, 4, 0.25, 1)
    assert (r.worker.worker_id, r.worker.incarnation) == ("unit", 9)
    got = {c.category: (c.count, c.sum_abs_advantage, c.sum_squared_advantage, c.sum_reward) for c in r.categories}
    assert got == {"x": (2, 1.0, 0.5, 1.0), "z": (1, 1.0, 1.0, 1.0), "y": (0, 0.0, 0.0, 0.0)}
    # The frame the worker sends is what the wire module decodes, and what it encodes.
    data = worker._report_frame([entry.report])
    body, envelope = wire.decode(data)
    assert body == "report" and envelope.report == r
    assert data == wire.encode("report", r)
    assert worker.counters.samples_queued == 3
    with pytest.raises(InvalidReport):
        worker.report(7, {})  # nothing to report, and no known policy to fill in
    with pytest.raises(InvalidReport):
        worker.report(batch, {"x": [math.inf]})
    with pytest.raises(InvalidReport):
        worker.report(4, statistics=[CategoryStats("x", 1, 1, 1), CategoryStats("x", 1, 1, 1)])
    worker.close()
    with pytest.raises(WorkerStopped):
        worker.report(batch, {"x": [0.5]})


def test_reject_new_outbox_raises_outbox_full():
    worker = Worker("unit", "inproc://nowhere-b2", "inproc://nowhere-r2", outbox_capacity=1, overflow="reject_new")
    worker.report(0, statistics=[CategoryStats("x", 1, 0.5, 0.25)])
    with pytest.raises(OutboxFull):
        worker.report(0, statistics=[CategoryStats("x", 1, 0.5, 0.25)])
    worker.close()


def test_invalid_configuration_is_refused():
    with pytest.raises(ValueError):
        Worker("w", "inproc://b", "inproc://r", step_share=0)
    with pytest.raises(ValueError):
        Worker("w", "inproc://b", "inproc://r", step_share=1.5)
    with pytest.raises(ValueError):
        Worker("", "inproc://b", "inproc://r")


def test_integration_settings_come_from_the_config_else_the_environment(monkeypatch):
    from curriculum_client.integrations.settings import CurriculumSettings

    for variable in ("CURRICULUM_BROADCAST", "CURRICULUM_REQUESTS", "CURRICULUM_WORKER_ID", "CURRICULUM_SEED",
                     "CURRICULUM_CATEGORY_COLUMN", "CURRICULUM_AUTH_KEYS", "CURRICULUM_ALLOCATION", "CURRICULUM_TIMEOUT"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(ValueError, match=r"broadcast_url is not set.*\$CURRICULUM_BROADCAST"):
        CurriculumSettings.resolve({"requests_url": "tcp://h:2"})
    monkeypatch.setenv("CURRICULUM_BROADCAST", "tcp://env:1")
    monkeypatch.setenv("CURRICULUM_REQUESTS", "tcp://env:2")
    monkeypatch.setenv("CURRICULUM_SEED", "5")
    settings = CurriculumSettings.resolve({"requests_url": "tcp://config:2", "category_column": "level"})
    assert (settings.broadcast_url, settings.requests_url, settings.category_column, settings.seed) == (
        "tcp://env:1", "tcp://config:2", "level", 5)
    assert settings.worker_id.startswith("trainer-") and settings.allocation == "multinomial"
    with pytest.raises(ValueError, match="unknown curriculum settings"):
        CurriculumSettings.resolve({"broadcast": "tcp://h:1"})
    with pytest.raises(ValueError, match="neither multinomial nor systematic"):
        CurriculumSettings.resolve({"allocation": "stratified"})
