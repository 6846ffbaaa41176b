import Testing

@testable import Coordinator

struct MembershipTests {
    let start = ContinuousClock.now
    let first = WorkerKey(workerID: "w1", incarnation: 1)

    @Test func silenceBeyondTheLeaseMarksAWorkerLostAndSpeechRevivesIt() {
        var membership = Membership(lease: .seconds(3))
        #expect(membership.heard(from: first, at: start, hostname: "node-1", stepShare: 0.5) == .joined)
        #expect(membership.expireLeases(at: start + .seconds(2)).isEmpty)
        #expect(membership.expireLeases(at: start + .seconds(4)) == [first])
        #expect(membership.members[first]?.state == .lost)
        // Lost once, reported once.
        #expect(membership.expireLeases(at: start + .seconds(5)).isEmpty)
        #expect(membership.heard(from: first, at: start + .seconds(6)) == .revived)
        #expect(membership.members[first]?.state == .active)
        #expect(membership.members[first]?.hostname == "node-1")
    }

    @Test func aNewIncarnationReplacesTheOldOne() {
        var membership = Membership(lease: .seconds(3))
        membership.heard(from: first, at: start)
        let restarted = WorkerKey(workerID: "w1", incarnation: 2)
        #expect(membership.heard(from: restarted, at: start + .seconds(1), joining: true) == .replaced([first]))
        #expect(membership.members[first]?.state == .replaced)
        #expect(membership.activeCount == 1)
    }

    @Test func aNewIncarnationReplacesALostOneButNotOneThatLeft() {
        var membership = Membership(lease: .seconds(3))
        let other = WorkerKey(workerID: "w2", incarnation: 1)
        membership.heard(from: first, at: start)
        membership.heard(from: other, at: start)
        membership.left(other, at: start + .seconds(1))
        #expect(membership.expireLeases(at: start + .seconds(4)) == [first])
        let restarted = WorkerKey(workerID: "w1", incarnation: 2)
        #expect(membership.heard(from: restarted, at: start + .seconds(5), joining: true) == .replaced([first]))
        #expect(membership.members[first]?.state == .replaced)
        let back = WorkerKey(workerID: "w2", incarnation: 2)
        #expect(membership.heard(from: back, at: start + .seconds(5), joining: true) == .joined)
        #expect(membership.members[other]?.state == .left)
    }

    @Test func aLateMessageFromAnOldIncarnationDoesNotDisplaceTheCurrentOne() {
        var membership = Membership(lease: .seconds(3))
        let current = WorkerKey(workerID: "w1", incarnation: 2)
        membership.heard(from: current, at: start, joining: true)
        // A heartbeat still in flight from the process that ran before.
        #expect(membership.heard(from: first, at: start + .seconds(1)) == .joined)
        #expect(membership.members[current]?.state == .active)
    }

    @Test func aWorkerThatLeftStaysLeftWhileItsRetransmissionsArrive() {
        var membership = Membership(lease: .seconds(3))
        membership.heard(from: first, at: start)
        membership.left(first, at: start + .seconds(1))
        #expect(membership.heard(from: first, at: start + .seconds(2)) == .none)
        #expect(membership.members[first]?.state == .left)
        #expect(membership.expireLeases(at: start + .seconds(10)).isEmpty)
    }

    @Test func reportRateIsMeasuredOverTheWindow() {
        var membership = Membership(lease: .seconds(3), rateWindow: .seconds(1))
        membership.heard(from: first, at: start)
        for tick in 1...20 {
            membership.recordReport(from: first, policyVersion: UInt64(tick), staleness: 2, samples: 8, at: start + .milliseconds(50 * tick))
        }
        let member = membership.members[first]!
        #expect(member.reportsAccepted == 20)
        #expect(member.samplesAccepted == 160)
        #expect(member.reportsPerSecond == 20)
        #expect(member.lastPolicyVersion == 20)
        #expect(member.lastStaleness == 2)
    }
}
