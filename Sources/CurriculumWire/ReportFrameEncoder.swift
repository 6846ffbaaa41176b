/// Writes ``ReportFrame``s as a REPT frame, byte for byte what `WireCodec.encode` writes
/// for the same `.report(_:)` (one report) or `.reportBatch(_:)` (several), without building
/// SwiftProtobuf messages: agents send every report this way, and a retransmission re-encodes.
///
/// Fields go out in field-number order and proto3 defaults (0, empty, a double whose bits
/// are all zero) are left out, as SwiftProtobuf's generated `traverse` does; a present
/// `worker` is written even when empty. Every field number here is below 16, so every
/// tag is one byte.
public enum ReportFrameEncoder {
    private static let topic = Topic.report.bytes
    private static let version = UInt64(WireCodec.protocolVersion)

    public static func encode(_ report: ReportFrame) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: frameSize(of: report)) { buffer, initialized in
            write(report, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = buffer.count
        }
    }

    /// The bytes ``write(_:into:)`` writes for `report`.
    public static func frameSize(of report: ReportFrame) -> Int {
        topic.count + envelopeSize(bodySize: bodySize(of: report))
    }

    /// Writes `report`'s frame into `buffer`, which must be exactly ``frameSize(of:)`` bytes:
    /// for example a message buffer of the transport, so the frame is not copied again.
    public static func write(_ report: ReportFrame, into buffer: UnsafeMutableRawBufferPointer) {
        writeFrame(into: buffer, body: 11, bodySize: bodySize(of: report)) { write(report, into: &$0) }
    }

    /// Writes the topic and an envelope whose body is field `body`, `bodySize` bytes that
    /// `writeBody` writes. `buffer` must be exactly the frame's size.
    private static func writeFrame(
        into buffer: UnsafeMutableRawBufferPointer, body: UInt8, bodySize: Int,
        _ writeBody: (inout ProtobufWriter) -> Void
    ) {
        precondition(buffer.count == topic.count + envelopeSize(bodySize: bodySize), "a report frame's size was miscounted")
        var writer = ProtobufWriter(buffer)
        writer.bytes(topic)
        if version != 0 {
            writer.byte(1 << 3 | 0)
            writer.varint(version)
        }
        writer.byte(body << 3 | 2)
        writer.varint(UInt64(bodySize))
        writeBody(&writer)
        precondition(writer.count == buffer.count, "a report frame's size was miscounted")
    }

    private static func envelopeSize(bodySize: Int) -> Int {
        (version != 0 ? 1 + ProtobufWriter.varintSize(version) : 0) + ProtobufWriter.lengthDelimitedFieldSize(bodySize)
    }

    // MARK: - Batches

    /// The frame of `batch`: a `ReportBatch`, or the single-report form when it holds one.
    public static func encode(_ batch: ReportFrameBatch) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: frameSize(of: batch)) { buffer, initialized in
            write(batch, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = buffer.count
        }
    }

    /// The bytes ``write(_:into:)-(ReportFrameBatch,_)`` writes for `batch`.
    public static func frameSize(of batch: ReportFrameBatch) -> Int {
        topic.count + envelopeSize(bodySize: batch.count == 1 ? batch.reportSizes[0] : batch.batchedByteCount)
    }

    /// Writes the frame of `batch` into `buffer`, which must be exactly ``frameSize(of:)-(ReportFrameBatch)`` bytes.
    public static func write(_ batch: ReportFrameBatch, into buffer: UnsafeMutableRawBufferPointer) {
        guard batch.count != 1 else {
            return writeFrame(into: buffer, body: 11, bodySize: batch.reportSizes[0]) { write(batch[0], into: &$0) }
        }
        writeFrame(into: buffer, body: 14, bodySize: batch.batchedByteCount) { writer in
            for (report, size) in zip(batch.reports, batch.reportSizes) {
                writer.byte(1 << 3 | 2)
                writer.varint(UInt64(size))
                write(report, into: &writer)
            }
        }
    }

    // MARK: - Sizes

    /// The bytes of `report`'s message, without a tag or length prefix.
    static func bodySize(of report: ReportFrame) -> Int {
        var size = 0
        if let worker = report.worker { size += ProtobufWriter.lengthDelimitedFieldSize(self.size(of: worker)) }
        size += varintFieldSize(report.sequence) + varintFieldSize(report.policyVersion)
        size += doubleFieldSize(report.stepShare)
        for category in report.categories {
            size += ProtobufWriter.lengthDelimitedFieldSize(self.size(of: category))
        }
        return size + varintFieldSize(report.resendFloor)
    }

    private static func size(of worker: ReportFrame.Worker) -> Int {
        stringFieldSize(worker.workerID) + varintFieldSize(worker.incarnation)
    }

    private static func size(of category: ReportFrame.Category) -> Int {
        stringFieldSize(category.category) + varintFieldSize(category.count)
            + doubleFieldSize(category.sumAbsAdvantage) + doubleFieldSize(category.sumSquaredAdvantage)
            + doubleFieldSize(category.sumReward) + presentVarintFieldSize(category.groups)
            + presentVarintFieldSize(category.zeroVarianceGroups)
    }

    private static func varintFieldSize(_ value: UInt64) -> Int {
        value == 0 ? 0 : 1 + ProtobufWriter.varintSize(value)
    }

    /// A proto3 `optional` field: written whenever present, 0 included.
    private static func presentVarintFieldSize(_ value: UInt64?) -> Int {
        value.map { 1 + ProtobufWriter.varintSize($0) } ?? 0
    }

    private static func doubleFieldSize(_ value: Double) -> Int {
        value.bitPattern == 0 ? 0 : 9
    }

    private static func stringFieldSize(_ value: String) -> Int {
        value.isEmpty ? 0 : ProtobufWriter.lengthDelimitedFieldSize(value.utf8.count)
    }

    // MARK: - Fields

    private static func write(_ report: ReportFrame, into writer: inout ProtobufWriter) {
        if let worker = report.worker {
            writer.byte(1 << 3 | 2)
            writer.varint(UInt64(size(of: worker)))
            writeString(1, worker.workerID, into: &writer)
            writeVarint(2, worker.incarnation, into: &writer)
        }
        writeVarint(2, report.sequence, into: &writer)
        writeVarint(3, report.policyVersion, into: &writer)
        writeDouble(4, report.stepShare, into: &writer)
        for category in report.categories {
            writer.byte(5 << 3 | 2)
            writer.varint(UInt64(size(of: category)))
            writeString(1, category.category, into: &writer)
            writeVarint(2, category.count, into: &writer)
            writeDouble(3, category.sumAbsAdvantage, into: &writer)
            writeDouble(4, category.sumSquaredAdvantage, into: &writer)
            writeDouble(5, category.sumReward, into: &writer)
            writePresentVarint(6, category.groups, into: &writer)
            writePresentVarint(7, category.zeroVarianceGroups, into: &writer)
        }
        writeVarint(6, report.resendFloor, into: &writer)
    }

    private static func writeVarint(_ field: UInt8, _ value: UInt64, into writer: inout ProtobufWriter) {
        guard value != 0 else { return }
        writer.byte(field << 3 | 0)
        writer.varint(value)
    }

    private static func writePresentVarint(_ field: UInt8, _ value: UInt64?, into writer: inout ProtobufWriter) {
        guard let value else { return }
        writer.byte(field << 3 | 0)
        writer.varint(value)
    }

    private static func writeDouble(_ field: UInt8, _ value: Double, into writer: inout ProtobufWriter) {
        guard value.bitPattern != 0 else { return }
        writer.byte(field << 3 | 1)
        writer.double(value)
    }

    private static func writeString(_ field: UInt8, _ value: String, into writer: inout ProtobufWriter) {
        guard !value.isEmpty else { return }
        writer.byte(field << 3 | 2)
        writer.string(value)
    }
}
