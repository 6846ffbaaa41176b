import SwiftProtobuf

/// Reads POLI frames straight from their bytes into a ``PolicyFrame``, for the agents:
/// every agent decodes every policy the coordinator publishes, several hundred a second
/// under load, each with every category's name and two arrays of doubles.
///
/// Like ``ReportFrameDecoder``: for an envelope holding nothing but `protocol_version` and
/// `policy`, in a version this build speaks, it gives what `WireCodec.decode` gives (the
/// same policy, or the same `WireError`); for anything else it returns nil, for the
/// caller to decode the frame with `WireCodec.decode`.
public enum PolicyFrameDecoder {
    /// The four bytes of "POLI" as one `UInt32` in memory order.
    private static let policyTopic = Topic.policy.bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }

    /// The policy in `frame`, nil when the frame is not one this decoder handles.
    public static func decode(
        _ frame: UnsafeRawBufferPointer,
        maximumFrameSize: Int = WireCodec.defaultMaximumFrameSize
    ) throws(WireError) -> PolicyFrame? {
        guard frame.count <= maximumFrameSize else {
            throw .oversized(byteCount: frame.count, limit: maximumFrameSize)
        }
        guard frame.count >= Topic.byteCount, frame.loadUnaligned(as: UInt32.self) == policyTopic else { return nil }
        do {
            return try envelope(UnsafeRawBufferPointer(rebasing: frame[Topic.byteCount...]))
        } catch .invalidUTF8 {
            throw .invalidUTF8(topic: .policy)
        } catch {
            // The same reason text as the general decoder's.
            throw .malformedEnvelope(topic: .policy, reason: String(describing: error))
        }
    }

    private static func envelope(_ payload: UnsafeRawBufferPointer) throws(BinaryDecodingError) -> PolicyFrame? {
        var reader = try ProtobufReader.outermost(payload)
        var version: UInt32 = 0
        var policy = PolicyFrame()
        var hasPolicy = false
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .varint):
                version = UInt32(truncatingIfNeeded: try reader.varint())
            case (20, .lengthDelimited):
                var body = try reader.message()
                try decode(&body, into: &policy)
                hasPolicy = true
            default:
                return nil
            }
        }
        // Without a policy, or in another version, the general decoder names the fault.
        guard hasPolicy, WireCodec.supportedVersions.contains(version) else { return nil }
        return policy
    }

    private static func decode(_ reader: inout ProtobufReader, into policy: inout PolicyFrame) throws(BinaryDecodingError) {
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .varint):
                policy.version = try reader.varint()
            case (2, .lengthDelimited):
                policy.categories.append(try reader.string())
            case (3, .fixed64):
                policy.probabilities.append(try reader.double())
            case (3, .lengthDelimited):
                try reader.packedDoubles(into: &policy.probabilities)
            case (4, .fixed64):
                policy.values.append(try reader.double())
            case (4, .lengthDelimited):
                try reader.packedDoubles(into: &policy.values)
            case (5, .lengthDelimited):
                policy.policyName = try reader.string()
            case (6, .varint):
                policy.issuedAtMs = try reader.varint()
            default:
                try reader.skip(tag)
            }
        }
    }
}
