import CurriculumTestSupport
import Testing

@testable import CurriculumWire

struct WireCodecTests {
    static let identity = Wire.WorkerIdentity(workerID: "w1", incarnation: 3)

    static let report = Wire.Report(
        worker: identity, sequence: 5, policyVersion: 2, stepShare: 0.5,
        categories: [Wire.CategoryStats(category: "easy", count: 16, sumAbsAdvantage: 4.5)])

    @Test func roundTripsEveryWorkerMessage() throws {
        var join = Wire.Join()
        join.worker = Self.identity
        join.supportedVersions = WireCodec.supportedVersions
        join.stepShare = 0.25
        var leave = Wire.Leave()
        leave.worker = Self.identity
        leave.lastSequence = 5
        for body: Wire.Envelope.OneOf_Body in [.join(join), .report(Self.report), .leave(leave)] {
            let frame = WireCodec.encode(body)
            #expect(frame.prefix(4).elementsEqual(Topic(for: body).bytes))
            #expect(try WireCodec.decode(frame) == body)
        }
    }

    @Test func oversizedFramesAreRefusedBeforeDecoding() {
        let frame = WireCodec.encode(.report(Self.report))
        #expect(throws: WireError.oversized(byteCount: frame.count, limit: 8)) {
            try WireCodec.decode(frame, maximumFrameSize: 8)
        }
    }

    @Test func versionMismatchNamesTheSender() throws {
        var envelope = Wire.Envelope()
        envelope.protocolVersion = 9
        envelope.body = .report(Self.report)
        let frame = WireCodec.frame(envelope, topic: .report)
        #expect(throws: WireError.unsupportedProtocolVersion(received: 9, sender: Self.identity)) {
            try WireCodec.decode(frame)
        }
        let message = WireError.unsupportedProtocolVersion(received: 9, sender: Self.identity).description
        #expect(message == "protocol version 9 from w1#3; supported: 2")
    }

    @Test func errorsDescribeTheFault() {
        #expect(WireError.truncated(byteCount: 2).description == "truncated frame: 2 bytes, a topic alone takes 4")
        #expect(WireError.unknownTopic(prefix: [0x58, 0x0a, 0, 0xff]).description == "unknown topic 0x580a00ff")
        #expect(WireError.topicMismatch(topic: .policy, body: .report).description == "topic POLI carries a REPT message")
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        var generator = TestRandom(seed: 0x5EED)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<64, using: &generator)
            var frame = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if length >= 4, Bool.random(using: &generator) {
                frame.replaceSubrange(0..<4, with: Topic.allCases.randomElement(using: &generator)!.bytes)
            }
            _ = try? WireCodec.decode(frame)
        }
    }
}
