import SwiftProtobuf

/// Reads REPT frames straight from their bytes into ``ReportFrame``s, for the
/// coordinator's ingest path, where building SwiftProtobuf messages for every report cost
/// more than merging it.
///
/// It handles the frames agents send: an envelope holding nothing but `protocol_version`,
/// either one `report` or one `report_batch`, and, read by ``decodeSigned(_:maximumFrameSize:)``
/// only, one `authentication`. For those it gives what
/// `WireCodec.decode` gives: the same reports, field for field, in order, or the same
/// `WireError` (SwiftProtobuf's rules are followed step by step, see ``ProtobufReader``:
/// the last value of a scalar wins, a repeated `report` or `worker` merges into the first,
/// unknown fields are skipped, strings must be UTF-8). Anything unusual at the envelope
/// level (any other field, such as a later version's additions; a known field under another
/// wire type; no report; both body kinds, or a batch given twice; a batch that is empty or
/// names more than one worker; a protocol version this build does not speak) makes it
/// return nil, and the caller decodes the frame with `WireCodec.decode`, which names the
/// fault. Unknown fields inside a report are not kept.
public enum ReportFrameDecoder {
    /// The four bytes of "REPT" as one `UInt32` in memory order, to test a frame's topic in one comparison.
    private static let reportTopic = Topic.report.bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }

    /// The reports in `frame`, nil when the frame is not one this decoder handles. A signed
    /// frame is left to the general decoder: use ``decodeSigned(_:maximumFrameSize:)`` to check it.
    public static func decode(
        _ frame: UnsafeRawBufferPointer,
        maximumFrameSize: Int = WireCodec.defaultMaximumFrameSize
    ) throws(WireError) -> [ReportFrame]? {
        try decode(frame, maximumFrameSize: maximumFrameSize, readingAuthentication: false)?.reports
    }

    /// A REPT frame's reports and its `authentication` (nil when unsigned), for a receiver
    /// that checks signatures; nil when the frame is not one this decoder handles, as for
    /// ``decode(_:maximumFrameSize:)``. An `authentication` given twice is left to the general
    /// decoder too (SwiftProtobuf merges the two).
    public static func decodeSigned(
        _ frame: UnsafeRawBufferPointer,
        maximumFrameSize: Int = WireCodec.defaultMaximumFrameSize
    ) throws(WireError) -> (reports: [ReportFrame], authentication: FrameAuthentication?)? {
        try decode(frame, maximumFrameSize: maximumFrameSize, readingAuthentication: true)
    }

    private static func decode(
        _ frame: UnsafeRawBufferPointer, maximumFrameSize: Int, readingAuthentication: Bool
    ) throws(WireError) -> (reports: [ReportFrame], authentication: FrameAuthentication?)? {
        guard frame.count <= maximumFrameSize else {
            throw .oversized(byteCount: frame.count, limit: maximumFrameSize)
        }
        guard frame.count >= Topic.byteCount, frame.loadUnaligned(as: UInt32.self) == reportTopic else { return nil }
        do {
            return try envelope(
                UnsafeRawBufferPointer(rebasing: frame[Topic.byteCount...]), readingAuthentication: readingAuthentication)
        } catch .invalidUTF8 {
            throw .invalidUTF8(topic: .report)
        } catch {
            // The same reason text as the general decoder's.
            throw .malformedEnvelope(topic: .report, reason: String(describing: error))
        }
    }

    private static func envelope(
        _ payload: UnsafeRawBufferPointer, readingAuthentication: Bool
    ) throws(BinaryDecodingError) -> (reports: [ReportFrame], authentication: FrameAuthentication?)? {
        var reader = try ProtobufReader.outermost(payload)
        var version: UInt32 = 0
        var report: ReportFrame?
        var batch: [ReportFrame]?
        var authentication: FrameAuthentication?
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .varint):
                version = UInt32(truncatingIfNeeded: try reader.varint())
            case (2, .lengthDelimited) where readingAuthentication && authentication == nil:
                var body = try reader.message()
                authentication = try decodeAuthentication(&body)
            case (11, .lengthDelimited) where batch == nil:
                var body = try reader.message()
                var decoded = report ?? ReportFrame()
                try decode(&body, into: &decoded)
                report = decoded
            case (14, .lengthDelimited) where batch == nil && report == nil:
                var body = try reader.message()
                batch = try decodeBatch(&body)
            default:
                return nil
            }
        }
        // In another version the general decoder names the fault.
        guard WireCodec.supportedVersions.contains(version) else { return nil }
        if let report { return ([report], authentication) }
        // An empty or mixed batch is refused by the general decoder, with its reason.
        guard let batch, let worker = batch.first?.worker, batch.allSatisfy({ $0.worker == worker }) else {
            return nil
        }
        return (batch, authentication)
    }

    private static func decodeAuthentication(
        _ reader: inout ProtobufReader
    ) throws(BinaryDecodingError) -> FrameAuthentication {
        var authentication = FrameAuthentication()
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                authentication.keyID = try reader.string()
            case (2, .varint):
                authentication.counter = try reader.varint()
            case (3, .varint):
                authentication.sentAtMs = try reader.varint()
            case (15, .lengthDelimited):
                authentication.mac = Array(try reader.lengthDelimited())
            default:
                try reader.skip(tag)
            }
        }
        return authentication
    }

    private static func decodeBatch(_ reader: inout ProtobufReader) throws(BinaryDecodingError) -> [ReportFrame] {
        var reports: [ReportFrame] = []
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                var body = try reader.message()
                var report = ReportFrame()
                try decode(&body, into: &report)
                reports.append(report)
            default:
                try reader.skip(tag)
            }
        }
        return reports
    }

    private static func decode(_ reader: inout ProtobufReader, into report: inout ReportFrame) throws(BinaryDecodingError) {
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                var body = try reader.message()
                var worker = report.worker ?? ReportFrame.Worker(workerID: "", incarnation: 0)
                try decode(&body, into: &worker)
                report.worker = worker
            case (2, .varint):
                report.sequence = try reader.varint()
            case (3, .varint):
                report.policyVersion = try reader.varint()
            case (4, .fixed64):
                report.stepShare = try reader.double()
            case (5, .lengthDelimited):
                var body = try reader.message()
                var category = ReportFrame.Category()
                try decode(&body, into: &category)
                // Reports carry a handful of categories: one allocation instead of one
                // per doubling.
                if report.categories.capacity == 0 { report.categories.reserveCapacity(8) }
                report.categories.append(category)
            case (6, .varint):
                report.resendFloor = try reader.varint()
            default:
                try reader.skip(tag)
            }
        }
    }

    private static func decode(_ reader: inout ProtobufReader, into worker: inout ReportFrame.Worker) throws(BinaryDecodingError) {
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                worker.workerID = try reader.string()
            case (2, .varint):
                worker.incarnation = try reader.varint()
            default:
                try reader.skip(tag)
            }
        }
    }

    private static func decode(_ reader: inout ProtobufReader, into category: inout ReportFrame.Category) throws(BinaryDecodingError) {
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                category.category = try reader.string()
            case (2, .varint):
                category.count = try reader.varint()
            case (3, .fixed64):
                category.sumAbsAdvantage = try reader.double()
            case (4, .fixed64):
                category.sumSquaredAdvantage = try reader.double()
            case (5, .fixed64):
                category.sumReward = try reader.double()
            case (6, .varint):
                category.groups = try reader.varint()
            case (7, .varint):
                category.zeroVarianceGroups = try reader.varint()
            default:
                try reader.skip(tag)
            }
        }
    }
}
