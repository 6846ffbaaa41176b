@testable import Coordinator
import Curriculum
import Foundation
import Testing

/// Finished worker incarnations leave the membership and the ledgers after a grace period,
/// their resends stay exactly-once, and the state stays proportional to live workers.
@Suite struct RetirementTests {
    static let lease = Duration.seconds(10)
    static let policy = RetirementPolicy(grace: .seconds(60), expiry: .seconds(3_600))
    let start = ContinuousClock.now
    let startMs: UInt64 = 1_800_000_000_000

    static func fresh() throws -> CoordinatorState {
        var state = CoordinatorState(
            curriculum: try Curriculum(policy: .sec(.init())), lease: lease, sequenceWindow: 1 << 16)
        state.register("easy")
        return state
    }

    static func report(_ worker: WorkerKey, _ sequence: UInt64, count: Int = 4) -> MergedReport {
        MergedReport(
            worker: worker, sequence: sequence, resendFloor: 0, policyVersion: 0, stepShare: 1,
            categories: [CategoryReport(
                category: "easy", count: count, sumAbsAdvantage: 1, sumSquaredAdvantage: 1, sumReward: 0.5,
                version: 0, share: 1)])
    }

    /// Admits and merges a report as the coordinator does; returns the admission.
    @discardableResult
    static func send(
        _ report: MergedReport, to state: inout CoordinatorState, at now: ContinuousClock.Instant,
        journal: inout [StateChange]
    ) -> SequenceLedger.Admission {
        state.heard(from: report.worker, at: now)
        let admission = state.admit(report.worker, sequence: report.sequence, settlingBelow: report.resendFloor)
        if admission == .new, state.merge(report, acceptingNewCategories: true, at: now) == nil {
            journal.append(.merged(report))
        }
        return admission
    }

    static func join(
        _ worker: WorkerKey, _ state: inout CoordinatorState, at now: ContinuousClock.Instant,
        journal: inout [StateChange]
    ) {
        state.heard(from: worker, at: now, joining: true, hostname: "host", stepShare: 1)
        journal.append(.joined(worker, hostname: "host", stepShare: 1))
    }

    static func leave(
        _ worker: WorkerKey, _ state: inout CoordinatorState, at now: ContinuousClock.Instant,
        journal: inout [StateChange]
    ) {
        state.membership.left(worker, at: now)
        journal.append(.left(worker))
    }

    @Test func aWorkerThatLeftIsRetiredAfterTheGraceAndItsResendsStayExactlyOnce() throws {
        var state = try Self.fresh()
        var journal: [StateChange] = []
        let worker = WorkerKey(workerID: "w", incarnation: 7)
        Self.join(worker, &state, at: start, journal: &journal)
        for sequence in 1...3 { Self.send(Self.report(worker, UInt64(sequence)), to: &state, at: start, journal: &journal) }
        Self.leave(worker, &state, at: start, journal: &journal)
        let totals = state.curriculum.totals

        #expect(state.retireFinished(at: start + .seconds(59), wallClockMs: startMs, policy: Self.policy).isEmpty)
        let changes = state.retireFinished(at: start + .seconds(60), wallClockMs: startMs + 60_000, policy: Self.policy)
        #expect(changes == [.retired(worker, finalSequence: 3, atMs: startMs + 60_000)])
        #expect(state.membership.members.isEmpty)
        #expect(state.ledgers.isEmpty)
        #expect(state.retired.count == 1)

        // A resend of what it sent is a duplicate, acknowledged through its final sequence;
        // a number above it was never sent before retirement and is refused.
        let later = start + .seconds(61)
        for sequence in [1, 3] as [UInt64] {
            #expect(Self.send(Self.report(worker, sequence), to: &state, at: later, journal: &journal) == .duplicate)
        }
        #expect(Self.send(Self.report(worker, 4), to: &state, at: later, journal: &journal) == .outOfWindow)
        #expect(state.curriculum.totals == totals)
        #expect(state.acknowledgedLedger(for: worker).contiguousThrough == 3)
        // Its heartbeats and reports do not bring it back into the membership.
        #expect(state.membership.members.isEmpty)
    }

    @Test func replacedAndLostIncarnationsRetireLostOnesOnlyAfterTheirLease() throws {
        var state = try Self.fresh()
        var journal: [StateChange] = []
        let old = WorkerKey(workerID: "a", incarnation: 1), new = WorkerKey(workerID: "a", incarnation: 2)
        let silent = WorkerKey(workerID: "b", incarnation: 1)
        Self.join(old, &state, at: start, journal: &journal)
        Self.join(silent, &state, at: start, journal: &journal)
        Self.send(Self.report(old, 1), to: &state, at: start, journal: &journal)
        Self.join(new, &state, at: start + .seconds(1), journal: &journal)
        #expect(state.membership.members[old]?.state == .replaced)
        #expect(state.membership.expireLeases(at: start + .seconds(11)) == [silent])

        // `new` keeps speaking; `old` was last heard at 0, `silent` lost at 10.
        state.heard(from: new, at: start + .seconds(60))
        let first = state.retireFinished(at: start + .seconds(60), wallClockMs: startMs, policy: Self.policy)
        #expect(first == [.retired(old, finalSequence: 1, atMs: startMs)])
        #expect(state.retireFinished(at: start + .seconds(69), wallClockMs: startMs, policy: Self.policy).isEmpty)
        state.heard(from: new, at: start + .seconds(70))
        let second = state.retireFinished(at: start + .seconds(70), wallClockMs: startMs, policy: Self.policy)
        #expect(second == [.retired(silent, finalSequence: 0, atMs: startMs)])
        #expect(Array(state.membership.members.keys) == [new])
    }

    @Test func aGapWaitsForItsAbandonmentAndThenCountsAsSent() throws {
        var state = try Self.fresh()
        var journal: [StateChange] = []
        let worker = WorkerKey(workerID: "gappy", incarnation: 1)
        for sequence in [1, 2, 5] as [UInt64] {
            Self.send(Self.report(worker, sequence), to: &state, at: start, journal: &journal)
        }
        Self.leave(worker, &state, at: start, journal: &journal)
        #expect(state.retireFinished(at: start + .seconds(239), wallClockMs: startMs, policy: Self.policy).isEmpty)
        let changes = state.retireFinished(at: start + .seconds(240), wallClockMs: startMs, policy: Self.policy)
        #expect(changes == [.retired(worker, finalSequence: 5, atMs: startMs)])
        // 5 was merged: a resend of it must not count again.
        #expect(Self.send(Self.report(worker, 5), to: &state, at: start + .seconds(241), journal: &journal) == .duplicate)
    }

    @Test func aRetiredIncarnationThatJoinsAgainResumesAfterItsFinalSequence() throws {
        var state = try Self.fresh()
        var journal: [StateChange] = []
        let worker = WorkerKey(workerID: "partitioned", incarnation: 3)
        Self.join(worker, &state, at: start, journal: &journal)
        for sequence in 1...2 { Self.send(Self.report(worker, UInt64(sequence)), to: &state, at: start, journal: &journal) }
        _ = state.membership.expireLeases(at: start + .seconds(11))
        #expect(state.retireFinished(at: start + .seconds(71), wallClockMs: startMs, policy: Self.policy).count == 1)

        Self.join(worker, &state, at: start + .seconds(80), journal: &journal)
        #expect(state.membership.members[worker]?.state == .active)
        #expect(!state.retired.contains(worker))
        #expect(Self.send(Self.report(worker, 2), to: &state, at: start + .seconds(81), journal: &journal) == .duplicate)
        #expect(Self.send(Self.report(worker, 3), to: &state, at: start + .seconds(81), journal: &journal) == .new)
        #expect(state.curriculum.totals["easy"]?.reports == 3)
    }

    @Test func recordsExpireOnTheWallClockAndTheTotalKeepsCounting() throws {
        var state = try Self.fresh()
        var journal: [StateChange] = []
        for incarnation in 1...3 as ClosedRange<UInt64> {
            let worker = WorkerKey(workerID: "w", incarnation: incarnation)
            Self.join(worker, &state, at: start, journal: &journal)
            Self.leave(worker, &state, at: start, journal: &journal)
            _ = state.retireFinished(
                at: start + .seconds(60), wallClockMs: startMs + incarnation * 1_000, policy: Self.policy)
        }
        #expect(state.retired.count == 3)
        _ = state.retireFinished(at: start + .seconds(60), wallClockMs: startMs + 3_602_000, policy: Self.policy)
        #expect(state.retired.count == 1)
        #expect(state.retired.totalRetired == 3)
    }

    /// 2,000 incarnations join, report and leave (or are replaced, or go silent), 8 live
    /// at a time: the membership, the ledgers and the snapshot stay the size of the live
    /// workers plus those finished within the grace and the retired within the expiry.
    @Test func theStateStaysBoundedWhileThousandsOfIncarnationsComeAndGo() throws {
        var state = try Self.fresh()
        var journal: [StateChange] = []
        let policy = RetirementPolicy(grace: .seconds(60), expiry: .seconds(600))
        var largestSnapshot = 0, largestMembership = 0
        for incarnation in 1...2_000 as ClosedRange<UInt64> {
            // One incarnation every 10 simulated seconds, each living 80 s.
            let born = start + .seconds(10 * Int(incarnation))
            let worker = WorkerKey(workerID: "w\(incarnation % 8)", incarnation: incarnation)
            Self.join(worker, &state, at: born, journal: &journal)
            for sequence in 1...3 as ClosedRange<UInt64> {
                Self.send(Self.report(worker, sequence), to: &state, at: born, journal: &journal)
            }
            if incarnation % 3 == 0 { Self.leave(worker, &state, at: born, journal: &journal) }
            _ = state.membership.expireLeases(at: born)
            _ = state.retireFinished(at: born, wallClockMs: startMs + incarnation * 10_000, policy: policy)
            largestMembership = max(largestMembership, state.membership.members.count, state.ledgers.count)
            if incarnation % 100 == 0 {
                largestSnapshot = max(largestSnapshot, try state.snapshot(journalGeneration: 1).encoded().count)
            }
        }
        // Live: 8; finished within the 60 s grace (+ the 10 s lease): up to 7 more.
        #expect(largestMembership <= 16, "membership peaked at \(largestMembership)")
        // Retired within the 600 s expiry: one per 10 s.
        #expect(state.retired.count <= 61, "\(state.retired.count) retired records")
        #expect(state.retired.totalRetired >= 1_980)
        #expect(largestSnapshot < 20_000, "snapshot peaked at \(largestSnapshot) bytes")
        #expect(state.curriculum.totals["easy"]?.reports == 6_000)
    }

    @Test func retirementsAreJournaledAndReplayedAndSurviveASnapshot() throws {
        let directory = FileManager.default.temporaryDirectory
            .appending(path: "curriculum-retire-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func open() throws -> (StateStore, CoordinatorState, StateRecovery) {
            try StateStore.open(
                directory: directory, fresh: Self.fresh,
                restore: { CoordinatorState(restoring: $0, lease: Self.lease, sequenceWindow: 1 << 16, at: .now) },
                at: .now)
        }
        var (store, state, _) = try open()
        var journal: [StateChange] = []
        let gone = WorkerKey(workerID: "gone", incarnation: 1), live = WorkerKey(workerID: "live", incarnation: 1)
        for worker in [gone, live] {
            Self.join(worker, &state, at: start, journal: &journal)
            Self.send(Self.report(worker, 1), to: &state, at: start, journal: &journal)
        }
        Self.leave(gone, &state, at: start, journal: &journal)
        state.heard(from: live, at: start + .seconds(60))
        journal += state.retireFinished(at: start + .seconds(60), wallClockMs: startMs, policy: Self.policy)
        journal.forEach(store.append)
        try store.commit(state)

        var replayed: CoordinatorState
        (store, replayed, _) = try open()
        #expect(Array(replayed.membership.members.keys) == [live])
        #expect(replayed.retired == state.retired)
        #expect(replayed.acknowledgedLedger(for: gone).contiguousThrough == 1)

        try store.compact(replayed)
        let restored = try open().1
        #expect(Array(restored.membership.members.keys) == [live])
        #expect(restored.retired == state.retired)
    }

    @Test func aFormatOneSnapshotIsReadAsHavingRetiredNobody() throws {
        var state = try Self.fresh()
        var journal: [StateChange] = []
        Self.join(WorkerKey(workerID: "old", incarnation: 1), &state, at: start, journal: &journal)
        var document = try #require(
            try JSONSerialization.jsonObject(with: state.snapshot(journalGeneration: 4).encoded()) as? [String: Any])
        document["format"] = 1
        document["retired"] = nil
        document["retiredTotal"] = nil
        let snapshot = try CoordinatorSnapshot.decode(try JSONSerialization.data(withJSONObject: document), path: "old")
        let restored = CoordinatorState(restoring: snapshot, lease: Self.lease, sequenceWindow: 1 << 16, at: start)
        #expect(restored.retired.isEmpty)
        #expect(restored.membership.members.count == 1)
        document["format"] = 3
        #expect(throws: StateStoreError.self) {
            try CoordinatorSnapshot.decode(try JSONSerialization.data(withJSONObject: document), path: "future")
        }
    }

    @Test func theNewChangesRoundTripThroughTheJournalEncoding() throws {
        let worker = WorkerKey(workerID: "w-é", incarnation: .max)
        for change: StateChange in [
            .retired(worker, finalSequence: 12, atMs: startMs),
            .signatureCounters([SignerCounter(worker: worker, counter: 9), SignerCounter(worker: worker, counter: 1)]),
            .signatureCounters([]),
        ] {
            var writer = RecordWriter()
            change.encode(into: &writer)
            var reader = RecordReader(writer.bytes[...])
            #expect(try StateChange(from: &reader) == change)
        }
    }
}
