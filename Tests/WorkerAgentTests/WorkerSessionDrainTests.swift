import CurriculumWire
import Testing

@testable import WorkerAgent

/// Draining and leaving, without sockets.
struct WorkerSessionDrainTests {
    @Test func aDrainLeavesOnlyOnceEveryReportIsAcknowledged() throws {
        var fixture = SessionFixture()
        _ = fixture.session.handle(SessionFixture.joinAccepted(), at: fixture.now)
        for _ in 1...3 { try fixture.report() }
        _ = fixture.session.flush()

        // Everything pending goes again at once, backoff or not.
        #expect(fixture.session.beginDrain(at: fixture.now).reportSequences == [1, 2, 3])
        #expect(throws: WorkerAgentError.stopped) { try fixture.report() }
        #expect(fixture.session.join(at: fixture.now).isEmpty, "a draining worker does not join again")
        #expect(fixture.session.drainProgress == .awaitingAcknowledgements(3))
        #expect(fixture.session.leave(at: fixture.now).isEmpty)

        _ = fixture.session.acknowledge(Acknowledgement(contiguousThrough: 2), at: fixture.now)
        #expect(fixture.session.drainProgress == .awaitingAcknowledgements(1))
        #expect(fixture.session.leave(at: fixture.now).isEmpty)
        _ = fixture.session.acknowledge(Acknowledgement(selective: [3]), at: fixture.now)
        #expect(fixture.session.drainProgress == .leaving)

        let leaves = fixture.session.leave(at: fixture.now).leaves
        #expect(leaves.count == 1)
        #expect(leaves.first?.worker == SessionFixture.identity)
        #expect(leaves.first?.lastSequence == 3)
        fixture.advance(.milliseconds(100))
        #expect(fixture.session.leave(at: fixture.now).isEmpty, "repeated only every join-retry interval")
        fixture.advance(.milliseconds(150))
        #expect(fixture.session.leave(at: fixture.now).leaves.count == 1)

        guard case .leaveAccepted = fixture.session.handle(SessionFixture.leaveAccepted(), at: fixture.now) else {
            Issue.record("the leave answer was not taken"); return
        }
        #expect(fixture.session.drainProgress == .finished)
        fixture.advance(.seconds(1))
        #expect(fixture.session.leave(at: fixture.now).isEmpty)
    }

    @Test func aWorkerThatNeverReportedLeavesAtOnce() {
        var fixture = SessionFixture()
        #expect(fixture.session.beginDrain(at: fixture.now).isEmpty)
        #expect(fixture.session.drainProgress == .leaving)
        #expect(fixture.session.leave(at: fixture.now).leaves.first?.lastSequence == 0)
    }
}
