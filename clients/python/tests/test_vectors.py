"""The Protocols/ test vectors decode in Python exactly as the specification says."""

import json
from pathlib import Path

import pytest
from google.protobuf import json_format

from curriculum_client import pb, wire

VECTORS = Path(__file__).resolve().parents[3] / "Protocols" / "vectors" / "vectors.json"
DATA = json.loads(VECTORS.read_text())
OK = [v for v in DATA["vectors"] if v["expect"] == "ok"]
ERRORS = [v for v in DATA["vectors"] if v["expect"] == "error"]


def test_the_vectors_are_for_this_protocol_version():
    assert DATA["protocol_version"] == wire.PROTOCOL_VERSION
    assert len(OK) >= 10 and len(ERRORS) >= 8


@pytest.mark.parametrize("vector", OK, ids=[v["name"] for v in OK])
def test_valid_frames_decode_to_their_meaning_and_reencode_byte_for_byte(vector):
    data = bytes.fromhex(vector["hex"])
    body, envelope = wire.decode(data)
    assert wire.TOPICS[body].decode() == vector["topic"]
    assert json_format.MessageToDict(envelope) == vector["envelope"]
    # Built from the decoded meaning, the frame comes out byte for byte the same.
    rebuilt = json_format.ParseDict(vector["envelope"], pb.Envelope())
    assert wire.frame(rebuilt) == data
    assert wire.encode(body, getattr(rebuilt, body)) == data


@pytest.mark.parametrize("vector", ERRORS, ids=[v["name"] for v in ERRORS])
def test_invalid_frames_raise_their_label(vector):
    with pytest.raises(wire.WireError) as raised:
        wire.decode(bytes.fromhex(vector["hex"]))
    assert raised.value.label == vector["error"]


def test_oversized_frames_are_refused_before_decoding():
    with pytest.raises(wire.WireError) as raised:
        wire.decode(b"REPT" + b"\x00" * wire.MAX_FRAME_SIZE)
    assert raised.value.label == "oversized"


def test_a_report_vector_read_field_by_field():
    vector = next(v for v in OK if v["name"] == "report")
    _, envelope = wire.decode(bytes.fromhex(vector["hex"]))
    report = envelope.report
    assert (report.worker.worker_id, report.worker.incarnation) == ("rollout-3", 77)
    assert (report.sequence, report.policy_version, report.resend_floor) == (9, 41, 7)
    assert report.step_share == 0.125
    hard = report.categories[0]
    assert (hard.category, hard.count, hard.sum_abs_advantage, hard.sum_squared_advantage, hard.sum_reward) == (
        "math/hard", 64, 20.5, 31.25, 12.0)
