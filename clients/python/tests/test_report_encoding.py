"""The hand-written REPT encoder writes byte for byte what the generated protobuf encoder
writes, for random reports and batches, signed and unsigned, and for Protocols/vectors."""

import json
import math
import random
import struct
from pathlib import Path

import pytest

from curriculum_client import pb, wire
from curriculum_client.auth import HMACAuthenticator, sign_frame, AuthenticationKey
from curriculum_client.report_encoding import (
    ReportRecord, category_entry, empty_entry, identity_field, records_of, report_frame, varint,
)

VECTORS = json.loads((Path(__file__).resolve().parents[3] / "Protocols" / "vectors" / "vectors.json").read_text())


def generated_frame(reports):
    if len(reports) == 1:
        return wire.encode("report", reports[0])
    return wire.encode("report_batch", pb.ReportBatch(reports=reports))


def random_double(rng):
    return rng.choice([
        0.0, -0.0, 1.0, 0.125, -2.5, 5e-324, 1e308, -1e-300, math.pi,
        rng.uniform(-1e6, 1e6), struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0],
    ])


def random_name(rng):
    alphabet = "abcXYZ/_-0123 éπ漢😀"
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 2, 9, 40, 200])))


def random_number(rng):
    return rng.choice([0, 1, 127, 128, 16383, 16384, 2**32, 2**63 - 1, 2**64 - 1, rng.getrandbits(rng.randint(1, 64))])


def random_report(rng, worker):
    stats = []
    for _ in range(rng.choice([0, 1, 2, 16, 70])):
        entry = pb.CategoryStats(
            category=rng.choice(["", random_name(rng)]), count=random_number(rng),
            sum_abs_advantage=random_double(rng), sum_squared_advantage=random_double(rng),
            sum_reward=random_double(rng))
        if rng.random() < 0.3:
            entry.groups = random_number(rng)
        if rng.random() < 0.3:
            entry.zero_variance_groups = random_number(rng)
        if not math.isnan(entry.sum_abs_advantage + entry.sum_squared_advantage + entry.sum_reward):
            stats.append(entry)
    report = pb.Report(sequence=random_number(rng), policy_version=random_number(rng),
                       step_share=random_double(rng), categories=stats, resend_floor=random_number(rng))
    if worker is not None:
        report.worker.CopyFrom(worker)
    return report


@pytest.mark.parametrize("seed", range(40))
def test_random_reports_and_batches_encode_as_the_generated_encoder_does(seed):
    rng = random.Random(seed)
    worker = rng.choice([None, pb.WorkerIdentity(), pb.WorkerIdentity(worker_id=random_name(rng)),
                         pb.WorkerIdentity(worker_id=random_name(rng), incarnation=random_number(rng))])
    reports = [random_report(rng, worker) for _ in range(rng.choice([1, 1, 2, 3, 64]))]
    data = report_frame(records_of(reports))
    assert data == generated_frame(reports)
    body, envelope = wire.decode(data)
    assert body == ("report" if len(reports) == 1 else "report_batch")


@pytest.mark.parametrize("seed", range(10))
def test_signed_fast_frames_equal_signed_generated_frames(seed):
    rng = random.Random(1000 + seed)
    worker = pb.WorkerIdentity(worker_id=random_name(rng), incarnation=random_number(rng))
    reports = [random_report(rng, worker) for _ in range(rng.choice([1, 5]))]
    key = AuthenticationKey("k-" + str(seed), bytes(rng.getrandbits(8) for _ in range(32)))
    counter, sent_at = rng.randint(1, 2**40), rng.randint(1, 2**45)
    fast = sign_frame(report_frame(records_of(reports)), key, counter, sent_at)
    assert fast == sign_frame(generated_frame(reports), key, counter, sent_at)
    # And the worker's own signer, on a clock both share.
    a = HMACAuthenticator(key.key_id, key.secret, clock=lambda: 1_764_400_000.5)
    b = HMACAuthenticator(key.key_id, key.secret, clock=lambda: 1_764_400_000.5)
    assert a.sign(report_frame(records_of(reports))) == b.sign(generated_frame(reports))


def reports_in(frame_hex):
    body, envelope = wire.decode(bytes.fromhex(frame_hex))
    return [envelope.report] if body == "report" else list(envelope.report_batch.reports)


def test_the_report_vectors_come_out_byte_for_byte():
    checked = 0
    for vector in VECTORS["vectors"]:
        if vector["expect"] != "ok" or vector["topic"] != "REPT":
            continue
        assert report_frame(records_of(reports_in(vector["hex"]))).hex() == vector["hex"], vector["name"]
        checked += 1
    for vector in VECTORS["signed"]:
        if vector["topic"] != "REPT":
            continue
        unsigned = report_frame(records_of(reports_in(vector["unsigned_hex"])))
        assert unsigned.hex() == vector["unsigned_hex"]
        key = AuthenticationKey(vector["key_id"], bytes.fromhex(vector["secret_hex"]))
        assert sign_frame(unsigned, key, vector["counter"], vector["sent_at_ms"]).hex() == vector["hex"]
        checked += 1
    assert checked >= 4


def test_a_record_written_as_the_worker_writes_it():
    entries = [category_entry("math", 3, 1.5, 0.75, -2.0, groups=1, zero_variance_groups=0), empty_entry("code")]
    record = ReportRecord(identity_field("w-1", 5), 7, 0.25, entries)
    record.sequence, record.resend_floor = 12, 9
    expected = pb.Report(
        worker=pb.WorkerIdentity(worker_id="w-1", incarnation=5), sequence=12, policy_version=7, step_share=0.25,
        resend_floor=9, categories=[
            pb.CategoryStats(category="math", count=3, sum_abs_advantage=1.5, sum_squared_advantage=0.75,
                             sum_reward=-2.0, groups=1, zero_variance_groups=0),
            pb.CategoryStats(category="code")])
    assert record.to_proto() == expected
    assert report_frame([record]) == wire.encode("report", expected)
    # The outbox raises the floor of a retransmission: only that field changes.
    record.resend_floor = 11
    expected.resend_floor = 11
    assert report_frame([record, record]) == wire.encode("report_batch", pb.ReportBatch(reports=[expected] * 2))


def test_numbers_out_of_range_are_refused_as_by_the_generated_encoder():
    with pytest.raises(ValueError):
        pb.CategoryStats(category="x", count=2**64)
    with pytest.raises(ValueError):
        category_entry("x", 2**64, 0.0, 0.0, 0.0)
    for value in (-1, -20000, 2**64):
        with pytest.raises(ValueError):
            pb.Report(policy_version=value)
        with pytest.raises(ValueError):
            varint(value)
