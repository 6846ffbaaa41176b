import Coordinator
import CurriculumWire
import Testing

/// Leases, replacement and leaving, decided by the engine from the time it is given.
@Suite struct CoordinatorEngineMembershipTests {
    @Test func aSilentWorkerIsLostAtItsLeaseAndBackWhenItSpeaks() throws {
        var harness = try EngineHarness(EngineHarness.configuration(lease: .seconds(1)))
        let worker = EngineHarness.worker("w")
        _ = harness.send(EngineHarness.join(worker))
        harness.advance(milliseconds: 900)
        #expect(harness.engine.tick(at: harness.now).events.isEmpty)
        harness.advance(milliseconds: 200)
        #expect(harness.engine.tick(at: harness.now).events == [.lost(worker)])
        #expect(harness.engine.members.map(\.state) == [.lost])
        #expect(harness.engine.counters.workersLost == 1)
        let back = harness.send(EngineHarness.report(worker, sequence: 1))
        #expect(back.events == [.revived(worker)])
        #expect(harness.engine.members.map(\.state) == [.active])
    }

    @Test func aNewIncarnationReplacesTheOldOneAndStartsItsOwnSequence() throws {
        var harness = try EngineHarness()
        let first = EngineHarness.worker("w", 1), second = EngineHarness.worker("w", 2)
        _ = harness.send(EngineHarness.join(first))
        _ = harness.send(EngineHarness.report(first, sequence: 1))
        let joined = harness.send(EngineHarness.join(second))
        #expect(joined.events == [.replaced(second, displaced: [first])])
        #expect(harness.engine.members.map(\.state) == [.replaced, .active])
        // Sequence 1 of the new incarnation is new, not a duplicate of the old one's.
        #expect(harness.send(EngineHarness.report(second, sequence: 1)).changes.count == 1)
        #expect(harness.acknowledgement(of: second)?.contiguousThrough == 1)
        // A late report of the old process merges but displaces nobody.
        _ = harness.send(EngineHarness.report(first, sequence: 2))
        #expect(harness.engine.members.map(\.state) == [.replaced, .active])
    }

    @Test func aLeaveIsAcceptedAndJournaled() throws {
        var harness = try EngineHarness()
        let worker = EngineHarness.worker("w")
        _ = harness.send(EngineHarness.join(worker))
        var leave = Wire.Leave()
        leave.worker = worker.identity
        leave.lastSequence = 0
        let effects = harness.send(.leave(leave))
        #expect(effects.changes == [.left(worker)])
        #expect(effects.events == [.left(worker, lastSequence: 0)])
        guard case .leaveAccepted = effects.controls.first else {
            Issue.record("expected a leave_accepted, got \(effects.controls)")
            return
        }
        #expect(harness.engine.members.map(\.state) == [.left])
    }

    @Test func aJoinWithAShareOutOfRangeIsRefused() throws {
        var harness = try EngineHarness()
        let worker = EngineHarness.worker("w")
        let effects = harness.send(EngineHarness.join(worker, share: 1.5))
        #expect(effects.changes.isEmpty)
        guard case .joinRejected = effects.controls.first else {
            Issue.record("expected a join_rejected, got \(effects.controls)")
            return
        }
    }
}
