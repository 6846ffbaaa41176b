#!/usr/bin/env python3
"""Writes vectors.json: wire frames as hex, each with what a decoder must make of it.

The frames are built with Google's Python protobuf runtime, independently of the
Swift code, so the Swift tests that decode them check two implementations against
each other. `signed` holds frames signed as Protocols/README.md section 8 says, with
their key, counter and time, built here from a standard serialization of
`Authentication` and Python's hmac module. Run: protoc --python_out=DIR curriculum.proto,
then PYTHONPATH=DIR python3 make_vectors.py > vectors.json

The frames are of protocol version 2 (VERSION). Version-1 frames appear only as frames a
version-2 receiver refuses (`unsupported_protocol_version`); `version_1_answer` is the one
frame a version-2 coordinator writes in version 1: the ProtocolMismatch a version-1 worker
must be able to read.
"""
import hashlib
import hmac
import json
import sys

from google.protobuf import json_format

import curriculum_pb2 as pb

VERSION = 2


def worker(worker_id, incarnation):
    return pb.WorkerIdentity(worker_id=worker_id, incarnation=incarnation)


def frame(topic, envelope):
    return topic.encode("ascii") + envelope.SerializeToString(deterministic=True)


def valid(name, topic, **body):
    envelope = pb.Envelope(protocol_version=VERSION, **body)
    return {
        "name": name,
        "hex": frame(topic, envelope).hex(),
        "expect": "ok",
        "topic": topic,
        "envelope": json_format.MessageToDict(envelope),
    }


def invalid(name, data, error):
    return {"name": name, "hex": data.hex(), "expect": "error", "error": error}


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def signed(name, topic, key_id, secret, counter, sent_at_ms, **body):
    unsigned = frame(topic, pb.Envelope(protocol_version=VERSION, **body))
    # A standard serializer writes fields in number order, so the placeholder MAC
    # (field 15) comes last; it is replaced by the real one.
    field = pb.Authentication(key_id=key_id, counter=counter, sent_at_ms=sent_at_ms,
                              mac=bytes(32)).SerializeToString(deterministic=True)
    assert field.endswith(b"\x7a\x20" + bytes(32))
    prefix = (unsigned + b"\x12" + varint(len(field)) + field)[:-32]
    mac = hmac.new(secret, prefix, hashlib.sha256).digest()
    data = prefix + mac
    parsed = pb.Envelope.FromString(data[4:])
    assert parsed.authentication.mac == mac and parsed.WhichOneof("body") is not None
    return {
        "name": name,
        "topic": topic,
        "key_id": key_id,
        "secret_hex": secret.hex(),
        "counter": counter,
        "sent_at_ms": sent_at_ms,
        "unsigned_hex": unsigned.hex(),
        "hex": data.hex(),
        "mac_hex": mac.hex(),
    }


def main():
    policy = pb.Policy(
        version=42,
        categories=["math/easy", "math/hard", "code/medium"],
        probabilities=[0.25, 0.5, 0.25],
        values=[0.125, 0.5, 0.0625],
        policy_name="sec",
        issued_at_ms=1764400000000,
    )
    report = pb.Report(
        worker=worker("rollout-3", 77),
        sequence=9,
        policy_version=41,
        step_share=0.125,
        resend_floor=7,
        categories=[
            pb.CategoryStats(
                category="math/hard",
                count=64,
                sum_abs_advantage=20.5,
                sum_squared_advantage=31.25,
                sum_reward=12.0,
            ),
            pb.CategoryStats(category="math/easy", count=8, sum_abs_advantage=0.5,
                             sum_squared_advantage=0.125, sum_reward=7.0),
        ],
    )
    # The reports that followed `report`, ready at once: one frame if the coordinator allows it.
    # The second lists a category its batch had no sample of, as section 5 asks.
    batch = pb.ReportBatch(reports=[
        pb.Report(worker=worker("rollout-3", 77), sequence=10, policy_version=41, step_share=0.125,
                  resend_floor=7, categories=[
                      pb.CategoryStats(category="math/hard", count=40, sum_abs_advantage=12.25,
                                       sum_squared_advantage=18.5, sum_reward=6.0),
                      pb.CategoryStats(category="code/medium", count=32, sum_abs_advantage=4.0,
                                       sum_squared_advantage=2.5, sum_reward=16.0),
                  ]),
        pb.Report(worker=worker("rollout-3", 77), sequence=11, policy_version=42, step_share=0.125,
                  resend_floor=7, categories=[
                      pb.CategoryStats(category="math/easy", count=72, sum_abs_advantage=9.0,
                                       sum_squared_advantage=3.375, sum_reward=60.0),
                      pb.CategoryStats(category="math/hard"),
                  ]),
        pb.Report(worker=worker("rollout-3", 77), sequence=12, policy_version=42, step_share=0.125,
                  resend_floor=7, categories=[
                      pb.CategoryStats(category="math/hard", count=72, sum_abs_advantage=22.5,
                                       sum_squared_advantage=30.0, sum_reward=13.0),
                  ]),
    ])
    # A worker that counts its prompt groups (section 5, "Zero-variance groups"): 8 groups of 8
    # on math/hard, 3 of them all equal; one group of math/easy, none all equal (a present 0).
    grouped = pb.Report(
        worker=worker("rollout-4", 5), sequence=2, policy_version=41, step_share=0.125, resend_floor=2,
        categories=[
            pb.CategoryStats(category="math/hard", count=64, sum_abs_advantage=20.5,
                             sum_squared_advantage=31.25, sum_reward=12.0, groups=8, zero_variance_groups=3),
            pb.CategoryStats(category="math/easy", count=8, sum_abs_advantage=0.5,
                             sum_squared_advantage=0.125, sum_reward=7.0, groups=1, zero_variance_groups=0),
        ],
    )
    # Neither may share a batch with `report`: one names no worker, the other another incarnation.
    nameless = pb.Report(sequence=3, policy_version=41, step_share=0.125,
                         categories=[pb.CategoryStats(category="math/easy", count=4, sum_reward=2.0)])
    reincarnated = pb.Report()
    reincarnated.CopyFrom(report)
    reincarnated.worker.incarnation = 78
    vectors = [
        valid("join", "JOIN", join=pb.Join(worker=worker("rollout-3", 77), supported_versions=[VERSION],
                                           step_share=0.125, hostname="node-7",
                                           categories=["math/easy", "math/hard"])),
        valid("report", "REPT", report=report),
        valid("report-with-groups", "REPT", report=grouped),
        valid("heartbeat", "BEAT", heartbeat=pb.Heartbeat(worker=worker("rollout-3", 77),
                                                          policy_version=42, unacknowledged=2,
                                                          resend_floor=8)),
        valid("leave", "LEAV", leave=pb.Leave(worker=worker("rollout-3", 77), last_sequence=9)),
        valid("policy", "POLI", policy=policy),
        valid("acks", "ACKS", acks=pb.Acks(workers=[
            pb.WorkerAck(worker=worker("rollout-3", 77), contiguous_through=7, selective=[9], rejected=1),
            pb.WorkerAck(worker=worker("rollout-4", 5), contiguous_through=120),
        ])),
        valid("join-accepted", "CTRL", control=pb.Control(join_accepted=pb.JoinAccepted(
            worker=worker("rollout-3", 77), lease_ms=10000, heartbeat_interval_ms=2000,
            policy=policy, contiguous_through=0))),
        valid("join-accepted-with-batches", "CTRL", control=pb.Control(join_accepted=pb.JoinAccepted(
            worker=worker("rollout-3", 77), lease_ms=10000, heartbeat_interval_ms=2000,
            policy=policy, contiguous_through=9, max_reports_per_frame=64))),
        valid("join-rejected", "CTRL", control=pb.Control(join_rejected=pb.JoinRejected(
            worker=worker("rollout-3", 77), reason="step_share must be in (0, 1], got 2"))),
        valid("leave-accepted", "CTRL", control=pb.Control(leave_accepted=pb.LeaveAccepted(
            worker=worker("rollout-3", 77)))),
        # A mismatch answering an older version is written in it, the one its receiver reads:
        # this is what a coordinator of a later version answers a version-2 frame with.
        valid("protocol-mismatch", "CTRL", control=pb.Control(protocol_mismatch=pb.ProtocolMismatch(
            worker=worker("rollout-3", 77), received_version=VERSION, supported_versions=[VERSION + 1]))),
        valid("status", "STAT", status=pb.Status(
            policy=policy,
            workers=[pb.WorkerStatus(worker=worker("rollout-3", 77), state="active", last_seen_ms_ago=120,
                                     last_policy_version=42, last_staleness=1, reports_per_second=10.5,
                                     reports_accepted=9, hostname="node-7")],
            reports_accepted=9, reports_rejected=1, duplicates_ignored=3, malformed_messages=0,
            uptime_ms=60000,
            totals=[pb.CategoryTotals(category="math/hard", count=64, sum_abs_advantage=20.5,
                                      sum_squared_advantage=31.25, sum_reward=12.0, reports=1)])),
        valid("report-batch", "REPT", report_batch=batch),
        # Well-formed: its reports are then refused one by one, as reports without a worker are.
        valid("report-batch-nameless", "REPT", report_batch=pb.ReportBatch(reports=[nameless, nameless])),
        invalid("empty", b"", "truncated"),
        invalid("topic-cut-short", b"REP", "truncated"),
        invalid("unknown-topic", b"XXXX" + pb.Envelope(protocol_version=VERSION).SerializeToString(), "unknown_topic"),
        invalid("garbage-after-topic", b"REPT\xff\xff\xff\xff\xff", "malformed"),
        invalid("no-body", b"REPT" + pb.Envelope(protocol_version=VERSION).SerializeToString(), "unknown_message_type"),
        # Field 30, a message kind a later protocol version might add.
        invalid("future-message-type", b"REPT" + pb.Envelope(protocol_version=VERSION).SerializeToString() + b"\xf2\x01\x00",
                "unknown_message_type"),
        invalid("topic-mismatch", frame("POLI", pb.Envelope(protocol_version=VERSION, report=report)), "topic_mismatch"),
        invalid("protocol-version-1", frame("REPT", pb.Envelope(protocol_version=1, report=report)),
                "unsupported_protocol_version"),
        invalid("protocol-version-1-join", frame("JOIN", pb.Envelope(protocol_version=1, join=pb.Join(
            worker=worker("rollout-3", 77), supported_versions=[1], step_share=0.125, hostname="node-7"))),
                "unsupported_protocol_version"),
        invalid("protocol-version-3", frame("REPT", pb.Envelope(protocol_version=3, report=report)),
                "unsupported_protocol_version"),
        invalid("protocol-version-0", frame("REPT", pb.Envelope(report=report)), "unsupported_protocol_version"),
        invalid("report-batch-empty", frame("REPT", pb.Envelope(protocol_version=VERSION, report_batch=pb.ReportBatch())),
                "invalid_report_batch"),
        invalid("report-batch-two-incarnations",
                frame("REPT", pb.Envelope(protocol_version=VERSION,
                                          report_batch=pb.ReportBatch(reports=[report, reincarnated]))),
                "invalid_report_batch"),
        invalid("report-batch-named-and-nameless",
                frame("REPT", pb.Envelope(protocol_version=VERSION,
                                          report_batch=pb.ReportBatch(reports=[report, nameless]))),
                "invalid_report_batch"),
        # An empty identity is still an identity: it is not the same as naming none.
        invalid("report-batch-nameless-and-empty-identity",
                frame("REPT", pb.Envelope(protocol_version=VERSION, report_batch=pb.ReportBatch(
                    reports=[nameless, pb.Report(worker=pb.WorkerIdentity(), sequence=4)]))),
                "invalid_report_batch"),
    ]
    secret = bytes(range(32))
    signed_frames = [
        signed("report-signed", "REPT", "2026-05", secret, 300, 1764400000123, report=report),
        signed("join-signed", "JOIN", "k1", secret, 1, 1764400000000,
               join=pb.Join(worker=worker("rollout-3", 77), supported_versions=[VERSION], step_share=0.125,
                            hostname="node-7", categories=["math/easy", "math/hard"])),
        # One signature for the whole batch.
        signed("report-batch-signed", "REPT", "2026-05", secret, 301, 1764400000140, report_batch=batch),
    ]
    # What a version-2 coordinator answers a version-1 frame naming rollout-3#77 with: in
    # version 1, so the old worker reads it and stops (a version-2 decoder refuses it).
    answer = pb.Envelope(protocol_version=1, control=pb.Control(protocol_mismatch=pb.ProtocolMismatch(
        worker=worker("rollout-3", 77), received_version=1, supported_versions=[VERSION])))
    version_1_answer = {
        "name": "protocol-mismatch-to-version-1",
        "hex": frame("CTRL", answer).hex(),
        "topic": "CTRL",
        "envelope": json_format.MessageToDict(answer),
        "error": "unsupported_protocol_version",
    }
    json.dump({"protocol_version": VERSION, "vectors": vectors, "signed": signed_frames,
               "version_1_answer": version_1_answer}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
