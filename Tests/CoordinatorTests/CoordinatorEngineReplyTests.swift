import Coordinator
import Curriculum
import CurriculumWire
import Testing

/// Protocol 2: requests are answered along their own route with what concerns their worker
/// alone (joins and leaves each at once, reports and heartbeats by one acknowledgement per
/// worker and interval, with their batch unless that worker was answered within the interval);
/// nothing about one worker reaches another, nothing goes on the broadcast.
@Suite struct CoordinatorEngineReplyTests {
    let alice = EngineHarness.worker("alice")
    let bob = EngineHarness.worker("bob")

    func acks(_ body: Wire.Envelope.OneOf_Body?) -> [Wire.WorkerAck] {
        if case .acks(let acks)? = body { acks.workers } else { [] }
    }

    @Test func reportsAreAnsweredWithTheirBatchEachWithItsWorkersAcknowledgementAloneAndNothingIsBroadcast() throws {
        var harness = try EngineHarness()
        let batch = harness.request([
            (EngineHarness.report(alice, sequence: 1), EngineHarness.route(1)),
            (EngineHarness.report(alice, sequence: 2), EngineHarness.route(2)),
            (EngineHarness.report(bob, sequence: 1), EngineHarness.route(3)),
        ])
        // One reply per worker, to its newest request, with its state after the batch.
        #expect(batch.replies.count == 2)
        #expect(batch.replies(to: EngineHarness.route(1)).isEmpty, "answered by the newer reply")
        let answer = acks(batch.replies(to: EngineHarness.route(2)).first)
        #expect(answer.map { WorkerKey($0.worker) } == [alice] && answer.first?.contiguousThrough == 2)
        #expect(acks(batch.replies(to: EngineHarness.route(3)).first).map { WorkerKey($0.worker) } == [bob])
        #expect(batch.acks.isEmpty, "acknowledged by reply, never broadcast")
        #expect(harness.acknowledgementReplies().replies.isEmpty, "nothing new, nothing sent")
    }

    @Test func aWorkerAnsweredWithinTheIntervalWaitsForTheTickWhileOthersAreAnsweredAtOnce() throws {
        var harness = try EngineHarness()
        let first = harness.request(EngineHarness.report(alice, sequence: 1), route: EngineHarness.route(1))
        #expect(acks(first.replies(to: EngineHarness.route(1)).first).first?.contiguousThrough == 1)
        harness.advance(milliseconds: 1)
        let second = harness.request([
            (EngineHarness.report(alice, sequence: 2), EngineHarness.route(2)),
            (EngineHarness.report(bob, sequence: 1), EngineHarness.route(3)),
        ])
        #expect(second.replies(to: EngineHarness.route(2)).isEmpty, "alice within her interval: gathered for the tick")
        #expect(acks(second.replies(to: EngineHarness.route(3)).first).first?.contiguousThrough == 1, "bob at once")
        #expect(harness.engine.tick(at: harness.now).replies.isEmpty, "the tick too keeps alice's interval")
        let tick = harness.acknowledgementReplies()
        #expect(tick.replies.count == 1)
        #expect(acks(tick.replies(to: EngineHarness.route(2)).first).first?.contiguousThrough == 2)
        harness.advance(milliseconds: 10)
        let later = harness.request(EngineHarness.report(alice, sequence: 3), route: EngineHarness.route(4))
        #expect(acks(later.replies(to: EngineHarness.route(4)).first).first?.contiguousThrough == 3, "an interval on: at once")
    }

    @Test func aResentReportIsAnsweredAgainAndMergedOnce() throws {
        var harness = try EngineHarness()
        _ = harness.request(EngineHarness.report(alice, sequence: 1, count: 4))
        _ = harness.acknowledgementReplies()
        let resent = harness.request(EngineHarness.report(alice, sequence: 1, count: 4), route: EngineHarness.route(9))
        #expect(resent.changes.isEmpty)
        #expect(acks(resent.replies(to: EngineHarness.route(9)).first).first?.contiguousThrough == 1)
        #expect(harness.engine.state.curriculum.totals["easy"]?.count == 4)
    }

    @Test func joinsHeartbeatsAndLeavesAreAnsweredByReply() throws {
        var harness = try EngineHarness()
        let joined = harness.request(EngineHarness.join(alice))
        guard case .control(let control)? = joined.replies(to: EngineHarness.route(1)).first,
            case .joinAccepted(let accepted)? = control.kind
        else {
            Issue.record("expected a join_accepted reply, got \(joined.replies)")
            return
        }
        #expect(WorkerKey(accepted.worker) == alice)
        #expect(joined.controls.isEmpty, "not broadcast")

        _ = harness.request(EngineHarness.report(alice, sequence: 1))
        var heartbeat = Wire.Heartbeat()
        heartbeat.worker = alice.identity
        _ = harness.request(.heartbeat(heartbeat), route: EngineHarness.route(2))
        let beat = harness.acknowledgementReplies()
        #expect(acks(beat.replies(to: EngineHarness.route(2)).first).first?.contiguousThrough == 1)

        var leave = Wire.Leave()
        leave.worker = alice.identity
        leave.lastSequence = 1
        let left = harness.request(.leave(leave), route: EngineHarness.route(3))
        guard case .control(let answer)? = left.replies(to: EngineHarness.route(3)).first,
            case .leaveAccepted? = answer.kind
        else {
            Issue.record("expected a leave_accepted reply, got \(left.replies)")
            return
        }
    }

    @Test func aFrameThatNamesNoOneGetsNoReply() throws {
        var harness = try EngineHarness()
        let garbage = Array("REPT".utf8) + [0xFF, 0xFF, 0xFF]
        garbage.withUnsafeBytes { harness.engine.receive($0, from: .request(EngineHarness.route(1)), at: harness.now) }
        let effects = harness.engine.finishBatch(at: harness.now)
        #expect(effects.replies.isEmpty && effects.messages.isEmpty)
        #expect(effects.rejections == ["malformed"])
    }

    /// A version-1 worker reads only version-1 frames, so the answer telling it to stop is
    /// written in version 1 (on the broadcast it subscribes to: its frames came without a way back).
    @Test func aVersionOneFrameIsAnsweredWithAProtocolMismatchItCanRead() throws {
        var harness = try EngineHarness()
        var envelope = Wire.Envelope()
        envelope.protocolVersion = 1
        envelope.body = EngineHarness.report(alice, sequence: 1)
        let effects = harness.send(WireCodec.frame(envelope, topic: .report))
        #expect(effects.rejections == ["unsupported_protocol_version"])
        guard case .protocolMismatch(let mismatch)? = effects.controls.first else {
            Issue.record("expected a protocol_mismatch, got \(effects.controls)")
            return
        }
        #expect(WorkerKey(mismatch.worker) == alice && mismatch.receivedVersion == 1 && mismatch.supportedVersions == [2])
        let frame = WireCodec.encode(effects.messages[0])
        var oldReader = Wire.Envelope()
        try oldReader.merge(serializedBytes: Array(frame.dropFirst(4)))
        #expect(oldReader.protocolVersion == 1)
    }
}
