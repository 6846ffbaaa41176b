import Foundation
import SwiftProtobuf

/// Turns message bodies into frames (`topic` + serialized `Envelope`) and back.
public enum WireCodec {
    /// The protocol version this build speaks.
    public static let protocolVersion: UInt32 = 2
    public static let supportedVersions: [UInt32] = [protocolVersion]
    /// Frames larger than this are refused before decoding. Receivers also set
    /// it as the socket's maximum receive size, so nng drops them first.
    public static let defaultMaximumFrameSize = 1 << 20

    /// Frames `body` in this build's version, except a `ProtocolMismatch` answering an older
    /// version: that one is written in the version it answers, the only one its receiver can
    /// read (the message has been in every version). A newer version's sender gets this
    /// build's, the one format the coordinator can vouch for.
    public static func encode(_ body: Wire.Envelope.OneOf_Body) -> [UInt8] {
        var envelope = Wire.Envelope()
        envelope.protocolVersion = protocolVersion
        if case .control(let control) = body, case .protocolMismatch(let mismatch) = control.kind,
            (1..<protocolVersion).contains(mismatch.receivedVersion)
        {
            envelope.protocolVersion = mismatch.receivedVersion
        }
        envelope.body = body
        return frame(envelope, topic: Topic(for: body))
    }

    /// Frames an envelope as it is, under the given topic. For tests and
    /// tools that must produce frames this version would not send.
    public static func frame(_ envelope: Wire.Envelope, topic: Topic) -> [UInt8] {
        // Serializing a fully initialised proto3 message cannot fail: there
        // are no required fields to be missing.
        let payload: [UInt8] = try! envelope.serializedBytes()
        return topic.bytes + payload
    }

    public static func decode(
        _ frame: some Collection<UInt8>,
        maximumFrameSize: Int = defaultMaximumFrameSize
    ) throws(WireError) -> Wire.Envelope.OneOf_Body {
        let decoded = Array(frame).withUnsafeBytes { bytes in
            Result { () throws(WireError) in try decode(bytes, maximumFrameSize: maximumFrameSize) }
        }
        return try decoded.get()
    }

    /// Decodes a frame where it lies, for example in a received nng message's buffer,
    /// without copying it first. Nothing decoded refers to `frame` afterwards.
    public static func decode(
        _ frame: UnsafeRawBufferPointer,
        maximumFrameSize: Int = defaultMaximumFrameSize
    ) throws(WireError) -> Wire.Envelope.OneOf_Body {
        // decodeEnvelope returns only envelopes with a body.
        try decodeEnvelope(frame, maximumFrameSize: maximumFrameSize).body!
    }

    /// Decodes a frame as `decode` does, checking the same faults, but
    /// returning the whole envelope: its body, and the `authentication` a signed frame carries.
    public static func decodeEnvelope(
        _ frame: UnsafeRawBufferPointer,
        maximumFrameSize: Int = defaultMaximumFrameSize
    ) throws(WireError) -> Wire.Envelope {
        guard frame.count <= maximumFrameSize else {
            throw .oversized(byteCount: frame.count, limit: maximumFrameSize)
        }
        guard frame.count >= Topic.byteCount else {
            throw .truncated(byteCount: frame.count)
        }
        let prefix = frame.prefix(Topic.byteCount)
        guard let topic = Topic(prefix: prefix) else {
            throw .unknownTopic(prefix: Array(prefix))
        }
        let envelope: Wire.Envelope
        do {
            let payload = UnsafeRawBufferPointer(rebasing: frame.dropFirst(Topic.byteCount))
            // A no-copy view of the payload: SwiftProtobuf copies every string and bytes
            // field out of its input, so the view does not outlive this call.
            let view = payload.isEmpty
                ? Data()
                : Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: payload.baseAddress!), count: payload.count, deallocator: .none)
            envelope = try Wire.Envelope(serializedBytes: view)
        } catch BinaryDecodingError.invalidUTF8 {
            throw .invalidUTF8(topic: topic)
        } catch {
            throw .malformedEnvelope(topic: topic, reason: String(describing: error))
        }
        guard supportedVersions.contains(envelope.protocolVersion) else {
            throw .unsupportedProtocolVersion(received: envelope.protocolVersion, sender: envelope.sender)
        }
        guard let body = envelope.body else {
            throw .unknownMessageType(topic: topic)
        }
        let bodyTopic = Topic(for: body)
        guard bodyTopic == topic else {
            throw .topicMismatch(topic: topic, body: bodyTopic)
        }
        if case .reportBatch(let batch) = body {
            try validate(batch)
        }
        return envelope
    }

    /// A batch must hold reports, all of one worker: the identity a signature is checked
    /// against and a replay window is kept for is the batch's, so no report may name another.
    private static func validate(_ batch: Wire.ReportBatch) throws(WireError) {
        guard let first = batch.reports.first else {
            throw .invalidReportBatch(reason: "it holds no report")
        }
        // Compared by value: SwiftProtobuf's `==` also compares unknown fields.
        let worker = first.sender
        let sameWorker = { (other: Wire.WorkerIdentity?) in
            other?.workerID == worker?.workerID && other?.incarnation == worker?.incarnation
        }
        if let other = batch.reports.first(where: { !sameWorker($0.sender) }) {
            throw .invalidReportBatch(
                reason: "its reports name more than one worker (\(worker.map(String.init(describing:)) ?? "none") and "
                    + "\(other.sender.map(String.init(describing:)) ?? "none"))")
        }
    }
}

extension Wire.Report {
    fileprivate var sender: Wire.WorkerIdentity? { hasWorker ? worker : nil }
}

extension Wire.Envelope {
    /// The worker a message names, whatever its kind.
    public var sender: Wire.WorkerIdentity? {
        switch body {
        case .join(let join): join.hasWorker ? join.worker : nil
        case .report(let report): report.sender
        // Every report of a batch names the same worker (checked on decoding).
        case .reportBatch(let batch): batch.reports.first?.sender
        case .heartbeat(let heartbeat): heartbeat.hasWorker ? heartbeat.worker : nil
        case .leave(let leave): leave.hasWorker ? leave.worker : nil
        case .policy, .acks, .control, .status, nil: nil
        }
    }
}
