"""Version-1 workers meet a version-2 coordinator: every frame they send is refused as
``unsupported_protocol_version`` and answered, naming the worker, with a ProtocolMismatch in
a version-1 envelope, which is the only one they read: on the broadcast for frames sent to
the version-1 reports endpoint, as the reply for frames sent as requests."""

import threading

import pynng

from curriculum_client import StatusMonitor, pb, wire
from curriculum_client.receive_loop import receive_until_closed
from curriculum_client.request_socket import RequestSocket

from conftest import wait_until

IDENTITY = pb.WorkerIdentity(worker_id="old-worker", incarnation=77)


def version_1_frame(body, message):
    envelope = pb.Envelope(protocol_version=1)
    getattr(envelope, body).CopyFrom(message)
    return wire.frame(envelope)


def version_1_report():
    return version_1_frame("report", pb.Report(worker=IDENTITY, sequence=1, policy_version=0, step_share=0.5,
                                               categories=[pb.CategoryStats(category="a", count=1)]))


def version_1_join():
    return version_1_frame("join", pb.Join(worker=IDENTITY, supported_versions=[1], step_share=0.5, hostname="h"))


class Mismatches:
    """Collects the ProtocolMismatch answers naming IDENTITY, parsed as a version-1 worker would."""

    def __init__(self):
        self.answers = []
        self.lock = threading.Lock()

    def take(self, data):
        if data[:4] != b"CTRL":
            return
        envelope = pb.Envelope.FromString(data[4:])
        if envelope.control.WhichOneof("kind") == "protocol_mismatch" \
                and envelope.control.protocol_mismatch.worker == IDENTITY:
            with self.lock:
                self.answers.append(envelope)

    def __len__(self):
        with self.lock:
            return len(self.answers)


def assert_version_1_mismatch(envelope):
    mismatch = envelope.control.protocol_mismatch
    assert envelope.protocol_version == 1, envelope
    assert mismatch.received_version == 1 and list(mismatch.supported_versions) == [2], mismatch


def test_version_1_reports_and_joins_sent_to_the_reports_endpoint_get_a_mismatch_on_the_broadcast(cluster):
    coordinator = cluster.coordinator()
    sub = pynng.Sub0(recv_timeout=100, dial=coordinator.broadcast_url)
    sub.subscribe(b"CTRL")
    pub = pynng.Pub0(dial=coordinator.reports_url)
    answers = Mismatches()
    stop = threading.Event()

    receiver = threading.Thread(target=receive_until_closed, args=(sub, answers.take, stop.is_set), daemon=True)
    receiver.start()
    try:
        with StatusMonitor(coordinator.status_url) as monitor:
            for frame in (version_1_report(), version_1_join()):
                seen = len(answers)
                # Repeated until answered: pub/sub drops what is sent before both connections are up.
                assert wait_until(lambda: (pub.send(frame), len(answers) > seen)[1], 20, interval=0.1), \
                    coordinator.log_tail()
                assert_version_1_mismatch(answers.answers[-1])
            status = monitor.wait_for(lambda s: s.rejections.get("unsupported_protocol_version", 0) >= 2, 10)
            assert status is not None, monitor.status
            # Nothing of it was taken in.
            assert status.reports_accepted == 0 and not [w for w in status.workers if w.worker == IDENTITY]
    finally:
        stop.set()
        receiver.join(timeout=5)
        sub.close()
        pub.close()


def test_a_version_1_frame_sent_as_a_request_gets_the_mismatch_as_its_reply(cluster):
    coordinator = cluster.coordinator()
    answers = Mismatches()
    requests = RequestSocket(coordinator.requests_url, "old", answers.take, lambda: None, {})
    try:
        for frame in (version_1_join(), version_1_report()):
            seen = len(answers)
            assert wait_until(lambda: (requests.send([frame]), len(answers) > seen)[1], 20, interval=0.2), \
                coordinator.log_tail()
            assert_version_1_mismatch(answers.answers[-1])
    finally:
        requests.close()
