import Coordinator
import Curriculum
import CurriculumWire
import Testing

/// The coordinator's protocol without sockets: reports through the ledger, acknowledged
/// exactly, merged once, and the policy published at its cadence.
@Suite struct CoordinatorEngineTests {
    let worker = EngineHarness.worker("w")

    @Test func aJoinIsAcceptedWithThePolicyAndJournaled() throws {
        var harness = try EngineHarness()
        let effects = harness.send(EngineHarness.join(worker))
        #expect(effects.changes == [.joined(worker, hostname: "host-w", stepShare: 0.5)])
        guard case .joinAccepted(let accepted) = try #require(effects.controls.first) else {
            Issue.record("expected a join_accepted, got \(effects.controls)")
            return
        }
        #expect(accepted.policy.categories.sorted() == EngineHarness.categories.sorted())
        #expect(accepted.contiguousThrough == 0)
        #expect(harness.engine.members.map(\.state) == [.active])
        #expect(harness.engine.counters.joins == 1)
    }

    @Test func aNewReportIsMergedOnceAndAcknowledged() throws {
        var harness = try EngineHarness()
        let effects = harness.send(EngineHarness.report(worker, sequence: 1, count: 4))
        guard case .merged(let merged) = try #require(effects.changes.first) else {
            Issue.record("expected a merge, got \(effects.changes)")
            return
        }
        #expect(merged.sequence == 1 && merged.categories.map(\.count) == [4])
        #expect(effects.mergedStaleness == [0])
        #expect(harness.engine.state.curriculum.totals["easy"]?.count == 4)
        #expect(harness.acknowledgement(of: worker)?.contiguousThrough == 1)
        #expect(harness.engine.counters.reportsAccepted == 1)
    }

    @Test func aDuplicateChangesNothingAndIsAcknowledgedAgain() throws {
        var harness = try EngineHarness()
        _ = harness.send(EngineHarness.report(worker, sequence: 1))
        #expect(harness.acknowledgement(of: worker)?.contiguousThrough == 1)
        // The acknowledgement was lost: the worker resends.
        let resent = harness.send(EngineHarness.report(worker, sequence: 1))
        #expect(resent.changes.isEmpty)
        #expect(resent.events == [.duplicate(.duplicate(worker: worker, sequence: 1))])
        #expect(harness.engine.state.curriculum.totals["easy"]?.count == 4)
        #expect(harness.engine.counters.duplicatesIgnored == 1)
        #expect(harness.acknowledgement(of: worker)?.contiguousThrough == 1)
    }

    @Test func aResendFloorSettlesAGapThroughAJournaledChange() throws {
        var harness = try EngineHarness()
        _ = harness.send(EngineHarness.report(worker, sequence: 1))
        _ = harness.send(EngineHarness.report(worker, sequence: 3))
        // 2 was abandoned; the resend of 3 promises nothing below 3 comes again.
        let resent = harness.send(EngineHarness.report(worker, sequence: 3, resendFloor: 3))
        #expect(resent.changes == [.settled(worker, floor: 3)])
        let ack = harness.acknowledgement(of: worker)
        #expect(ack?.contiguousThrough == 3 && ack?.selective == [])
    }

    @Test func aGapIsAcknowledgedSelectivelyUntilItFills() throws {
        var harness = try EngineHarness()
        for sequence: UInt64 in [1, 3, 5] { _ = harness.send(EngineHarness.report(worker, sequence: sequence)) }
        let gapped = harness.acknowledgement(of: worker)
        #expect(gapped?.contiguousThrough == 1 && gapped?.selective == [3, 5])
        _ = harness.send(EngineHarness.report(worker, sequence: 2))
        let filled = harness.acknowledgement(of: worker)
        #expect(filled?.contiguousThrough == 3 && filled?.selective == [5])
        // Nobody reported since: no acknowledgement is due.
        harness.advance(milliseconds: 10)
        #expect(harness.engine.tick(at: harness.now).acks.isEmpty)
    }

    @Test func aTooStaleReportIsRejectedAcknowledgedAndCounted() throws {
        var harness = try EngineHarness(
            EngineHarness.configuration(staleness: .init(maximum: 1), publishEveryReports: 1))
        // Each merged report advances the version: three of another worker's make it 3.
        let other = EngineHarness.worker("other")
        for sequence: UInt64 in 1...3 {
            _ = harness.send(EngineHarness.report(other, sequence: sequence, version: sequence - 1))
        }
        #expect(harness.engine.version == 3)
        let effects = harness.send(EngineHarness.report(worker, sequence: 1, version: 1))
        #expect(effects.changes == [.rejected(worker, sequence: 1, resendFloor: 0)])
        #expect(effects.rejections == ["too_stale"])
        #expect(harness.engine.state.curriculum.totals["easy"]?.count == 12)
        let ack = harness.acknowledgement(of: worker)
        #expect(ack?.contiguousThrough == 1 && ack?.rejected == 1)
        #expect(harness.engine.counters.reportsRejected == 1)
    }

    @Test func aReportBeyondTheWindowIsNeitherMergedNorAcknowledged() throws {
        var harness = try EngineHarness(EngineHarness.configuration(sequenceWindow: 8))
        let effects = harness.send(EngineHarness.report(worker, sequence: 20))
        #expect(effects.changes.isEmpty)
        #expect(effects.rejections == ["out_of_window"])
        harness.advance(milliseconds: 10)
        #expect(harness.engine.tick(at: harness.now).acks.isEmpty)
    }

    @Test func aBatchThatAdvancesTheVersionTwicePublishesOnlyTheNewest() throws {
        var harness = try EngineHarness(EngineHarness.configuration(publishEveryReports: 2))
        let now = harness.now
        for sequence: UInt64 in 1...5 {
            WireCodec.encode(EngineHarness.report(worker, sequence: sequence)).withUnsafeBytes {
                harness.engine.receive($0, from: .broadcast, at: now)
            }
        }
        let effects = harness.engine.finishBatch(at: now)
        #expect(effects.changes.filter { if case .advanced = $0 { true } else { false } }.count == 2)
        #expect(effects.policies.map(\.version) == [2])
        #expect(effects.policies.first?.issuedAtMs == now.wallClockMs)
    }

    /// Two workers and a budget of 100 policy copies a second space broadcasts 20 ms apart:
    /// versions advance with every report, and the newest goes once the spacing has passed.
    @Test func broadcastsKeepWithinThePolicyCopyBudgetWhileVersionsAdvance() throws {
        var harness = try EngineHarness(EngineHarness.configuration(publishEveryReports: 1, policyCopiesPerSecond: 100))
        let other = EngineHarness.worker("other")
        #expect(harness.send(EngineHarness.report(worker, sequence: 1)).policies.map(\.version) == [1])
        harness.advance(milliseconds: 5)
        #expect(harness.send(EngineHarness.report(other, sequence: 1)).policies.isEmpty, "5 ms after the last broadcast")
        harness.advance(milliseconds: 5)
        #expect(harness.send(EngineHarness.report(worker, sequence: 2)).policies.isEmpty)
        #expect(harness.engine.version == 3)
        harness.advance(milliseconds: 5)
        #expect(harness.engine.tick(at: harness.now).policies.isEmpty, "15 ms: still within the spacing")
        harness.advance(milliseconds: 6)
        #expect(harness.engine.tick(at: harness.now).policies.map(\.version) == [3], "21 ms: the newest, once")
        #expect(harness.engine.tick(at: harness.now).policies.isEmpty)
    }

    @Test func aMessageOnlyCoordinatorsSendIsRefused() throws {
        var harness = try EngineHarness()
        let effects = harness.send(.policy(Wire.Policy()))
        #expect(effects.rejections == ["unexpected_topic"])
        #expect(harness.send([0xFF, 0x00]).rejections == ["truncated"])
    }
}
