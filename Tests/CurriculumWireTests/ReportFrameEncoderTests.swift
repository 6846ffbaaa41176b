import CurriculumTestSupport
import Testing

@testable import CurriculumWire

/// The hand-written REPT encoder against SwiftProtobuf's: the same bytes for every report.
@Suite struct ReportFrameEncoderTests {
    @Test func randomReportsEncodeToSwiftProtobufsBytes() {
        var random = TestRandom(seed: 0xE9C0_0001)
        var mismatches: [Wire.Report] = []
        for _ in 0..<50_000 {
            let report = RandomReport.make(using: &random)
            if ReportFrameEncoder.encode(ReportFrame(report)) != WireCodec.encode(.report(report)) {
                mismatches.append(report)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    @Test func randomBatchesEncodeToSwiftProtobufsBytes() {
        var random = TestRandom(seed: 0xE9C0_0002)
        for _ in 0..<5_000 {
            let batch = RandomReport.batch(using: &random)
            let reports = ReportFrameBatch(batch.reports.map(ReportFrame.init))
            let expected = reports.count == 1 ? WireCodec.encode(.report(batch.reports[0])) : WireCodec.encode(.reportBatch(batch))
            #expect(ReportFrameEncoder.frameSize(of: reports) == expected.count)
            guard ReportFrameEncoder.encode(reports) == expected else {
                Issue.record("\(batch)")
                return
            }
        }
    }

    @Test func edgeCasesEncodeToSwiftProtobufsBytes() {
        var empty = Wire.Report()
        var emptyWorker = Wire.Report()
        emptyWorker.worker = Wire.WorkerIdentity()
        var extremes = Wire.Report()
        extremes.worker = Wire.WorkerIdentity(workerID: String(repeating: "w", count: 20_000), incarnation: .max)
        extremes.sequence = .max
        extremes.stepShare = -.nan
        extremes.categories = [Wire.CategoryStats(), Wire.CategoryStats()]
        extremes.categories[1].category = String(repeating: "é", count: 70)
        extremes.categories[1].sumReward = -0.0
        extremes.resendFloor = 1
        for report in [empty, emptyWorker, extremes] {
            #expect(ReportFrameEncoder.encode(ReportFrame(report)) == WireCodec.encode(.report(report)))
        }
        // What the encoder writes, the fast decoder reads back.
        let frame = ReportFrameEncoder.encode(ReportFrame(extremes))
        let decoded = frame.withUnsafeBytes { try? ReportFrameDecoder.decode($0) }
        #expect(decoded.map { $0.count == 1 && ReportFrameDecoderTests.same($0[0], ReportFrame(extremes)) } == true)
        empty.sequence = 1
        #expect(ReportFrameEncoder.encode(ReportFrame(empty)) == WireCodec.encode(.report(empty)))
    }

    @Test func varintSizesMatchTheirEncoding() {
        for shift in 0..<64 {
            for value in [UInt64(1) << shift, (UInt64(1) << shift) - 1] {
                var count = 0
                var rest = value
                repeat {
                    count += 1
                    rest >>= 7
                } while rest != 0
                #expect(ProtobufWriter.varintSize(value) == count, "\(value)")
            }
        }
    }
}
