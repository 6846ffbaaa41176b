/// The contents of a REPT frame as plain values: what ``ReportFrameDecoder`` reads and
/// ``ReportFrameEncoder`` writes, without SwiftProtobuf message objects.
///
/// The fields mirror `Report`, `WorkerIdentity` and `CategoryStats` of
/// Protocols/curriculum.proto with their proto3 defaults. Unknown fields are not kept:
/// nothing on the ingest or send path reads them.
public struct ReportFrame: Sendable {
    /// `WorkerIdentity`.
    public struct Worker: Sendable, Hashable {
        public var workerID: String
        public var incarnation: UInt64

        public init(workerID: String, incarnation: UInt64) {
            self.workerID = workerID
            self.incarnation = incarnation
        }
    }

    /// `CategoryStats`.
    public struct Category: Sendable {
        public var category: String
        public var count: UInt64
        public var sumAbsAdvantage: Double
        public var sumSquaredAdvantage: Double
        public var sumReward: Double
        /// proto3 `optional` fields: nil when absent (old workers), 0 when sent as 0.
        public var groups: UInt64?
        public var zeroVarianceGroups: UInt64?

        public init(
            category: String = "", count: UInt64 = 0, sumAbsAdvantage: Double = 0, sumSquaredAdvantage: Double = 0,
            sumReward: Double = 0, groups: UInt64? = nil, zeroVarianceGroups: UInt64? = nil
        ) {
            self.category = category
            self.count = count
            self.sumAbsAdvantage = sumAbsAdvantage
            self.sumSquaredAdvantage = sumSquaredAdvantage
            self.sumReward = sumReward
            self.groups = groups
            self.zeroVarianceGroups = zeroVarianceGroups
        }
    }

    /// nil when the report carries no `worker` field (proto3 message presence).
    public var worker: Worker?
    public var sequence: UInt64
    public var policyVersion: UInt64
    public var stepShare: Double
    public var categories: [Category]
    public var resendFloor: UInt64

    public init(
        worker: Worker? = nil, sequence: UInt64 = 0, policyVersion: UInt64 = 0, stepShare: Double = 0,
        categories: [Category] = [], resendFloor: UInt64 = 0
    ) {
        self.worker = worker
        self.sequence = sequence
        self.policyVersion = policyVersion
        self.stepShare = stepShare
        self.categories = categories
        self.resendFloor = resendFloor
    }

    /// The same report, from the general decoder's message.
    public init(_ report: Wire.Report) {
        self.init(
            worker: report.hasWorker
                ? Worker(workerID: report.worker.workerID, incarnation: report.worker.incarnation) : nil,
            sequence: report.sequence, policyVersion: report.policyVersion, stepShare: report.stepShare,
            categories: report.categories.map {
                Category(
                    category: $0.category, count: $0.count, sumAbsAdvantage: $0.sumAbsAdvantage,
                    sumSquaredAdvantage: $0.sumSquaredAdvantage, sumReward: $0.sumReward,
                    groups: $0.hasGroups ? $0.groups : nil,
                    zeroVarianceGroups: $0.hasZeroVarianceGroups ? $0.zeroVarianceGroups : nil)
            },
            resendFloor: report.resendFloor)
    }
}
