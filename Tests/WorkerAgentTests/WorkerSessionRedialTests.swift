import Testing

@testable import WorkerAgent

/// When the agent gives up on nng's own redial and dials the coordinator anew, without sockets.
struct WorkerSessionRedialTests {
    @Test func aCoordinatorSilentForTheLimitIsDialledAnewOncePerLimit() {
        var fixture = SessionFixture()
        _ = fixture.session.connected(requests: true, at: fixture.now)
        _ = fixture.session.handle(SessionFixture.joinAccepted(), at: fixture.now)
        do { let due = fixture.redialDue(); #expect(!due, "the first check starts the clock") }
        // Policies keep arriving: no redial however long it runs.
        for _ in 1...30 {
            fixture.advance(.seconds(1))
            fixture.session.heardFromCoordinator(at: fixture.now)
            do { let due = fixture.redialDue(); #expect(!due) }
        }
        // Then silence.
        fixture.advance(.milliseconds(9_999))
        do { let due = fixture.redialDue(); #expect(!due) }
        fixture.advance(.milliseconds(1))
        do { let due = fixture.redialDue(); #expect(due) }
        do { let due = fixture.redialDue(); #expect(!due, "not again at once") }
        fixture.advance(.seconds(10))
        do { let due = fixture.redialDue(); #expect(due, "again after another limit of silence") }
        #expect(fixture.session.counters.redials == 2)
    }

    @Test func aJoinUnansweredForTheLimitRedialsEvenWhilePoliciesArrive() {
        var fixture = SessionFixture()
        do { let due = fixture.redialDue(); #expect(!due) }
        // The coordinator restarted: the broadcast connection is back, so the worker joins,
        // but its joins never arrive (the report connection did not come back).
        _ = fixture.session.connected(requests: true, at: fixture.now)
        for _ in 1...9 {
            fixture.advance(.seconds(1))
            fixture.session.heardFromCoordinator(at: fixture.now)
            _ = fixture.session.tick(at: fixture.now, policyVersion: 1)
            do { let due = fixture.redialDue(); #expect(!due) }
        }
        fixture.advance(.seconds(1))
        fixture.session.heardFromCoordinator(at: fixture.now)
        do { let due = fixture.redialDue(); #expect(due) }
        // The redial works: the join is answered, and nothing is due any more.
        _ = fixture.session.handle(SessionFixture.joinAccepted(), at: fixture.now)
        for _ in 1...20 {
            fixture.advance(.seconds(1))
            fixture.session.heardFromCoordinator(at: fixture.now)
            do { let due = fixture.redialDue(); #expect(!due) }
        }
        #expect(fixture.session.counters.redials == 1)
    }

    @Test func aWorkerWhoseLeaveWasAcceptedNeverRedials() {
        var fixture = SessionFixture()
        _ = fixture.session.handle(SessionFixture.joinAccepted(), at: fixture.now)
        _ = fixture.redialDue()
        _ = fixture.session.handle(SessionFixture.leaveAccepted(), at: fixture.now)
        fixture.advance(.seconds(60))
        do { let due = fixture.redialDue(); #expect(!due) }
    }
}

extension SessionFixture {
    /// Asks the session at the fixture's time (a mutating call cannot sit inside `#expect`).
    mutating func redialDue() -> Bool {
        session.redialDue(at: now)
    }
}
