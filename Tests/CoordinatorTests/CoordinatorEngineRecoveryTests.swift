import Coordinator
import Curriculum
import CurriculumWire
import Foundation
import Testing

/// The changes the engine hands out rebuild its state, and an engine restarted from a
/// snapshot gives the same answers.
@Suite struct CoordinatorEngineRecoveryTests {
    static let savedAt = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two workers, a gap, a resend, a stale report, a join with a new category, a leave.
    static func drive(_ harness: inout EngineHarness) -> [StateChange] {
        let a = EngineHarness.worker("a"), b = EngineHarness.worker("b")
        var changes: [StateChange] = []
        var bodies: [Wire.Envelope.OneOf_Body] = [EngineHarness.join(a), EngineHarness.join(b)]
        for sequence: UInt64 in [1, 2, 4, 2, 5] {
            bodies.append(EngineHarness.report(a, sequence: sequence, category: sequence == 4 ? "hard" : "easy"))
        }
        bodies.append(EngineHarness.report(b, sequence: 1, version: 3))
        var join = Wire.Join()
        join.worker = b.identity
        join.supportedVersions = WireCodec.supportedVersions
        join.stepShare = 0.5
        join.categories = ["new"]
        bodies.append(.join(join))
        bodies.append(EngineHarness.report(b, sequence: 2, version: 1, category: "new"))
        var leave = Wire.Leave()
        leave.worker = a.identity
        bodies.append(.leave(leave))
        for body in bodies {
            changes += harness.send(body).changes
            harness.advance(milliseconds: 10)
            changes += harness.engine.tick(at: harness.now).changes
        }
        return changes
    }

    @Test func replayingTheChangesRebuildsTheLiveState() throws {
        var harness = try EngineHarness(EngineHarness.configuration(publishEveryReports: 2))
        let changes = Self.drive(&harness)
        #expect(changes.contains { if case .rejected = $0 { true } else { false } })
        var replayed = try CoordinatorEngine.freshState(for: harness.engine.configuration)
        for change in changes { try replayed.apply(change, at: harness.now.instant) }
        let live = try harness.engine.state.snapshot(journalGeneration: 0, savedAt: Self.savedAt).encoded()
        #expect(try replayed.snapshot(journalGeneration: 0, savedAt: Self.savedAt).encoded() == live)
    }

    @Test func anEngineRestartedFromASnapshotGivesTheSameAnswers() throws {
        let configuration = EngineHarness.configuration(publishEveryReports: 2)
        var harness = try EngineHarness(configuration)
        _ = Self.drive(&harness)
        let snapshot = harness.engine.state.snapshot(journalGeneration: 1, savedAt: Self.savedAt)
        let restored = try CoordinatorSnapshot.decode(snapshot.encoded(), path: "memory")
        var restarted = EngineHarness(
            configuration,
            state: CoordinatorState(
                restoring: restored, lease: configuration.lease, sequenceWindow: configuration.sequenceWindow,
                at: harness.now.instant))
        restarted.elapsedMs = harness.elapsedMs
        #expect(restarted.engine.version == harness.engine.version)
        #expect(restarted.engine.distribution() == harness.engine.distribution())
        // The same resend is a duplicate to both, acknowledged alike; the same next report merges in both.
        let a = EngineHarness.worker("a")
        var answers: [[Wire.WorkerAck?]] = []
        for var candidate in [harness, restarted] {
            let resend = candidate.send(EngineHarness.report(a, sequence: 4))
            #expect(resend.changes.isEmpty)
            let next = candidate.send(EngineHarness.report(a, sequence: 6))
            // (The version may advance with it: the publication cadence restarts with the process.)
            #expect(next.changes.filter { if case .merged = $0 { true } else { false } }.count == 1)
            answers.append([candidate.acknowledgement(of: a)])
        }
        #expect(answers[0] == answers[1])
        #expect(answers[0].first??.contiguousThrough == 2)
        #expect(answers[0].first??.selective == [4, 5, 6])
    }
}
