extension Wire.CategoryStats {
    /// One category's statistics; `groups` and `zero_variance_groups` are left absent.
    public init(
        category: String, count: UInt64, sumAbsAdvantage: Double, sumSquaredAdvantage: Double = 0,
        sumReward: Double = 0
    ) {
        self.init()
        self.category = category
        self.count = count
        self.sumAbsAdvantage = sumAbsAdvantage
        self.sumSquaredAdvantage = sumSquaredAdvantage
        self.sumReward = sumReward
    }
}

extension Wire.Report {
    /// A report with every field given, for code that builds the message itself rather than
    /// through ``ReportFrameEncoder`` (test clients, fuzzers, benchmarks).
    public init(
        worker: Wire.WorkerIdentity, sequence: UInt64, policyVersion: UInt64 = 0, stepShare: Double,
        resendFloor: UInt64 = 0, categories: [Wire.CategoryStats]
    ) {
        self.init()
        self.worker = worker
        self.sequence = sequence
        self.policyVersion = policyVersion
        self.stepShare = stepShare
        self.resendFloor = resendFloor
        self.categories = categories
    }
}
