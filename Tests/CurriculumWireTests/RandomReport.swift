import CurriculumTestSupport
import CurriculumWire

/// Reports with values where encoders and decoders go wrong: varints at every length
/// boundary, NaN payloads, -0, infinities, subnormals, empty and non-ASCII strings, an
/// absent or empty worker, no categories or several, optional group counts absent, 0 or not.
enum RandomReport {
    static func make(using random: inout TestRandom) -> Wire.Report {
        var report = Wire.Report()
        switch Int.random(in: 0..<8, using: &random) {
        case 0: break
        case 1: report.worker = Wire.WorkerIdentity()
        default:
            report.worker = Wire.WorkerIdentity(
                workerID: string(using: &random), incarnation: integer(using: &random))
        }
        report.sequence = integer(using: &random)
        report.policyVersion = integer(using: &random)
        report.stepShare = double(using: &random)
        report.categories = (0..<Int.random(in: 0...8, using: &random)).map { _ in
            var stats = Wire.CategoryStats()
            stats.category = string(using: &random)
            stats.count = integer(using: &random)
            stats.sumAbsAdvantage = double(using: &random)
            stats.sumSquaredAdvantage = double(using: &random)
            stats.sumReward = double(using: &random)
            // proto3 optional fields: absent, or present with any value, 0 included.
            if Bool.random(using: &random) { stats.groups = integer(using: &random) }
            if Bool.random(using: &random) { stats.zeroVarianceGroups = integer(using: &random) }
            return stats
        }
        report.resendFloor = integer(using: &random)
        return report
    }

    /// One to twelve random reports that all name the first one's worker, as a batch must.
    static func batch(using random: inout TestRandom) -> Wire.ReportBatch {
        let first = make(using: &random)
        var batch = Wire.ReportBatch()
        batch.reports = [first] + (1..<Int.random(in: 1...12, using: &random)).map { _ in
            var report = make(using: &random)
            if first.hasWorker { report.worker = first.worker } else { report.clearWorker() }
            return report
        }
        return batch
    }

    static func integer(using random: inout TestRandom) -> UInt64 {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return 0
        // Around a varint length boundary: 2^(7k) - 1 and 2^(7k).
        case 1: return (UInt64(1) << (7 * UInt64.random(in: 1...9, using: &random))) &- UInt64.random(in: 0...1, using: &random)
        case 2: return UInt64.random(in: 1...300, using: &random)
        default: return random.next() >> UInt64.random(in: 0...63, using: &random)
        }
    }

    static func double(using random: inout TestRandom) -> Double {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return 0
        case 1:
            return [-0.0, .infinity, -.infinity, .nan, -.nan, .signalingNaN, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
                .randomElement(using: &random)!
        // A NaN with a random payload.
        case 2: return Double(bitPattern: 0x7FF0_0000_0000_0001 | random.next() & 0x800F_FFFF_FFFF_FFFF)
        case 3: return Double(bitPattern: random.next())
        default: return Double(Int.random(in: 0...1_000, using: &random)) / 64
        }
    }

    static let pieces = ["", "a", "arm-07", "math/level-3", "é", "λ", "🙂", "\u{0}", "日本語"]
    /// Long enough for a two-byte length prefix; rare, as it is slow to check in a debug build.
    static let long = String(repeating: "x", count: 130)

    static func string(using random: inout TestRandom) -> String {
        if Int.random(in: 0..<40, using: &random) == 0 { return long }
        return (0..<Int.random(in: 0...2, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }
}
