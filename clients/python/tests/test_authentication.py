"""Signed frames (Protocols/README.md section 8): the test vectors, the key file, and
signed Python workers against a Swift coordinator started with --auth-keys."""

import json
import os
import signal
import threading
from pathlib import Path

import pytest

from curriculum_client import (
    AuthenticationError,
    HMACAuthenticator,
    KeyFileError,
    StatusMonitor,
    Worker,
    load_keyring,
    pb,
    wire,
)
from curriculum_client.auth import AuthenticationKey, sign_frame, verify_frame

from conftest import wait_until
from helpers import add_totals, newest_by_worker, report_loop, states, status_totals

VECTORS = Path(__file__).resolve().parents[3] / "Protocols" / "vectors" / "vectors.json"
SIGNED = json.loads(VECTORS.read_text())["signed"]
PY_CATEGORIES = ["py/easy", "py/medium", "py/hard"]
SECRET_HEX = "5a" * 32


def keyring_of(vector):
    return {vector["key_id"]: AuthenticationKey(vector["key_id"], bytes.fromhex(vector["secret_hex"]))}


def write_keys(directory, text, mode=0o600, name="keys"):
    path = directory / name
    path.write_text(text)
    os.chmod(path, mode)
    return str(path)


@pytest.mark.parametrize("vector", SIGNED, ids=[v["name"] for v in SIGNED])
def test_signing_gives_the_vector_byte_for_byte_and_it_verifies(vector):
    key = keyring_of(vector)[vector["key_id"]]
    unsigned = bytes.fromhex(vector["unsigned_hex"])
    signed = sign_frame(unsigned, key, vector["counter"], vector["sent_at_ms"])
    assert signed.hex() == vector["hex"]
    assert signed[-32:].hex() == vector["mac_hex"]
    # An ordinary decoder reads the signed frame; its body is the unsigned frame's.
    body, envelope = wire.decode(signed)
    assert wire.TOPICS[body].decode() == vector["topic"]
    assert getattr(envelope, body) == getattr(wire.decode(unsigned)[1], body)
    assert (envelope.authentication.key_id, envelope.authentication.counter, envelope.authentication.sent_at_ms) == (
        vector["key_id"], vector["counter"], vector["sent_at_ms"])
    assert verify_frame(signed, keyring_of(vector)) == envelope


@pytest.mark.parametrize("vector", SIGNED, ids=[v["name"] for v in SIGNED])
def test_flipping_any_byte_of_a_signed_vector_fails_it(vector):
    signed = bytes.fromhex(vector["hex"])
    keyring = keyring_of(vector)
    for index in range(len(signed)):
        tampered = bytearray(signed)
        tampered[index] ^= 0x01
        try:
            wire.decode(bytes(tampered))
        except wire.WireError:
            continue  # no longer a frame at all
        with pytest.raises(AuthenticationError):
            verify_frame(bytes(tampered), keyring)


def test_the_wrong_secret_an_unknown_key_and_no_signature_have_their_labels():
    vector = SIGNED[0]
    signed = bytes.fromhex(vector["hex"])
    labels = []
    for keyring, frame in [
        ({vector["key_id"]: AuthenticationKey(vector["key_id"], b"\x07" * 32)}, signed),
        ({"other": AuthenticationKey("other", bytes.fromhex(vector["secret_hex"]))}, signed),
        (keyring_of(vector), bytes.fromhex(vector["unsigned_hex"])),
        ({vector["key_id"]: AuthenticationKey(vector["key_id"], bytes.fromhex(vector["secret_hex"]), ["rollout-4"])},
         signed),
    ]:
        with pytest.raises(AuthenticationError) as raised:
            verify_frame(frame, keyring)
        labels.append(raised.value.label)
    assert labels == ["bad_mac", "unknown_key", "unsigned", "forged_identity"]


@pytest.mark.parametrize("vector", SIGNED, ids=[v["name"] for v in SIGNED])
def test_a_key_bound_to_other_workers_cannot_sign_for_the_vectors_worker(vector):
    # A batch is checked against the worker all its reports name, like a single report.
    bound = {vector["key_id"]: AuthenticationKey(vector["key_id"], bytes.fromhex(vector["secret_hex"]), ["rollout-4"])}
    with pytest.raises(AuthenticationError) as raised:
        verify_frame(bytes.fromhex(vector["hex"]), bound)
    assert raised.value.label == "forged_identity"


def test_the_authenticator_numbers_its_frames_with_the_current_time():
    signer = HMACAuthenticator("k1", bytes(range(32)), clock=lambda: 1764400000.5)
    frame = wire.encode("leave", pb.Leave(worker=pb.WorkerIdentity(worker_id="w", incarnation=1), last_sequence=3))
    first, second = signer.sign(frame), signer.sign(frame)
    assert signer.counter == 2 and first != second
    keyring = {"k1": signer.key}
    for data, counter in ((first, 1), (second, 2)):
        envelope = verify_frame(data, keyring)
        assert (envelope.authentication.counter, envelope.authentication.sent_at_ms) == (counter, 1764400000500)
        assert envelope.leave.last_sequence == 3


def test_concurrent_signers_never_reuse_a_counter():
    signer = HMACAuthenticator("k1", bytes(32))
    frame = wire.encode("heartbeat", pb.Heartbeat())
    counters = []
    lock = threading.Lock()

    def sign_many():
        mine = [pb.Envelope.FromString(signer.sign(frame)[4:]).authentication.counter for _ in range(500)]
        with lock:
            counters.extend(mine)

    threads = [threading.Thread(target=sign_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(counters) == list(range(1, 2001))


def test_key_files_load_in_order_and_bad_ones_name_the_problem(tmp_path):
    path = write_keys(tmp_path, f"# newest first\n2026-05:{SECRET_HEX}\n\n2026-04 : {'cd' * 16}\nfleet:{'01' * 16}:a-*,b\n")
    keys = load_keyring(path)
    assert list(keys) == ["2026-05", "2026-04", "fleet"]
    assert keys["fleet"].allows("a-7") and keys["fleet"].allows("b") and not keys["fleet"].allows("b-1")
    assert HMACAuthenticator.from_file(path).key.key_id == "2026-05"
    assert HMACAuthenticator.from_file(path, "2026-04").key.secret == bytes.fromhex("cd" * 16)
    with pytest.raises(KeyFileError, match="no key nope"):
        HMACAuthenticator.from_file(path, "nope")
    for text, message in [
        ("k:abcd\n", "at least 16 are required"),
        ("k:abc\n", "line 1: the secret is not an even number of hex digits"),
        ("\njust-a-name\n", "line 2: 1 colon-separated fields"),
        (f"bad id:{SECRET_HEX}\n", "is not 1 to 64 characters"),
        (f"k:{SECRET_HEX}\nk:{SECRET_HEX}\n", "appears twice"),
        ("# nothing\n", "holds no key"),
    ]:
        with pytest.raises(KeyFileError, match=message):
            load_keyring(write_keys(tmp_path, text, name="bad"))
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_keyring(write_keys(tmp_path, f"k:{SECRET_HEX}\n", mode=0o644, name="open"))


def fast_worker(name, broadcast, requests, **kwargs):
    kwargs.setdefault("categories", PY_CATEGORIES)
    kwargs.setdefault("step_share", 0.5)
    return Worker(name, broadcast, requests, retransmit_timeout=0.1, max_retransmit_timeout=1.0, **kwargs)


def test_signed_python_and_swift_workers_are_served_and_wrongly_keyed_ones_refused(cluster, tmp_path):
    keys = write_keys(tmp_path, f"2026-05:{SECRET_HEX}\n2026-04:{'33' * 16}\n")
    wrong = write_keys(tmp_path, f"2026-05:{'77' * 32}\n", name="wrong-keys")
    coordinator = cluster.coordinator(extra=["--auth-keys", keys, "--categories", ",".join(PY_CATEGORIES + ["arith/0"])])
    b, r = coordinator.broadcast_url, coordinator.requests_url
    # The built-in Swift worker, signing with the second key of the same file.
    swift = cluster.swift_worker("swift0", b, r, "--steps", "20", "--domains", "arith", "--levels", "1",
                                 "--auth-keys", keys, "--auth-key-id", "2026-04")
    with StatusMonitor(coordinator.status_url) as monitor:
        # Wrong secret under a known key id, and no signature at all: neither ever joins.
        impostor = fast_worker("impostor", b, r, authenticator=HMACAuthenticator.from_file(wrong), start=True)
        stranger = fast_worker("stranger", b, r, start=True)
        try:
            results = {}

            def run(name, seed):
                with fast_worker(name, b, r, seed=seed, authenticator=HMACAuthenticator.from_file(keys)) as worker:
                    assert worker.wait_joined(timeout=30)
                    results[name] = (report_loop(worker, 30, 16, PY_CATEGORIES, seed), worker)

            threads = [threading.Thread(target=run, args=(f"py{i}", 20 + i)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=90)
            assert set(results) == {"py0", "py1"}
            summary = swift.summary(timeout=90)
            assert summary["acknowledged"] == summary["reports"] == 20

            status = monitor.wait_for(lambda s: states(s) == {"py0": "left", "py1": "left", "swift0": "left"},
                                      timeout=30)
            assert status is not None, states(monitor.status)
            # The impostor and the stranger kept trying to join, every attempt refused.
            assert wait_until(lambda: monitor.status.authentication_failures >= 10, 30), monitor.status
            assert not impostor.joined and not stranger.joined
        finally:
            impostor.close()
            stranger.close()
        status = monitor.next_status(timeout=10)
        by_worker = newest_by_worker(status)
        assert set(by_worker) == {"py0", "py1", "swift0"}
        for name, (_, worker) in results.items():
            assert by_worker[name].reports_accepted == worker.counters.reports_queued == 30
        assert status.reports_accepted == 80 and status.reports_rejected == 0
        # The Python categories got samples only from the Python workers: exact totals.
        expected = add_totals(add_totals({}, results["py0"][0]), results["py1"][0])
        totals = status_totals(status)
        assert {c: totals[c] for c in PY_CATEGORIES} == expected
        assert by_worker["swift0"].samples_accepted == summary["samples"]
    coordinator.stop()
    log = coordinator.log_path.read_text()
    assert "bad_mac" in log and "unsigned" in log, coordinator.log_tail()


def test_a_key_rotated_in_with_sighup_admits_its_workers_without_a_restart(cluster, tmp_path):
    old = f"2026-04:{'33' * 16}\n"
    keys = write_keys(tmp_path, old)
    coordinator = cluster.coordinator(extra=["--auth-keys", keys, "--categories", ",".join(PY_CATEGORIES)])
    b, r = coordinator.broadcast_url, coordinator.requests_url
    signer = HMACAuthenticator("2026-05", bytes.fromhex(SECRET_HEX))
    with fast_worker("rotated", b, r, authenticator=signer, seed=7) as worker:
        assert not worker.wait_joined(timeout=1.0)  # its key is not in the coordinator's file yet
        # A broken file is refused and the old keys stay in force.
        write_keys(tmp_path, "2026-05:abcd\n")
        coordinator.signal(signal.SIGHUP)
        assert wait_until(lambda: "key file not reloaded" in coordinator.log_path.read_text(), 10), coordinator.log_tail()
        assert not worker.joined
        write_keys(tmp_path, f"2026-05:{SECRET_HEX}\n" + old)
        coordinator.signal(signal.SIGHUP)
        assert worker.wait_joined(timeout=30), coordinator.log_tail()
        totals = report_loop(worker, 10, 8, PY_CATEGORIES, seed=7)
        assert worker.wait_until_unacknowledged(0, timeout=30)
    with StatusMonitor(coordinator.status_url) as monitor:
        status = monitor.wait_for(lambda s: states(s) == {"rotated": "left"}, timeout=30)
        assert status is not None, states(monitor.status)
        assert status_totals(status) == totals
        assert status.authentication_failures > 0
