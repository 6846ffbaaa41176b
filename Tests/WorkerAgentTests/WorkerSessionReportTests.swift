import CurriculumWire
import Testing

@testable import WorkerAgent

/// Reports in frames, acknowledgements and retransmission, without sockets.
struct WorkerSessionReportTests {
    @Test func reportsReadyTogetherShareFramesUpToTheCoordinatorsLimit() throws {
        var fixture = SessionFixture()
        for _ in 1...10 { try fixture.report() }
        // Before a join answer, one report per frame: an old coordinator takes no batches.
        #expect(fixture.session.flush().reportFrames == (1...10).map { [UInt64($0)] })

        _ = fixture.session.handle(SessionFixture.joinAccepted(maximumReportsPerFrame: 4), at: fixture.now)
        for _ in 11...20 { try fixture.report() }
        #expect(fixture.session.flush().reportFrames == [[11, 12, 13, 14], [15, 16, 17, 18], [19, 20]])
        #expect(fixture.session.counters.reportFramesSent == 13)
        #expect(fixture.session.flush().isEmpty, "a flush sends each report once")
    }

    @Test func aFrameStopsTakingReportsAtTheByteBudget() throws {
        var fixture = SessionFixture()
        _ = fixture.session.handle(SessionFixture.joinAccepted(maximumReportsPerFrame: 64), at: fixture.now)
        // 300 categories with long names: tens of KiB per report, so only a few fit in 64 KiB.
        let statistics = (0..<300).map {
            AdvantageStatistics(
                category: "category-with-a-long-descriptive-name-\($0)", count: 1, sumAbsAdvantage: 1,
                sumSquaredAdvantage: 1, sumReward: 1)
        }
        for _ in 1...7 {
            _ = try fixture.session.queue(policyVersion: 1, statistics: statistics, batched: true, at: fixture.now)
        }
        let frames = fixture.session.flush().compactMap { frame -> ReportFrameBatch? in
            guard case .reports(let reports) = frame else { return nil }
            return reports
        }
        let size = ReportFrameBatch([frames[0][0]]).batchedByteCount
        let perFrame = WorkerSession.batchByteBudget / size
        #expect(perFrame >= 2 && perFrame < 7)
        let frameSizes = frames.map { ReportFrameBatch($0).batchedByteCount }
        #expect(frameSizes.allSatisfy { $0 <= WorkerSession.batchByteBudget })
        #expect(frames.dropLast().allSatisfy { $0.count == perFrame })
        #expect(frames.count == (7 + perFrame - 1) / perFrame)
        #expect(frames.flatMap { $0.map(\.sequence) } == Array(1...7))
    }

    @Test func aSelectiveAcknowledgementSettlesOnlyWhatItNames() throws {
        var fixture = SessionFixture()
        for _ in 1...5 { try fixture.report() }
        _ = fixture.session.flush()
        #expect(fixture.session.acknowledge(Acknowledgement(contiguousThrough: 1, selective: [3, 5]), at: fixture.now) == 3)
        #expect(fixture.session.unacknowledgedCount == 2)
        fixture.advance(.milliseconds(125))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 1).reportSequences == [2, 4])
        #expect(fixture.session.counters.reportsAcknowledged == 3)
    }

    @Test func repeatedAndStaleAcknowledgementsSettleNothingMore() throws {
        var fixture = SessionFixture()
        for _ in 1...4 { try fixture.report() }
        let ack = Acknowledgement(contiguousThrough: 2, selective: [4], rejected: 1)
        #expect(fixture.session.acknowledge(ack, at: fixture.now) == 3)
        #expect(fixture.session.acknowledge(ack, at: fixture.now) == 0, "a duplicate")
        #expect(fixture.session.acknowledge(Acknowledgement(contiguousThrough: 1), at: fixture.now) == 0, "older")
        #expect(fixture.session.acknowledge(Acknowledgement(selective: [2, 4]), at: fixture.now) == 0, "settled already")
        #expect(fixture.session.counters.reportsAcknowledged == 3)
        #expect(fixture.session.counters.reportsRejectedByCoordinator == 1)
        #expect(fixture.session.unacknowledgedCount == 1)
    }

    @Test func anUnacknowledgedReportIsResentWithDoublingJitteredBackoff() throws {
        var fixture = SessionFixture(retransmitTimeout: .milliseconds(100))
        try fixture.report()
        #expect(fixture.session.flush().reportSequences == [1])
        // 100 ms +-25%: not before 75 ms, always by 125 ms.
        fixture.advance(.milliseconds(74))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 1).reportSequences.isEmpty)
        fixture.advance(.milliseconds(51))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 1).reportSequences == [1])
        // Then 200 ms +-25%.
        fixture.advance(.milliseconds(149))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 1).reportSequences.isEmpty)
        fixture.advance(.milliseconds(101))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 1).reportSequences == [1])
        #expect(fixture.session.counters.retransmissions == 2)
        _ = fixture.session.acknowledge(Acknowledgement(contiguousThrough: 1), at: fixture.now)
        fixture.advance(.seconds(10))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 1).reportSequences.isEmpty)
    }

    @Test func aReportAcknowledgedBeforeItsFlushIsNotSent() throws {
        var fixture = SessionFixture()
        try fixture.report()
        try fixture.report()
        _ = fixture.session.acknowledge(Acknowledgement(contiguousThrough: 1), at: fixture.now)
        #expect(fixture.session.flush().reportSequences == [2])
    }

    @Test func withoutARunningAgentReportsWaitForTheConnection() throws {
        var fixture = SessionFixture()
        let queued = try fixture.session.queue(
            policyVersion: 1, statistics: [AdvantageStatistics(
                category: "a", count: 1, sumAbsAdvantage: 1, sumSquaredAdvantage: 1, sumReward: 1)],
            batched: false, at: fixture.now)
        #expect(!queued.startsBatch)
        #expect(fixture.session.flush().isEmpty)
        #expect(fixture.session.connected(broadcast: false, at: fixture.now).reportSequences == [1])
    }

    @Test func aFullOutboxAbandonsTheOldestOrRefuses() throws {
        var dropping = SessionFixture(capacity: 2, overflow: .dropOldest)
        for _ in 1...3 { try dropping.report() }
        #expect(dropping.session.counters.reportsAbandoned == 1)
        #expect(dropping.session.flush().reportSequences == [2, 3])

        var refusing = SessionFixture(capacity: 2, overflow: .rejectNew)
        for _ in 1...2 { try refusing.report() }
        #expect(throws: WorkerAgentError.outboxFull(capacity: 2)) { try refusing.report() }
        #expect(refusing.session.counters.reportsQueued == 2)
    }

    @Test func invalidStatisticsAreRefusedBeforeTheyAreNumbered() throws {
        var fixture = SessionFixture()
        #expect(throws: WorkerAgentError.self) { try fixture.report(count: -1) }
        #expect(throws: WorkerAgentError.invalidReport("a report needs at least one category")) {
            try fixture.session.queue(policyVersion: 1, statistics: [], batched: true, at: fixture.now)
        }
        #expect(try fixture.report() == 1)
        #expect(fixture.session.queuedTotals["a"]?.count == 4)
    }
}
