/// Why a frame could not be read. Each case names one specific fault, so the
/// coordinator can log it and count it under its own label.
public enum WireError: Error, Hashable, Sendable {
    /// Fewer bytes than a topic.
    case truncated(byteCount: Int)
    /// Larger than the receiver accepts.
    case oversized(byteCount: Int, limit: Int)
    /// The first four bytes name no topic of this protocol.
    case unknownTopic(prefix: [UInt8])
    /// The bytes after the topic are not a valid `Envelope`.
    case malformedEnvelope(topic: Topic, reason: String)
    /// A string field (a category or worker name) is not valid UTF-8.
    case invalidUTF8(topic: Topic)
    /// The envelope holds no body, or one of a kind this version does not know.
    case unknownMessageType(topic: Topic)
    /// The body is not the kind the topic announces.
    case topicMismatch(topic: Topic, body: Topic)
    /// A `ReportBatch` that is empty or whose reports name more than one worker.
    case invalidReportBatch(reason: String)
    /// The sender speaks another protocol version. `sender` is set when the
    /// envelope named one, so the receiver can answer it.
    case unsupportedProtocolVersion(received: UInt32, sender: Wire.WorkerIdentity?)

    /// A stable, low-cardinality label for counters.
    public var label: String {
        switch self {
        case .truncated: "truncated"
        case .oversized: "oversized"
        case .unknownTopic: "unknown_topic"
        case .malformedEnvelope: "malformed"
        case .invalidUTF8: "invalid_utf8"
        case .unknownMessageType: "unknown_message_type"
        case .topicMismatch: "topic_mismatch"
        case .invalidReportBatch: "invalid_report_batch"
        case .unsupportedProtocolVersion: "unsupported_protocol_version"
        }
    }
}

extension WireError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let count):
            "truncated frame: \(count) bytes, a topic alone takes \(Topic.byteCount)"
        case .oversized(let count, let limit):
            "oversized frame: \(count) bytes, the limit is \(limit)"
        case .unknownTopic(let prefix):
            "unknown topic 0x\(prefix.map { String($0, radix: 16).leftPadded(to: 2) }.joined())"
        case .malformedEnvelope(let topic, let reason):
            "malformed \(topic.rawValue) envelope: \(reason)"
        case .invalidUTF8(let topic):
            "\(topic.rawValue) envelope has a string field that is not valid UTF-8"
        case .unknownMessageType(let topic):
            "\(topic.rawValue) envelope carries no message type this protocol version knows"
        case .topicMismatch(let topic, let body):
            "topic \(topic.rawValue) carries a \(body.rawValue) message"
        case .invalidReportBatch(let reason):
            "invalid report batch: \(reason)"
        case .unsupportedProtocolVersion(let received, let sender):
            "protocol version \(received) from \(sender.map(String.init(describing:)) ?? "an unnamed sender"); "
                + "supported: \(WireCodec.supportedVersions.map(String.init).joined(separator: ", "))"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
