import CurriculumTestSupport
import Foundation
import SwiftProtobuf
import Testing

@testable import CurriculumWire

/// The fast REPT decoder against the general one (`WireCodec.decode`, SwiftProtobuf): on
/// every input the fast decoder handles, both must give the same reports bit for bit, in
/// the same order, or the same `WireError` (reason text included).
@Suite struct ReportFrameDecoderTests {
    /// What one decoder made of one frame.
    enum Outcome: CustomStringConvertible {
        /// One report, or a batch's.
        case reports([ReportFrame])
        case refused(WireError)
        /// The fast decoder left the frame to the general one.
        case deferred
        /// The general decoder read a message of another kind.
        case other(Topic)

        var description: String {
            switch self {
            case .reports(let reports): "reports \(reports)"
            case .refused(let error): "refused \(error)"
            case .deferred: "deferred"
            case .other(let topic): "a \(topic.rawValue) message"
            }
        }
    }

    static func fast(_ frame: [UInt8]) -> Outcome {
        let result = frame.withUnsafeBytes { bytes in
            Result { () throws(WireError) in try ReportFrameDecoder.decode(bytes) }
        }
        switch result {
        case .success(let reports?): return .reports(reports)
        case .success(nil): return .deferred
        case .failure(let error): return .refused(error)
        }
    }

    static func general(_ frame: [UInt8]) -> Outcome {
        let result = frame.withUnsafeBytes { bytes in Result { () throws(WireError) in try WireCodec.decode(bytes) } }
        switch result {
        case .success(.report(let report)): return .reports([ReportFrame(report)])
        case .success(.reportBatch(let batch)): return .reports(batch.reports.map(ReportFrame.init))
        case .success(let body): return .other(Topic(for: body))
        case .failure(let error): return .refused(error)
        }
    }

    /// Field for field, doubles by bit pattern so that NaN equals itself.
    static func same(_ a: ReportFrame, _ b: ReportFrame) -> Bool {
        a.worker == b.worker && a.sequence == b.sequence && a.policyVersion == b.policyVersion
            && a.stepShare.bitPattern == b.stepShare.bitPattern && a.resendFloor == b.resendFloor
            && a.categories.count == b.categories.count
            && zip(a.categories, b.categories).allSatisfy { x, y in
                x.category == y.category && x.count == y.count
                    && x.sumAbsAdvantage.bitPattern == y.sumAbsAdvantage.bitPattern
                    && x.sumSquaredAdvantage.bitPattern == y.sumSquaredAdvantage.bitPattern
                    && x.sumReward.bitPattern == y.sumReward.bitPattern
                    && x.groups == y.groups && x.zeroVarianceGroups == y.zeroVarianceGroups
            }
    }

    /// Whether the fast decoder's outcome agrees with the general one's; true when it deferred.
    static func agree(_ fast: Outcome, _ general: Outcome) -> Bool {
        switch (fast, general) {
        case (.deferred, _): true
        case (.reports(let a), .reports(let b)): a.count == b.count && zip(a, b).allSatisfy(same)
        case (.refused(let a), .refused(let b)): a == b
        default: false
        }
    }

    // MARK: - Frames built by hand

    /// A protobuf tag.
    static func tag(_ field: Int, _ wireType: UInt8) -> [UInt8] { varint(UInt64(field) << 3 | UInt64(wireType)) }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value > 0x7F {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }

    static func field(_ number: Int, _ body: [UInt8]) -> [UInt8] {
        tag(number, 2) + varint(UInt64(body.count)) + body
    }

    /// A REPT frame of this protocol version around `report`, the serialized Report.
    static func frame(report: [UInt8]) -> [UInt8] {
        Topic.report.bytes + tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + field(11, report)
    }

    /// A REPT frame of this protocol version around a ReportBatch of these serialized Reports.
    static func frame(batch reports: [[UInt8]], extra: [UInt8] = []) -> [UInt8] {
        Topic.report.bytes + tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + field(14, reports.flatMap { field(1, $0) } + extra)
    }

    static func serialized(_ report: Wire.Report) -> [UInt8] {
        // Serializing a proto3 message without required fields cannot fail.
        try! report.serializedBytes()
    }

    /// Unknown fields of every wire type, a nested group among them.
    static let unknownFields: [UInt8] =
        tag(90, 0) + varint(1 << 40) + tag(91, 1) + [1, 2, 3, 4, 5, 6, 7, 8] + field(92, [0xFF, 0x00])
        + tag(93, 3) + tag(94, 0) + [7] + tag(95, 3) + tag(96, 5) + [1, 2, 3, 4] + tag(95, 4) + tag(93, 4)
        + tag(97, 5) + [9, 9, 9, 9]

    static let sampleReport = Wire.Report(
        worker: Wire.WorkerIdentity(workerID: "agent-17", incarnation: 0x1234_5678_9ABC_DEF0), sequence: 100_001,
        policyVersion: 1_000, stepShare: 1.0 / 64, resendFloor: 99_000,
        categories: (0..<6).map { (index: Int) -> Wire.CategoryStats in
            Wire.CategoryStats(
                category: "arm-\(index)", count: UInt64(index + 1), sumAbsAdvantage: Double(index) / 8,
                sumSquaredAdvantage: Double(index) / 16, sumReward: Double(index % 2))
        })

    /// Frames the fuzzer starts from: reports plain and unusual, plus other kinds to splice in.
    static func seeds() -> [[UInt8]] {
        var odd = sampleReport
        odd.categories[1].sumReward = -.nan
        odd.categories[2].sumAbsAdvantage = -0.0
        odd.categories[3].category = "é/λ/🙂"
        var unnamed = sampleReport
        unnamed.clearWorker()
        let withUnknowns = serialized(sampleReport) + unknownFields
        let stats = field(5, field(1, Array("a".utf8)) + unknownFields + tag(2, 0) + [3] + tag(3, 1) + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        let worker = field(1, field(1, Array("w".utf8)) + unknownFields + tag(2, 0) + [9])
        // Known fields under other wire types, a worker and a category given twice.
        let misfits = worker + tag(2, 2) + varint(1) + [5] + tag(4, 0) + [1] + stats + field(1, tag(2, 0) + [10])
            + stats + tag(6, 5) + [1, 2, 3, 4]
        let bodies: [Wire.Envelope.OneOf_Body] = [.heartbeat(Wire.Heartbeat()), .join(Wire.Join())]
        var later = sampleReport
        later.sequence += 1
        var batch = Wire.ReportBatch()
        batch.reports = [sampleReport, odd, later]
        var stranger = sampleReport
        stranger.worker.incarnation += 1
        return [
            WireCodec.encode(.reportBatch(batch)),
            // A batch with unknown fields around and inside its reports, and one whose
            // report is given in two halves, which merge.
            frame(batch: [withUnknowns, serialized(later)], extra: unknownFields),
            frame(batch: [serialized(sampleReport), serialized(later)]) + field(14, field(1, tag(2, 0) + [7])),
            // Empty, mixed and nameless batches, which the general decoder refuses or reads.
            frame(batch: []), frame(batch: [serialized(sampleReport), serialized(stranger)]),
            frame(batch: [serialized(unnamed), serialized(unnamed)]),
            WireCodec.encode(.report(sampleReport)), WireCodec.encode(.report(odd)), WireCodec.encode(.report(unnamed)),
            frame(report: withUnknowns), frame(report: misfits), frame(report: []),
            // The report in two halves, which merge.
            Topic.report.bytes + field(11, worker) + tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + field(11, stats + tag(2, 0) + [42]),
        ] + bodies.map(WireCodec.encode)
    }

    // MARK: - Tests

    @Test func seedsDecodeAlikeAndMostAreHandled() {
        for seed in Self.seeds() {
            let fast = Self.fast(seed)
            #expect(Self.agree(fast, Self.general(seed)), "\(seed): fast \(fast), general \(Self.general(seed))")
        }
        let handled = Self.seeds().filter { if case .reports = Self.fast($0) { true } else { false } }
        #expect(handled.count == 9)
    }

    @Test func theProtocolTestVectorsDecodeAlike() {
        for vector in TestVectorTests.vectors {
            let fast = Self.fast(vector.bytes)
            #expect(Self.agree(fast, Self.general(vector.bytes)), "\(vector.name): \(fast)")
        }
    }

    @Test func groupCountsAreReadWithTheirPresence() throws {
        let vector = try #require(TestVectorTests.vectors.first { $0.name == "report-with-groups" })
        guard case .reports(let reports) = Self.fast(vector.bytes) else {
            Issue.record("the fast decoder did not take the report")
            return
        }
        let categories = reports[0].categories
        #expect(categories.map(\.groups) == [8, 1])
        #expect(categories.map(\.zeroVarianceGroups) == [3, 0])
        let old = try #require(TestVectorTests.vectors.first { $0.name == "report" })
        guard case .reports(let plain) = Self.fast(old.bytes) else {
            Issue.record("the fast decoder did not take the report")
            return
        }
        #expect(plain[0].categories.allSatisfy { $0.groups == nil && $0.zeroVarianceGroups == nil })
    }

    @Test func anythingElseInTheEnvelopeIsLeftToTheGeneralDecoder() {
        let report = Self.serialized(Self.sampleReport)
        let authentication = Self.field(2, Self.field(1, [1, 2, 3]))
        for frame in [
            // Another branch adds `Authentication authentication = 2` to Envelope.
            Topic.report.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + authentication + Self.field(11, report),
            Topic.report.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + Self.field(11, report) + authentication,
            // Another version, no version, no report, another body, a known field as another wire type.
            Topic.report.bytes + Self.tag(1, 0) + [3] + Self.field(11, report),
            Topic.report.bytes + Self.field(11, report),
            Topic.report.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)],
            Topic.report.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + Self.field(11, report) + Self.field(12, []),
            Topic.report.bytes + Self.tag(1, 5) + [1, 0, 0, 0] + Self.field(11, report),
            // Both body kinds, or a batch twice (SwiftProtobuf's oneof rules decide those).
            Topic.report.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + Self.field(11, report) + Self.field(14, Self.field(1, report)),
            Topic.report.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + Self.field(14, Self.field(1, report)) + Self.field(11, report),
            Topic.report.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + Self.field(14, Self.field(1, report))
                + Self.field(14, Self.field(1, report)),
            // Other topics.
            WireCodec.encode(.heartbeat(Wire.Heartbeat())), Array("RE".utf8),
        ] {
            guard case .deferred = Self.fast(frame) else {
                Issue.record("handled \(frame): \(Self.fast(frame))")
                continue
            }
        }
    }

    @Test func emptyAndMixedBatchesAreRefusedByTheGeneralDecoderWithTheirReason() {
        let report = Self.serialized(Self.sampleReport)
        var stranger = Self.sampleReport
        stranger.worker.workerID = "agent-18"
        for (frame, reason) in [
            (Self.frame(batch: []), "it holds no report"),
            (Self.frame(batch: [report, report, Self.serialized(stranger)]), "its reports name more than one worker"),
        ] {
            guard case .deferred = Self.fast(frame) else {
                Issue.record("the fast decoder handled \(frame)")
                continue
            }
            guard case .refused(.invalidReportBatch(let text)) = Self.general(frame) else {
                Issue.record("general decoder: \(Self.general(frame))")
                continue
            }
            #expect(text.hasPrefix(reason))
        }
    }

    @Test func randomBatchesDecodeAlike() {
        var random = TestRandom(seed: 0x7E90_0002)
        for _ in 0..<5_000 {
            let batch = RandomReport.batch(using: &random)
            let frame = WireCodec.encode(.reportBatch(batch))
            let fast = Self.fast(frame)
            // Nameless reports are refused one by one after decoding; the general decoder reads those batches.
            if !batch.reports[0].hasWorker, case .deferred = fast { continue }
            guard case .reports(let reports) = fast, reports.count == batch.reports.count else {
                Issue.record("fast decoder: \(fast) for a batch of \(batch.reports.count)")
                continue
            }
            #expect(Self.agree(fast, Self.general(frame)), "\(frame): fast \(fast), general \(Self.general(frame))")
        }
    }

    @Test func oversizedFramesAreRefusedLikeTheGeneralDecoder() {
        let frame = WireCodec.encode(.report(Self.sampleReport))
        #expect(throws: WireError.oversized(byteCount: frame.count, limit: 16)) {
            try frame.withUnsafeBytes { try ReportFrameDecoder.decode($0, maximumFrameSize: 16) }
        }
    }

    /// SwiftProtobuf allows 100 levels of messages and groups; unknown groups nested inside
    /// a category reach that limit after 97 levels.
    @Test func nestedGroupsMeetTheSameDepthLimit() {
        for depth in [1, 50, 96, 97, 98, 99, 150] {
            let open = (0..<depth).flatMap { Self.tag(100 + $0, 3) }
            let close = (0..<depth).reversed().flatMap { Self.tag(100 + $0, 4) }
            for frame in [
                Self.frame(report: Self.field(5, open + close + Self.tag(2, 0) + [1])),
                Self.frame(report: open + close),
                // Unterminated, and closed by the wrong field number.
                Self.frame(report: Self.field(5, open)),
                Self.frame(report: Self.field(5, open + Self.tag(7, 4))),
            ] {
                let fast = Self.fast(frame)
                #expect(Self.agree(fast, Self.general(frame)), "depth \(depth): fast \(fast), general \(Self.general(frame))")
                if case .deferred = fast { Issue.record("deferred at depth \(depth)") }
            }
        }
    }

    /// Every one- and two-byte string, and a spread of three- and four-byte ones, as a
    /// category name: accepted or refused as invalid UTF-8 alike.
    @Test func categoryNamesAreCheckedAsUTF8Alike() {
        var random = TestRandom(seed: 0x0075_7466_0008)
        var names: [[UInt8]] = (0...255).map { [UInt8($0)] }
        names += (0..<(1 << 16)).map { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let leads: [UInt8] = [0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFF]
        for _ in 0..<40_000 {
            let lead = leads.randomElement(using: &random)!
            let count = lead >= 0xF0 ? 3 : 2
            names.append([lead] + (0..<count).map { _ in UInt8.random(in: 0x70...0xC5, using: &random) })
        }
        var refused = 0
        for name in names {
            let frame = Self.frame(report: Self.field(5, Self.field(1, name)))
            let fast = Self.fast(frame)
            #expect(Self.agree(fast, Self.general(frame)), "\(name): fast \(fast), general \(Self.general(frame))")
            if case .refused(.invalidUTF8) = fast { refused += 1 }
        }
        #expect(refused > 10_000)
    }

    @Test func randomReportsDecodeAlike() {
        var random = TestRandom(seed: 0x7E90_0001)
        for _ in 0..<20_000 {
            let frame = WireCodec.encode(.report(RandomReport.make(using: &random)))
            let fast = Self.fast(frame)
            guard case .reports = fast else {
                Issue.record("fast decoder: \(fast) for \(frame)")
                continue
            }
            #expect(Self.agree(fast, Self.general(frame)), "\(frame): fast \(fast), general \(Self.general(frame))")
        }
    }

    // MARK: - Differential fuzzing

    static let inputs = 1_000_000

    /// Both decoders on one mutated frame; the general one only where the fast one did not defer.
    static func judge(_ input: [UInt8]) -> FuzzVerdict {
        let fast = fast(input)
        if case .deferred = fast { return .deferred }
        let handled = if case .reports = fast { true } else { false }
        return .compared(input, fast: fast, general: general(input), agree: agree, handled: handled)
    }

    @Test func aMillionMutatedFramesDecodeAlike() async {
        // Beside the seeds, a thousand random reports and two hundred batches, so that
        // mutations pile up on reports.
        let counts = await differentialFuzz(
            inputs: Self.inputs, seeds: [0xFA57_0001, 0xFA57_0002], corpusCap: 5_000,
            startingCorpus: { random in
                Self.seeds() + (0..<1_000).map { _ in WireCodec.encode(.report(RandomReport.make(using: &random))) }
                    + (0..<200).map { _ in WireCodec.encode(.reportBatch(RandomReport.batch(using: &random))) }
            },
            judge: { input, _ in Self.judge(input) })
        print("report decoder fuzz: \(Self.inputs) inputs, fast decoder read \(counts.handled) reports, "
            + "refused \(counts.refused), deferred \(counts.deferred) to the general decoder")
    }
}
