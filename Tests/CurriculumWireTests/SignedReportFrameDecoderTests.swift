import CurriculumTestSupport
import Foundation
import Testing

@testable import CurriculumWire

/// `ReportFrameDecoder.decodeSigned` against the general decoder: the same reports and the
/// same `authentication`, or the same error. The coordinator checks a signature with one
/// function whichever decoder read the frame, so decoders that agree give checks that agree.
@Suite struct SignedReportFrameDecoderTests {
    enum Outcome: CustomStringConvertible {
        case signed([ReportFrame], FrameAuthentication?)
        case refused(WireError)
        case deferred
        case other(Topic)

        var description: String {
            switch self {
            case .signed(let reports, let authentication): "reports \(reports), authentication \(String(describing: authentication))"
            case .refused(let error): "refused \(error)"
            case .deferred: "deferred"
            case .other(let topic): "a \(topic.rawValue) message"
            }
        }
    }

    static func fast(_ frame: [UInt8]) -> Outcome {
        let result = frame.withUnsafeBytes { bytes in
            Result { () throws(WireError) in try ReportFrameDecoder.decodeSigned(bytes) }
        }
        switch result {
        case .success(let signed?): return .signed(signed.reports, signed.authentication)
        case .success(nil): return .deferred
        case .failure(let error): return .refused(error)
        }
    }

    static func general(_ frame: [UInt8]) -> Outcome {
        let result = frame.withUnsafeBytes { bytes in
            Result { () throws(WireError) in try WireCodec.decodeEnvelope(bytes) }
        }
        switch result {
        case .success(let envelope):
            switch envelope.body {
            case .report(let report): return .signed([ReportFrame(report)], FrameAuthentication(envelope))
            case .reportBatch(let batch): return .signed(batch.reports.map(ReportFrame.init), FrameAuthentication(envelope))
            case let body?: return .other(Topic(for: body))
            case nil: return .deferred
            }
        case .failure(let error): return .refused(error)
        }
    }

    static func agree(_ fast: Outcome, _ general: Outcome) -> Bool {
        switch (fast, general) {
        case (.deferred, _): true
        case (.signed(let a, let x), .signed(let b, let y)):
            x == y && a.count == b.count && zip(a, b).allSatisfy(ReportFrameDecoderTests.same)
        case (.refused(let a), .refused(let b)): a == b
        default: false
        }
    }

    /// `frame` with an `authentication` field appended, as a signer writes it (the MAC need
    /// not verify: decoding does not check it).
    static func signed(_ frame: [UInt8], keyID: String = "k1", counter: UInt64 = 7, sentAtMs: UInt64 = 1_700_000_000_000) -> [UInt8] {
        var authentication = Curriculum_V1_Authentication()
        authentication.keyID = keyID
        authentication.counter = counter
        authentication.sentAtMs = sentAtMs
        authentication.mac = Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        return frame + ReportFrameDecoderTests.field(2, try! authentication.serializedBytes())
    }

    static func seeds() -> [[UInt8]] {
        let report = ReportFrameDecoderTests.sampleReport
        var batch = Wire.ReportBatch()
        var later = report
        later.sequence += 1
        batch.reports = [report, later]
        let authentication = ReportFrameDecoderTests.field(2, ReportFrameDecoderTests.field(1, Array("k2".utf8)))
        return [
            signed(WireCodec.encode(.report(report))), signed(WireCodec.encode(.reportBatch(batch))),
            signed(WireCodec.encode(.report(report)), keyID: "", counter: 0, sentAtMs: 0),
            WireCodec.encode(.report(report)),
            // Authentication first, with unknown fields; and given twice (deferred: SwiftProtobuf merges).
            Topic.report.bytes + ReportFrameDecoderTests.field(2, ReportFrameDecoderTests.field(1, Array("k9".utf8))
                + ReportFrameDecoderTests.unknownFields) + Array(WireCodec.encode(.report(report)).dropFirst(4)),
            signed(WireCodec.encode(.report(report))) + authentication,
        ] + ReportFrameDecoderTests.seeds().map { signed($0) }
    }

    @Test func signedReportsAndBatchesDecodeAlike() {
        let seeds = Self.seeds()
        for seed in seeds {
            let fast = Self.fast(seed)
            #expect(Self.agree(fast, Self.general(seed)), "\(seed): fast \(fast), general \(Self.general(seed))")
        }
        // The two signed frames, the unsigned one and the one signed first are read; the one
        // with two authentication fields is not.
        let read = seeds.prefix(6).map { if case .signed = Self.fast($0) { true } else { false } }
        #expect(read == [true, true, true, true, true, false])
        guard case .signed(_, let authentication) = Self.fast(seeds[0]) else { return }
        #expect(authentication?.keyID == "k1" && authentication?.counter == 7 && authentication?.mac.count == 32)
    }

    @Test func theSignedProtocolVectorsDecodeAlike() {
        for vector in TestVectorTests.vectors {
            let fast = Self.fast(vector.bytes)
            #expect(Self.agree(fast, Self.general(vector.bytes)), "\(vector.name): \(fast)")
        }
    }

    static let inputs = 300_000

    @Test func mutatedSignedFramesDecodeAlike() async {
        let counts = await differentialFuzz(
            inputs: Self.inputs, seeds: [0x5167_0001, 0x5167_0002], corpusCap: 3_000,
            startingCorpus: { random in
                Self.seeds() + (0..<300).map { _ in Self.signed(WireCodec.encode(.report(RandomReport.make(using: &random)))) }
                    + (0..<100).map { _ in Self.signed(WireCodec.encode(.reportBatch(RandomReport.batch(using: &random)))) }
            },
            judge: { input, _ in
                let fast = Self.fast(input)
                if case .deferred = fast { return .deferred }
                let handled = if case .signed = fast { true } else { false }
                return .compared(input, fast: fast, general: Self.general(input), agree: Self.agree, handled: handled)
            })
        print("signed report decoder fuzz: \(Self.inputs) inputs, read \(counts.handled) frames, "
            + "refused \(counts.refused), deferred \(counts.deferred)")
    }
}
