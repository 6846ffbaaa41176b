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


def test_the_vectors_cover_every_body_and_label():
    assert {wire.decode(bytes.fromhex(v["hex"]))[0] for v in OK} == set(wire.TOPICS)
    assert {v["error"] for v in ERRORS} >= {
        "truncated", "unknown_topic", "malformed", "unknown_message_type", "topic_mismatch",
        "invalid_report_batch", "unsupported_protocol_version"}


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


def test_group_counts_are_optional_and_a_present_zero_is_kept():
    vector = next(v for v in OK if v["name"] == "report-with-groups")
    _, envelope = wire.decode(bytes.fromhex(vector["hex"]))
    hard, easy = envelope.report.categories
    assert (hard.groups, hard.zero_variance_groups) == (8, 3)
    assert easy.HasField("zero_variance_groups") and easy.zero_variance_groups == 0
    plain = next(v for v in OK if v["name"] == "report")
    _, old = wire.decode(bytes.fromhex(plain["hex"]))
    assert not old.report.categories[0].HasField("groups")


def test_a_report_batch_names_the_worker_all_its_reports_name():
    vector = next(v for v in OK if v["name"] == "report-batch")
    body, envelope = wire.decode(bytes.fromhex(vector["hex"]))
    assert body == "report_batch"
    assert [r.sequence for r in envelope.report_batch.reports] == [10, 11, 12]
    assert (wire.sender(envelope).worker_id, wire.sender(envelope).incarnation) == ("rollout-3", 77)
    nameless = next(v for v in OK if v["name"] == "report-batch-nameless")
    assert wire.sender(wire.decode(bytes.fromhex(nameless["hex"]))[1]) is None


def test_a_refused_batch_says_why():
    details = {}
    for name in ("report-batch-empty", "report-batch-two-incarnations", "report-batch-named-and-nameless"):
        vector = next(v for v in ERRORS if v["name"] == name)
        with pytest.raises(wire.WireError) as raised:
            wire.decode(bytes.fromhex(vector["hex"]))
        details[name] = raised.value.detail
    assert details == {
        "report-batch-empty": "it holds no report",
        "report-batch-two-incarnations": "its reports name more than one worker (rollout-3#77 and rollout-3#78)",
        "report-batch-named-and-nameless": "its reports name more than one worker (rollout-3#77 and none)",
    }


def test_version_1_frames_are_refused_and_the_answer_to_them_is_written_in_version_1():
    refused = {v["name"]: v for v in ERRORS if v["error"] == "unsupported_protocol_version"}
    assert {"protocol-version-1", "protocol-version-1-join", "protocol-version-0", "protocol-version-3"} <= set(refused)
    for name in ("protocol-version-1", "protocol-version-1-join"):
        with pytest.raises(wire.WireError) as raised:
            wire.decode(bytes.fromhex(refused[name]["hex"]))
        # The coordinator names the sender from the refused envelope, to answer it.
        assert wire.sender(raised.value.envelope).worker_id == "rollout-3"
    answer = DATA["version_1_answer"]
    data = bytes.fromhex(answer["hex"])
    assert data[:4] == b"CTRL"
    envelope = pb.Envelope.FromString(data[4:])
    assert json_format.MessageToDict(envelope) == answer["envelope"]
    mismatch = envelope.control.protocol_mismatch
    assert envelope.protocol_version == mismatch.received_version == 1
    assert list(mismatch.supported_versions) == [wire.PROTOCOL_VERSION] == [2]
    # A version-2 reader refuses it like any frame of another version.
    with pytest.raises(wire.WireError) as raised:
        wire.decode(data)
    assert raised.value.label == answer["error"]


def test_every_frame_a_worker_writes_is_of_version_2():
    join = next(v for v in OK if v["name"] == "join")
    assert join["envelope"]["protocolVersion"] == 2 and join["envelope"]["join"]["supportedVersions"] == [2]
    for vector in DATA["signed"]:
        assert pb.Envelope.FromString(bytes.fromhex(vector["hex"])[4:]).protocol_version == 2
