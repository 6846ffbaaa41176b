import CurriculumWire
import Testing

@testable import WorkerAgent

/// Joining, rejoining a restarted coordinator, heartbeats and the coordinator's refusals, without sockets.
struct WorkerSessionJoinTests {
    @Test func aConnectionSendsAJoinThatIsRepeatedUntilAnswered() {
        var fixture = SessionFixture()
        let joins = fixture.session.connected(requests: true, at: fixture.now).joins
        #expect(joins.count == 1)
        #expect(joins.first?.worker == SessionFixture.identity)
        #expect(joins.first?.categories == ["a", "b"])
        #expect(joins.first?.stepShare == 0.5)
        fixture.advance(.milliseconds(200))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 0).joins.isEmpty)
        fixture.advance(.milliseconds(50))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 0).joins.count == 1)

        guard case .joined(let policy, let first, _) = fixture.session.handle(
            SessionFixture.joinAccepted(policyVersion: 9), at: fixture.now)
        else { Issue.record("the join answer was not taken"); return }
        #expect(policy.version == 9)
        #expect(first)
        fixture.advance(.seconds(5))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 9).joins.isEmpty)
        #expect(fixture.session.counters.joins == 1)
    }

    @Test func aRestartedCoordinatorIsJoinedAgainAndSentEverythingPendingAtOnce() throws {
        var fixture = SessionFixture()
        _ = fixture.session.connected(requests: true, at: fixture.now)
        _ = fixture.session.handle(SessionFixture.joinAccepted(), at: fixture.now)
        for _ in 1...3 { try fixture.report() }
        #expect(fixture.session.flush().reportSequences == [1, 2, 3])

        // The coordinator restarts: both connections come back; nothing was acknowledged.
        fixture.advance(.milliseconds(10))
        let onRequests = fixture.session.connected(requests: true, at: fixture.now)
        #expect(onRequests.joins.count == 1)
        #expect(onRequests.reportSequences == [1, 2, 3], "pending reports are resent without waiting for backoff")
        #expect(fixture.session.connected(requests: false, at: fixture.now).reportSequences == [1, 2, 3])

        // Its join answer says what its recovered state holds: 1 and 2. Report 3 is still owed.
        guard case .joined(_, let first, let settled) = fixture.session.handle(
            SessionFixture.joinAccepted(contiguousThrough: 2, policyVersion: 1), at: fixture.now)
        else { Issue.record("the join answer was not taken"); return }
        #expect(first, "a restart forgets the join")
        #expect(settled == 2)
        #expect(fixture.session.unacknowledgedCount == 1)
        #expect(fixture.session.counters.joins == 2)
    }

    @Test func aNewBroadcastConnectionAloneResendsButKeepsTheJoin() throws {
        var fixture = SessionFixture()
        _ = fixture.session.handle(SessionFixture.joinAccepted(), at: fixture.now)
        try fixture.report()
        let sent = fixture.session.connected(requests: false, at: fixture.now)
        #expect(sent.reportSequences == [1])
        #expect(fixture.session.joined)
    }

    @Test func heartbeatsFollowTheIntervalTheJoinAnswerGave() throws {
        var fixture = SessionFixture()
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 0).heartbeats.isEmpty, "not joined yet")
        _ = fixture.session.handle(SessionFixture.joinAccepted(), at: fixture.now)
        try fixture.report()
        try fixture.report()
        _ = fixture.session.acknowledge(Acknowledgement(contiguousThrough: 1), at: fixture.now)
        let first = fixture.session.tick(at: fixture.now, policyVersion: 7).heartbeats
        #expect(first.count == 1)
        #expect(first.first?.policyVersion == 7)
        #expect(first.first?.unacknowledged == 1)
        #expect(first.first?.resendFloor == 2)
        fixture.advance(.milliseconds(999))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 7).heartbeats.isEmpty)
        fixture.advance(.milliseconds(1))
        #expect(fixture.session.tick(at: fixture.now, policyVersion: 7).heartbeats.count == 1)
    }

    @Test func answersForOtherWorkersAreIgnoredAndRefusalsFail() {
        var fixture = SessionFixture()
        var stranger = SessionFixture.identity
        stranger.incarnation += 1
        guard case .ignored = fixture.session.handle(SessionFixture.joinAccepted(worker: stranger), at: fixture.now)
        else { Issue.record("another incarnation's join answer was taken"); return }
        #expect(!fixture.session.joined)

        var rejected = Wire.JoinRejected()
        rejected.worker = SessionFixture.identity
        rejected.reason = "unknown_key"
        var control = Wire.Control()
        control.kind = .joinRejected(rejected)
        guard case .failed(let error) = fixture.session.handle(control, at: fixture.now) else {
            Issue.record("a rejection did not fail the session"); return
        }
        #expect(error == .joinRejected(reason: "unknown_key"))

        var mismatch = Wire.ProtocolMismatch()
        mismatch.worker = SessionFixture.identity
        mismatch.supportedVersions = [99]
        control.kind = .protocolMismatch(mismatch)
        guard case .failed(let error) = fixture.session.handle(control, at: fixture.now) else {
            Issue.record("a protocol mismatch did not fail the session"); return
        }
        #expect(error == .protocolMismatch(coordinatorSupports: [99]))
    }
}
