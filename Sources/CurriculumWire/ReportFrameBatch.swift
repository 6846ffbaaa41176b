/// Reports bound for one REPT frame, in order, each with its encoded size worked out once,
/// when it joins the batch.
///
/// Writing a batch needs every report's size three times (the batch body's length, the
/// report's length prefix, the frame's size to allocate) and the sender's byte budget needs
/// it once more. Computed anew each time, sizes took 2.5% of all CPU time of in-process
/// batched ingest (IngestBench, 16 agents, perf); a batch holds them instead.
public struct ReportFrameBatch: Sendable, RandomAccessCollection {
    public private(set) var reports: [ReportFrame] = []
    /// Each report's encoded size, without the length prefix a batch gives it.
    private(set) var reportSizes: [Int] = []
    /// The bytes the reports take inside a `ReportBatch` body: what a byte budget limits.
    public private(set) var batchedByteCount = 0

    public init() {}

    public init(_ reports: some Sequence<ReportFrame>) {
        for report in reports { append(report) }
    }

    public mutating func append(_ report: ReportFrame) {
        append(report, size: ReportFrameEncoder.bodySize(of: report))
    }

    mutating func append(_ report: ReportFrame, size: Int) {
        reports.append(report)
        reportSizes.append(size)
        batchedByteCount += ProtobufWriter.lengthDelimitedFieldSize(size)
    }

    public var startIndex: Int { reports.startIndex }
    public var endIndex: Int { reports.endIndex }
    public subscript(position: Int) -> ReportFrame { reports[position] }
}

/// Splits reports, in order, into as few batches as a per-frame report limit and byte budget
/// allow. A batch that is still empty takes any report, however large, so every report
/// travels.
public struct ReportFrameBatcher: Sendable {
    public let maximumReportsPerFrame: Int
    /// The most bytes of batched reports (``ReportFrameBatch/batchedByteCount``) a frame takes.
    public let byteBudget: Int
    public private(set) var batches: [ReportFrameBatch] = []
    private var current = ReportFrameBatch()

    public init(maximumReportsPerFrame: Int, byteBudget: Int) {
        self.maximumReportsPerFrame = maximumReportsPerFrame
        self.byteBudget = byteBudget
    }

    public mutating func append(_ report: ReportFrame) {
        let size = ReportFrameEncoder.bodySize(of: report)
        if !current.isEmpty,
            current.count >= maximumReportsPerFrame
                || current.batchedByteCount + ProtobufWriter.lengthDelimitedFieldSize(size) > byteBudget
        {
            batches.append(current)
            current = ReportFrameBatch()
        }
        current.append(report, size: size)
    }

    /// Every batch, the last one included.
    public consuming func finish() -> [ReportFrameBatch] {
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
