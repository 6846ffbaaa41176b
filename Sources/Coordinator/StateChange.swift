import Curriculum

/// One durable change to the coordinator's state, as the journal records it.
///
/// Only what must survive a crash is a change: merged and rejected reports (ledger,
/// curriculum, totals), settled sequence gaps, version advances, registered categories,
/// joins and leaves, retirements, and the signature counters of membership frames.
/// Leases, rates and counters restart with the process.
public enum StateChange: Sendable, Equatable {
    case merged(MergedReport)
    case rejected(WorkerKey, sequence: UInt64, resendFloor: UInt64)
    case settled(WorkerKey, floor: UInt64)
    case advanced(version: Int)
    case registered(category: String)
    case joined(WorkerKey, hostname: String, stepShare: Double)
    case left(WorkerKey)
    /// A finished incarnation dropped from the membership and the ledgers, kept as its
    /// final sequence (see ``CoordinatorState/retireFinished(at:wallClockMs:policy:)``).
    /// `atMs` is the wall clock at retirement, which its record expires from.
    case retired(WorkerKey, finalSequence: UInt64, atMs: UInt64)
    /// The highest signature counters of the joins, heartbeats and leaves a commit took
    /// in, one per incarnation: a restarted coordinator refuses those frames replayed.
    /// One record per commit batch rather than per frame, for the same flush.
    case signatureCounters([SignerCounter])
}

/// The highest signature counter seen from one incarnation.
public struct SignerCounter: Sendable, Equatable {
    public var worker: WorkerKey
    public var counter: UInt64

    public init(worker: WorkerKey, counter: UInt64) {
        self.worker = worker
        self.counter = counter
    }
}

/// A report as merged: who sent it, where it sits in their sequence, and its categories.
public struct MergedReport: Sendable, Equatable {
    public var worker: WorkerKey
    public var sequence: UInt64
    public var resendFloor: UInt64
    public var policyVersion: Int
    public var stepShare: Double
    public var categories: [CategoryReport]

    public init(
        worker: WorkerKey, sequence: UInt64, resendFloor: UInt64, policyVersion: Int, stepShare: Double,
        categories: [CategoryReport]
    ) {
        self.worker = worker
        self.sequence = sequence
        self.resendFloor = resendFloor
        self.policyVersion = policyVersion
        self.stepShare = stepShare
        self.categories = categories
    }
}

// MARK: - Binary form

/// The journal's record payloads: a kind byte, then fixed-width little-endian fields and
/// length-prefixed UTF-8 strings. Hand-written rather than JSON because every merged
/// report passes through it on the ingest path.
extension StateChange {
    private enum Kind: UInt8 {
        case merged = 1, rejected, settled, advanced, registered, joined, left
        /// `merged` with each category followed by a presence byte (bit 0: groups, bit 1:
        /// zero-variance groups) and the counts present, as Int64. Written only for reports
        /// that count groups, so journals of workers that do not are byte for byte as before.
        case mergedWithGroups
        case retired
        case signatureCounters
    }

    func encode(into writer: inout RecordWriter) {
        switch self {
        case .merged(let report):
            let withGroups = report.categories.contains { $0.groups != nil || $0.zeroVarianceGroups != nil }
            writer.write((withGroups ? Kind.mergedWithGroups : Kind.merged).rawValue)
            writer.write(report.worker)
            writer.write(report.sequence)
            writer.write(report.resendFloor)
            writer.write(Int64(report.policyVersion))
            writer.write(report.stepShare)
            writer.write(UInt32(report.categories.count))
            for category in report.categories {
                writer.write(category.category)
                writer.write(Int64(category.count))
                writer.write(category.sumAbsAdvantage)
                writer.write(category.sumSquaredAdvantage)
                writer.write(category.sumReward)
                if withGroups {
                    let groups = category.groups, zeroVariance = category.zeroVarianceGroups
                    writer.write(UInt8((groups != nil ? 1 : 0) | (zeroVariance != nil ? 2 : 0)))
                    if let groups { writer.write(Int64(groups)) }
                    if let zeroVariance { writer.write(Int64(zeroVariance)) }
                }
            }
        case .rejected(let worker, let sequence, let resendFloor):
            writer.write(Kind.rejected.rawValue)
            writer.write(worker)
            writer.write(sequence)
            writer.write(resendFloor)
        case .settled(let worker, let floor):
            writer.write(Kind.settled.rawValue)
            writer.write(worker)
            writer.write(floor)
        case .advanced(let version):
            writer.write(Kind.advanced.rawValue)
            writer.write(Int64(version))
        case .registered(let category):
            writer.write(Kind.registered.rawValue)
            writer.write(category)
        case .joined(let worker, let hostname, let stepShare):
            writer.write(Kind.joined.rawValue)
            writer.write(worker)
            writer.write(hostname)
            writer.write(stepShare)
        case .left(let worker):
            writer.write(Kind.left.rawValue)
            writer.write(worker)
        case .retired(let worker, let finalSequence, let atMs):
            writer.write(Kind.retired.rawValue)
            writer.write(worker)
            writer.write(finalSequence)
            writer.write(atMs)
        case .signatureCounters(let counters):
            writer.write(Kind.signatureCounters.rawValue)
            writer.write(UInt32(counters.count))
            for entry in counters {
                writer.write(entry.worker)
                writer.write(entry.counter)
            }
        }
    }

    init(from reader: inout RecordReader) throws(RecordReader.Malformed) {
        let byte: UInt8 = try reader.read()
        guard let kind = Kind(rawValue: byte) else { throw .init(reason: "unknown change kind \(byte)") }
        switch kind {
        case .merged, .mergedWithGroups:
            let worker: WorkerKey = try reader.read()
            let sequence: UInt64 = try reader.read()
            let resendFloor: UInt64 = try reader.read()
            let version = Int(try reader.read() as Int64)
            let share: Double = try reader.read()
            let count = Int(try reader.read() as UInt32)
            var categories: [CategoryReport] = []
            categories.reserveCapacity(min(count, 4096))
            for _ in 0..<count {
                var category = CategoryReport(
                    category: try reader.read(), count: Int(try reader.read() as Int64),
                    sumAbsAdvantage: try reader.read(), sumSquaredAdvantage: try reader.read(),
                    sumReward: try reader.read(), version: version, share: share)
                if kind == .mergedWithGroups {
                    let present: UInt8 = try reader.read()
                    if present & 1 != 0 { category.groups = Int(try reader.read() as Int64) }
                    if present & 2 != 0 { category.zeroVarianceGroups = Int(try reader.read() as Int64) }
                }
                categories.append(category)
            }
            self = .merged(MergedReport(
                worker: worker, sequence: sequence, resendFloor: resendFloor, policyVersion: version,
                stepShare: share, categories: categories))
        case .rejected:
            self = .rejected(try reader.read(), sequence: try reader.read(), resendFloor: try reader.read())
        case .settled:
            self = .settled(try reader.read(), floor: try reader.read())
        case .advanced:
            self = .advanced(version: Int(try reader.read() as Int64))
        case .registered:
            self = .registered(category: try reader.read())
        case .joined:
            self = .joined(try reader.read(), hostname: try reader.read(), stepShare: try reader.read())
        case .left:
            self = .left(try reader.read())
        case .retired:
            self = .retired(try reader.read(), finalSequence: try reader.read(), atMs: try reader.read())
        case .signatureCounters:
            let count = Int(try reader.read() as UInt32)
            var counters: [SignerCounter] = []
            counters.reserveCapacity(min(count, 4096))
            for _ in 0..<count {
                counters.append(SignerCounter(worker: try reader.read(), counter: try reader.read()))
            }
            self = .signatureCounters(counters)
        }
        guard reader.isAtEnd else { throw .init(reason: "\(reader.remaining) bytes after a \(kind) change") }
    }
}
