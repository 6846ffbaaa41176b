import SwiftProtobuf

/// Finds one worker's acknowledgements in an ACKS frame without decoding everyone else's.
///
/// Every agent receives every ACKS frame, which names every worker that reported since
/// the last one: with W workers the general decoder builds W messages in each of W agents,
/// every acknowledgement period. This reader checks every entry as the general decoder
/// would (the same refusals with the same `WireError`, see ``ProtobufReader``) but keeps
/// only the entries whose `worker` equals the given one as `Wire.WorkerIdentity`'s `==`
/// has it: see ``WorkerMatcher``.
///
/// Like ``ReportFrameDecoder`` it handles only envelopes holding nothing but
/// `protocol_version` and `acks` in a version this build speaks, and returns nil for
/// anything else, for the caller to decode the frame with `WireCodec.decode`.
public enum AcksFrameDecoder {
    /// The four bytes of "ACKS" as one `UInt32` in memory order.
    private static let acksTopic = Topic.acks.bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }

    /// The acknowledgements addressed to `worker`, in frame order (usually one or none);
    /// nil when the frame is not one this decoder handles.
    public static func acknowledgements(
        in frame: UnsafeRawBufferPointer,
        for worker: ReportFrame.Worker,
        maximumFrameSize: Int = WireCodec.defaultMaximumFrameSize
    ) throws(WireError) -> [Acknowledgement]? {
        guard frame.count <= maximumFrameSize else {
            throw .oversized(byteCount: frame.count, limit: maximumFrameSize)
        }
        guard frame.count >= Topic.byteCount, frame.loadUnaligned(as: UInt32.self) == acksTopic else { return nil }
        do {
            return try envelope(UnsafeRawBufferPointer(rebasing: frame[Topic.byteCount...]), matcher: WorkerMatcher(worker))
        } catch .invalidUTF8 {
            throw .invalidUTF8(topic: .acks)
        } catch {
            // The same reason text as the general decoder's.
            throw .malformedEnvelope(topic: .acks, reason: String(describing: error))
        }
    }

    private static func envelope(
        _ payload: UnsafeRawBufferPointer, matcher: WorkerMatcher
    ) throws(BinaryDecodingError) -> [Acknowledgement]? {
        var reader = try ProtobufReader.outermost(payload)
        var version: UInt32 = 0
        var found: [Acknowledgement] = []
        var hasAcks = false
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .varint):
                version = UInt32(truncatingIfNeeded: try reader.varint())
            case (21, .lengthDelimited):
                var acks = try reader.message()
                try decodeAcks(&acks, matcher: matcher, into: &found)
                hasAcks = true
            default:
                return nil
            }
        }
        // Without acks, or in another version, the general decoder names the fault.
        guard hasAcks, WireCodec.supportedVersions.contains(version) else { return nil }
        return found
    }

    /// `Acks`: field 1 is a repeated `WorkerAck`.
    private static func decodeAcks(
        _ reader: inout ProtobufReader, matcher: WorkerMatcher, into found: inout [Acknowledgement]
    ) throws(BinaryDecodingError) {
        while !reader.isAtEnd {
            let tag = try reader.tag()
            if tag.field == 1, tag.wireType == .lengthDelimited {
                var entry = try reader.message()
                if let acknowledgement = try decodeWorkerAck(&entry, matcher: matcher) { found.append(acknowledgement) }
            } else {
                try reader.skip(tag)
            }
        }
    }

    /// `WorkerAck`, kept only if it names the matcher's worker. Its `worker` may come after
    /// the other fields, so every entry is read whole. (`selective` is empty unless reports
    /// arrived out of order, so collecting it for every entry allocates nothing as a rule.)
    private static func decodeWorkerAck(
        _ reader: inout ProtobufReader, matcher: WorkerMatcher
    ) throws(BinaryDecodingError) -> Acknowledgement? {
        var worker = WorkerMatcher.Candidate()
        var acknowledgement = Acknowledgement()
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                var body = try reader.message()
                try WorkerMatcher.read(&body, into: &worker)
            case (2, .varint):
                acknowledgement.contiguousThrough = try reader.varint()
            case (3, .varint):
                acknowledgement.selective.append(try reader.varint())
            case (3, .lengthDelimited):
                var values = try reader.packed()
                while !values.isAtEnd { acknowledgement.selective.append(try values.varint()) }
            case (4, .varint):
                acknowledgement.rejected = try reader.varint()
            default:
                try reader.skip(tag)
            }
        }
        return matcher.matches(worker) ? acknowledgement : nil
    }
}
