"""The worker's protocol behaviour against a scripted coordinator (no Swift needed)."""

import threading
import time

import pynng
import pytest

from curriculum_client import JoinRejected, PolicyTimeout, ProtocolMismatch, Worker, pb, wire
from curriculum_client.receive_loop import receive_until_closed
from curriculum_client.testing import header_of, with_header

from conftest import wait_until


class ScriptedCoordinator:
    """A broadcast PUB and a raw REP requests socket listening where a worker dials,
    recording what the worker sends (with each request's backtrace) and answering at will."""

    def __init__(self, directory):
        self.broadcast_url = f"ipc://{directory}/b"
        self.requests_url = f"ipc://{directory}/q"
        self.pub = pynng.Pub0(listen=self.broadcast_url)
        self.rep = pynng.Rep0(opener=pynng.lib.nng_rep0_open_raw, listen=self.requests_url, recv_timeout=100)
        self.received = []
        self.lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        receive_until_closed(self.rep, self._received, lambda: self.closed, messages=True)

    def _received(self, message):
        body, envelope = wire.decode(message.bytes)
        with self.lock:
            self.received.append((time.monotonic(), body, envelope, header_of(message)))

    def bodies(self, kind):
        with self.lock:
            return [getattr(e, kind) for _, b, e, _ in self.received if b == kind]

    def headers(self):
        with self.lock:
            return [h for *_, h in self.received]

    def send(self, body, message, version=wire.PROTOCOL_VERSION):
        """On the broadcast."""
        envelope = pb.Envelope(protocol_version=version)
        getattr(envelope, body).CopyFrom(message)
        self.pub.send(wire.frame(envelope))

    def reply(self, body, message):
        """As the reply to the newest request (a raw REQ socket matches no reply to its request);
        nothing before the first request."""
        with self.lock:
            if not self.received:
                return
            header = self.received[-1][3]
        self.rep.send_msg(with_header(wire.encode(body, message), header))

    def policy(self, version, probabilities=(0.5, 0.5)):
        return pb.Policy(version=version, categories=["a", "b"], probabilities=list(probabilities),
                         values=[0.0, 0.0], policy_name="sec")

    def accept(self, identity, version=3, heartbeat_ms=50, contiguous_through=0, max_reports_per_frame=64):
        # Allows report batches as the Swift coordinator does by default.
        self.reply("control", pb.Control(join_accepted=pb.JoinAccepted(
            worker=identity, lease_ms=1000, heartbeat_interval_ms=heartbeat_ms,
            policy=self.policy(version), contiguous_through=contiguous_through,
            max_reports_per_frame=max_reports_per_frame)))

    def acknowledge(self, identity, contiguous_through):
        self.reply("acks", pb.Acks(workers=[pb.WorkerAck(worker=identity, contiguous_through=contiguous_through)]))

    def close(self):
        # The receiver first, then the sockets: see RequestSocket.close.
        self.closed = True
        self.thread.join(timeout=5)
        self.pub.close()
        self.rep.close()


@pytest.fixture
def coordinator(ipc_dir):
    c = ScriptedCoordinator(ipc_dir)
    yield c
    c.close()


class Recorder:
    def __init__(self):
        self.signed = []

    def sign(self, frame):
        self.signed.append(wire.decode(frame)[0])
        return frame


def identity(worker):
    return pb.WorkerIdentity(worker_id=worker.worker_id, incarnation=worker.incarnation)


def test_join_is_repeated_until_answered_then_heartbeats_and_acks_flow(coordinator):
    signer = Recorder()
    with Worker("w1", coordinator.broadcast_url, coordinator.requests_url, step_share=0.5, categories=["a", "b"],
                join_retry_interval=0.05, authenticator=signer, start=True) as worker:
        assert wait_until(lambda: len(coordinator.bodies("join")) >= 3, 10)
        join = coordinator.bodies("join")[0]
        assert (join.worker.worker_id, join.step_share, list(join.categories), list(join.supported_versions)) == (
            "w1", 0.5, ["a", "b"], [2])
        with pytest.raises(PolicyTimeout):
            worker.current_policy(timeout=0.05)
        assert wait_until(lambda: (coordinator.accept(identity(worker), version=3), worker.joined)[1], 10)
        assert worker.current_policy(timeout=1).version == 3
        # Joins stop; heartbeats every 50 ms.
        joins = len(coordinator.bodies("join"))
        assert wait_until(lambda: len(coordinator.bodies("heartbeat")) >= 3, 10)
        assert len(coordinator.bodies("join")) <= joins + 1
        # A lower POLI version is ignored, a higher one adopted.
        coordinator.send("policy", coordinator.policy(2, (1.0, 0.0)))
        coordinator.send("policy", coordinator.policy(5, (0.0, 1.0)))
        assert worker.next_policy(after=3, timeout=5).version == 5
        batch = worker.next_batch(10)
        assert batch.counts == (0, 10) and batch.policy_version == 5
        # A join answer's policy is authoritative even with a lower version (a restarted
        # coordinator counts from 0 again).
        coordinator.accept(identity(worker), version=1)
        assert wait_until(lambda: worker.policy.version == 1, 10)
        coordinator.send("policy", coordinator.policy(5, (0.0, 1.0)))
        assert worker.next_policy(after=1, timeout=5).version == 5
        seq = worker.report(batch, {"b": [0.5] * 10})
        assert wait_until(lambda: len(coordinator.bodies("report")) >= 2, 10)  # retransmitted
        first = coordinator.bodies("report")[0]
        assert first.sequence == seq == 1 and [c.count for c in first.categories] == [10, 0]
        assert not coordinator.bodies("report_batch")
        # Acknowledgements are replies: the worker subscribes to policies only, so an ACKS on the
        # broadcast never reaches it (the POLI sent after it on the same connection arrives; the
        # ACKS before it would have been handled first).
        coordinator.send("acks", pb.Acks(workers=[pb.WorkerAck(worker=identity(worker), contiguous_through=1)]))
        coordinator.send("policy", coordinator.policy(6))
        assert worker.next_policy(after=5, timeout=5).version == 6
        assert worker.unacknowledged == 1 and worker.counters.reports_acknowledged == 0
        coordinator.acknowledge(identity(worker), 1)
        assert worker.wait_until_unacknowledged(0, timeout=5)
        assert worker.counters.reports_acknowledged == 1
        # Drain sends LEAV until accepted.
        threading.Timer(0.3, lambda: coordinator.reply("control", pb.Control(
            leave_accepted=pb.LeaveAccepted(worker=identity(worker))))).start()
    leaves = coordinator.bodies("leave")
    assert leaves and leaves[0].last_sequence == 1
    assert {"join", "heartbeat", "report", "leave"} <= set(signer.signed)


def test_every_frame_is_a_request_of_its_own_with_a_new_id(coordinator):
    with Worker("ids", coordinator.broadcast_url, coordinator.requests_url, join_retry_interval=0.05,
                start=True) as worker:
        assert wait_until(lambda: len(coordinator.bodies("join")) >= 3, 10)
        headers = coordinator.headers()
        # The REP socket's backtrace: the pipe the request came on, then the 4 bytes the worker
        # put in front of its frame, read as the request ID (high bit set ends the backtrace).
        assert all(len(header) == 8 for header in headers), headers
        ids = [int.from_bytes(header[4:], "big") for header in headers]
        assert all(i & 0x8000_0000 for i in ids), ids
        assert ids == sorted(set(ids)), ids
        worker.close()  # no coordinator to accept a leave


@pytest.mark.parametrize("limit", [0, 1, 4])
def test_a_backlog_is_resent_in_frames_no_larger_than_the_coordinator_allows(coordinator, limit):
    # Nothing is acknowledged until the end, so the drain resends all ten reports at once.
    with Worker("packer", coordinator.broadcast_url, coordinator.requests_url, categories=["a", "b"],
                join_retry_interval=0.05, retransmit_timeout=30.0, start=True) as worker:
        assert wait_until(lambda: (coordinator.accept(identity(worker), max_reports_per_frame=limit),
                                   worker.joined)[1], 10)
        for index in range(10):
            worker.report(3, {"a": [0.25] * (index + 1)})
        drain = threading.Thread(target=lambda: worker.drain(timeout=20))
        drain.start()
        allowed = max(limit, 1)
        packed = [list(range(first, min(first + allowed, 11))) for first in range(1, 11, allowed)]

        def frames():
            return [[r.sequence for r in b.reports] for b in coordinator.bodies("report_batch")] + [
                [r.sequence] for r in coordinator.bodies("report")]

        def resent():
            sent = [sequence for group in frames() for sequence in group]
            return all(sent.count(sequence) >= 2 for sequence in range(1, 11))

        # Each report went once alone, then again in the drain's resend.
        assert wait_until(resent, 10), frames()
        assert all(group in frames() for group in packed), frames()
        assert all(len(group) <= allowed for group in frames()), frames()
        coordinator.acknowledge(identity(worker), 10)
        assert wait_until(lambda: bool(coordinator.bodies("leave")), 10)
        coordinator.reply("control", pb.Control(leave_accepted=pb.LeaveAccepted(worker=identity(worker))))
        drain.join(timeout=20)
        assert worker.counters.reports_acknowledged == 10
        assert worker.counters.report_frames_sent >= len(frames())


def test_a_rejected_join_is_final(coordinator):
    worker = Worker("w2", coordinator.broadcast_url, coordinator.requests_url, join_retry_interval=0.05, start=True)
    try:
        assert wait_until(lambda: bool(coordinator.bodies("join")), 10)
        coordinator.reply("control", pb.Control(join_rejected=pb.JoinRejected(worker=identity(worker), reason="no")))
        with pytest.raises(JoinRejected):
            worker.current_policy(timeout=10)
        with pytest.raises(JoinRejected):
            worker.report(0, statistics=[])
    finally:
        worker.close()


def test_a_protocol_mismatch_stops_the_worker(coordinator):
    worker = Worker("w3", coordinator.broadcast_url, coordinator.requests_url, join_retry_interval=0.05, start=True)
    try:
        assert wait_until(lambda: bool(coordinator.bodies("join")), 10)
        # What a coordinator of a later version would answer this worker's version-2 join with.
        coordinator.reply("control", pb.Control(protocol_mismatch=pb.ProtocolMismatch(
            worker=identity(worker), received_version=2, supported_versions=[3])))
        with pytest.raises(ProtocolMismatch) as raised:
            worker.wait_joined(timeout=10)
        assert raised.value.coordinator_supports == (3,)
    finally:
        worker.close()


def test_frames_of_another_protocol_version_are_counted_and_ignored(coordinator):
    with Worker("w4", coordinator.broadcast_url, coordinator.requests_url, join_retry_interval=0.05,
                start=True) as worker:
        assert wait_until(lambda: bool(coordinator.bodies("join")), 10)
        assert wait_until(lambda: (coordinator.send("policy", coordinator.policy(9), version=1),
                                   worker.counters.malformed_frames > 0)[1], 10)
        assert worker.policy is None
        worker.close()  # no coordinator to accept a leave


def test_an_empty_policy_is_not_drawn_from(coordinator):
    with Worker("w5", coordinator.broadcast_url, coordinator.requests_url, join_retry_interval=0.05,
                start=True) as worker:
        assert wait_until(lambda: bool(coordinator.bodies("join")), 10)
        empty = pb.Policy(version=0, policy_name="sec")
        assert wait_until(lambda: (coordinator.send("policy", empty), worker.counters.policies_received > 0)[1], 10)
        with pytest.raises(PolicyTimeout):
            worker.next_batch(4, timeout=0.1)
        coordinator.send("policy", coordinator.policy(1))
        assert worker.next_batch(4, timeout=10).size == 4
        worker.close()
