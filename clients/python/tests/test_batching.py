"""Reports that are ready together share REPT frames, and stay exactly once: against the
Swift coordinator, with acknowledgements lost on the way, and within the byte budget."""

import os
import threading

import pytest

from curriculum_client import CategoryStats, HMACAuthenticator, StatusMonitor, Worker, pb, wire
from curriculum_client import report_encoding as encoding

from conftest import wait_until
from helpers import newest_by_worker, status_totals

CATEGORIES = ["a", "b"]


class GatedRequests:
    """Stands in for a worker's request socket and holds the first REPT frame until released,
    so that the reports made meanwhile are all ready when the sender thread flushes next."""

    def __init__(self, inner):
        self.inner = inner
        self.holding = threading.Event()
        self.release = threading.Event()
        self.report_frames = []

    def send(self, frames):
        for data in frames:
            if data[:4] == b"REPT":
                self.report_frames.append(wire.decode(data)[0])
                if len(self.report_frames) == 1:
                    self.holding.set()
                    self.release.wait(30)
        return self.inner.send(frames)

    def close(self):
        self.release.set()
        self.inner.close()


def statistics(index):
    """Made-up statistics whose sums are exact in any order (multiples of 1/8)."""
    category = CATEGORIES[index % 2]
    return category, CategoryStats(category, 1 + index % 3, (index % 5) / 8, (index % 7) / 8, (index % 9) / 8 - 0.5)


def add(totals, stats):
    mine = totals.setdefault(stats.category, [0, 0.0, 0.0, 0.0])
    for i, value in enumerate((stats.count, stats.sum_abs_advantage, stats.sum_squared_advantage, stats.sum_reward)):
        mine[i] += value


def finish(monitor, worker_id, reports, totals):
    status = monitor.wait_for(lambda s: newest_by_worker(s).get(worker_id) is not None
                              and newest_by_worker(s)[worker_id].state == "left", timeout=30)
    assert status is not None
    status = monitor.next_status(timeout=10)
    assert newest_by_worker(status)[worker_id].reports_accepted == reports
    assert status.reports_accepted == reports and status.reports_rejected == 0
    assert status_totals(status) == totals
    return status


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_reports_ready_together_share_frames_up_to_the_coordinators_limit(cluster, tmp_path, signed):
    extra = ["--categories", ",".join(CATEGORIES)]
    signer = None
    if signed:  # each batch is one frame, signed once, taken in by a coordinator that checks
        keys = tmp_path / "keys"
        keys.write_text("k1:" + "5a" * 32 + "\n")
        os.chmod(keys, 0o600)
        extra += ["--auth-keys", str(keys)]
        signer = HMACAuthenticator("k1", bytes.fromhex("5a" * 32))
    coordinator = cluster.coordinator(extra=extra)
    with StatusMonitor(coordinator.status_url) as monitor:
        worker = Worker("batcher", coordinator.broadcast_url, coordinator.requests_url, categories=CATEGORIES,
                        retransmit_timeout=30.0, max_retransmit_timeout=30.0, authenticator=signer, start=True)
        with worker:
            assert worker.wait_joined(timeout=30)
            policy = worker.current_policy(timeout=30)
            gate = GatedRequests(worker._requests)
            worker._requests = gate
            totals = {}
            for index in range(150):
                category, stats = statistics(index)
                worker.report(policy.version, statistics=[stats])
                add(totals, stats)
                if index == 0:
                    # The sender thread now holds report 1 in its send: 2..150 pile up.
                    assert gate.holding.wait(10)
            gate.release.set()
            assert wait_until(lambda: worker.unacknowledged == 0, 30)
        # Report 1 alone, then 149 in frames of at most 64 (the coordinator's default limit).
        assert gate.report_frames == ["report", "report_batch", "report_batch", "report_batch"]
        counters = worker.counters
        assert (counters.report_frames_sent, counters.retransmissions) == (4, 0)
        assert (counters.reports_queued, counters.reports_acknowledged) == (150, 150)
        status = finish(monitor, "batcher", 150, totals)
        assert status.authentication_failures == 0
        if signed:
            assert signer.counter >= 6  # a join, the four report frames, a leave (and heartbeats)


def test_a_batch_whose_acknowledgements_are_lost_is_resent_and_merged_once(cluster):
    coordinator = cluster.coordinator(extra=["--categories", ",".join(CATEGORIES)])
    with StatusMonitor(coordinator.status_url) as monitor:
        worker = Worker("deaf", coordinator.broadcast_url, coordinator.requests_url, categories=CATEGORIES,
                        retransmit_timeout=0.05, max_retransmit_timeout=0.2)
        deaf = threading.Event()
        deaf.set()
        receive = worker._receive

        def lossy_receive(data):
            # The link loses every acknowledgement while `deaf` is set (replaced before the
            # worker starts, which hands its request socket this method).
            if not (deaf.is_set() and bytes(data[:4]) == b"ACKS"):
                receive(data)

        worker._receive = lossy_receive
        with worker:
            assert worker.wait_joined(timeout=30)
            policy = worker.current_policy(timeout=30)
            totals = {}
            for index in range(40):
                worker.report(policy.version, statistics=[statistics(index)[1]])
                add(totals, statistics(index)[1])
            # Every report is resent at least twice before an acknowledgement gets through.
            assert wait_until(lambda: worker.counters.retransmissions >= 80, 30), worker.counters
            assert worker.unacknowledged == 40
            deaf.clear()
            assert wait_until(lambda: worker.unacknowledged == 0, 30)
        counters = worker.counters
        # Resends went out batched: fewer frames than reports sent.
        assert counters.report_frames_sent < counters.reports_queued + counters.retransmissions
        status = finish(monitor, "deaf", 40, totals)
        assert status.duplicates_ignored >= 40


def test_a_batch_closes_at_the_byte_budget():
    worker = Worker("budget", "inproc://nowhere-budget-b", "inproc://nowhere-budget-r")
    worker._max_reports_per_frame = 64
    big = [encoding.empty_entry(f"c{i:03d}-" + "x" * 1000) for i in range(20)]  # ~20 KB per report
    records = []
    for sequence in range(1, 11):
        record = encoding.ReportRecord(worker._worker_field, 1, 1.0, big)
        record.sequence = record.resend_floor = sequence
        records.append(record)
    frames = worker._report_frames(records)
    sizes = []
    for data in frames:
        body, envelope = wire.decode(data)
        sizes.append(len(envelope.report_batch.reports) if body == "report_batch" else 1)
        assert len(data) <= 64 * 1024 + 64
    assert sizes == [3, 3, 3, 1]
    reports = [r for data in frames for r in (lambda b, e: [e.report] if b == "report" else e.report_batch.reports)(
        *wire.decode(data))]
    assert [r.sequence for r in reports] == list(range(1, 11))
    assert reports[0] == records[0].to_proto() and isinstance(reports[0], pb.Report)
    worker.close()
