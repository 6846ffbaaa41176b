import CurriculumWire
import Testing

@testable import WorkerAgent

struct OutboxTests {
    let start = ContinuousClock.now

    func makeOutbox(capacity: Int = 100, overflow: OutboxOverflowPolicy = .dropOldest) -> Outbox {
        Outbox(
            capacity: capacity, overflow: overflow,
            initialTimeout: .milliseconds(100), maximumTimeout: .seconds(2), seed: 7
        )
    }

    func ack(through contiguous: UInt64, selective: [UInt64] = []) -> Acknowledgement {
        Acknowledgement(contiguousThrough: contiguous, selective: selective)
    }

    @Test func reportsAreNumberedFromOneWithoutGaps() {
        var outbox = makeOutbox()
        for expected in UInt64(1)...5 {
            var report = ReportFrame()
            #expect(outbox.enqueue(&report, at: start) == .queued(sequence: expected))
            #expect(report.sequence == expected)
            #expect(report.resendFloor == 1)
        }
    }

    @Test func eachSettledReportReportsItsTimeFromQueueToAcknowledgement() {
        var outbox = makeOutbox(capacity: 4)
        for offset in [0, 10, 20, 30, 40] {
            var report = ReportFrame()
            _ = outbox.enqueue(&report, at: start + .milliseconds(offset))
        }
        // Report 1 was abandoned for room (capacity 4): it is never timed.
        var times: [Duration] = []
        outbox.acknowledge(ack(through: 2, selective: [4]), at: start + .milliseconds(100)) { times.append($0) }
        #expect(times == [.milliseconds(90), .milliseconds(70)])
        times = []
        outbox.acknowledge(ack(through: 5), at: start + .milliseconds(150)) { times.append($0) }
        #expect(times == [.milliseconds(130), .milliseconds(110)])
    }

    @Test func acknowledgementsSettleContiguousAndSelectiveSequences() {
        var outbox = makeOutbox()
        for _ in 1...6 {
            var report = ReportFrame()
            _ = outbox.enqueue(&report, at: start)
        }
        #expect(outbox.acknowledge(ack(through: 2, selective: [5])) == 3)
        #expect(outbox.count == 3)
        #expect(outbox.resendFloor == 3)
        // Acknowledging again settles nothing more.
        #expect(outbox.acknowledge(ack(through: 2, selective: [5])) == 0)
        #expect(outbox.acknowledge(ack(through: 6)) == 3)
        #expect(outbox.isEmpty)
        #expect(outbox.resendFloor == 7)
    }

    @Test func theResendFloorWaitsForTheOldestPendingReport() {
        var outbox = makeOutbox()
        for _ in 1...6 {
            var report = ReportFrame()
            _ = outbox.enqueue(&report, at: start)
        }
        #expect(outbox.acknowledge(ack(through: 0, selective: [1, 3, 3, 9, .max])) == 2)
        #expect(outbox.resendFloor == 2)
        #expect(outbox.count == 4)
        #expect(outbox.acknowledge(ack(through: 0, selective: [2])) == 1)
        #expect(outbox.resendFloor == 4)
        outbox.expediteAll(at: start)
        #expect(outbox.due(at: start).map(\.sequence) == [4, 5, 6])
        #expect(outbox.due(at: start + .seconds(10)).map(\.resendFloor) == [4, 4, 4])
    }

    @Test func overflowSkipsWhatWasAcknowledgedWhenDroppingTheOldest() {
        var outbox = makeOutbox(capacity: 3)
        for _ in 1...3 {
            var report = ReportFrame()
            _ = outbox.enqueue(&report, at: start)
        }
        #expect(outbox.acknowledge(ack(through: 0, selective: [2])) == 1)
        var fourth = ReportFrame()
        #expect(outbox.enqueue(&fourth, at: start) == .queued(sequence: 4))
        var fifth = ReportFrame()
        #expect(outbox.enqueue(&fifth, at: start) == .queuedDropping(sequence: 5, dropped: 1))
        #expect(fifth.resendFloor == 3)
        #expect(outbox.count == 3)
    }

    @Test func unacknowledgedReportsComeDueWithGrowingBackoff() {
        var outbox = makeOutbox()
        var report = ReportFrame()
        _ = outbox.enqueue(&report, at: start)
        #expect(outbox.due(at: start + .milliseconds(50)).isEmpty)
        // First timeout: 100 ms +-25%.
        #expect(outbox.due(at: start + .milliseconds(130)).map(\.sequence) == [1])
        var retries: [Duration] = []
        var now = start + .milliseconds(130)
        for _ in 0..<6 {
            let deadline = outbox.nextDeadline!
            retries.append(deadline - now)
            now = deadline
            #expect(outbox.due(at: now).count == 1)
        }
        // 200, 400, 800, 1600 ms then capped at 2 s, each within +-25%.
        let expected: [Duration] = [.milliseconds(200), .milliseconds(400), .milliseconds(800),
                                    .milliseconds(1600), .seconds(2), .seconds(2)]
        for (retry, nominal) in zip(retries, expected) {
            #expect(retry >= nominal * 0.75 && retry <= nominal * 1.25)
        }
    }

    @Test func overflowDropsTheOldestAndTellsTheCoordinatorNotToWait() {
        var outbox = makeOutbox(capacity: 3)
        for _ in 1...3 {
            var report = ReportFrame()
            _ = outbox.enqueue(&report, at: start)
        }
        var report = ReportFrame()
        #expect(outbox.enqueue(&report, at: start) == .queuedDropping(sequence: 4, dropped: 1))
        #expect(report.resendFloor == 2)
        #expect(outbox.abandoned == 1)
        #expect(outbox.count == 3)
    }

    @Test func overflowCanRefuseTheNewReportInstead() {
        var outbox = makeOutbox(capacity: 2, overflow: .rejectNew)
        for _ in 1...2 {
            var report = ReportFrame()
            _ = outbox.enqueue(&report, at: start)
        }
        var report = ReportFrame()
        #expect(outbox.enqueue(&report, at: start) == .full)
        #expect(outbox.nextSequence == 3)
        #expect(outbox.count == 2)
    }

    @Test func expeditingMakesEveryPendingReportDueAtOnce() {
        var outbox = makeOutbox()
        for _ in 1...3 {
            var report = ReportFrame()
            _ = outbox.enqueue(&report, at: start)
        }
        #expect(outbox.due(at: start).isEmpty)
        outbox.expediteAll(at: start)
        #expect(outbox.due(at: start).map(\.sequence) == [1, 2, 3])
    }
}
