import Foundation
import SwiftProtobuf
import Testing

@testable import CurriculumWire

/// Decodes Protocols/vectors/vectors.json, written by Google's Python protobuf
/// runtime, so these tests hold the Swift decoder to an independent encoder.
struct TestVectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let topic: String?
        /// The label of the `WireError` the frame must raise; nil for a valid frame.
        let error: String?
        /// The expected envelope in protobuf's canonical JSON mapping.
        let envelopeJSON: String?

        var testDescription: String { name }
    }

    static let vectors: [Vector] = {
        let url = URL(filePath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Protocols/vectors/vectors.json")
        let file = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (file["vectors"] as! [[String: Any]]).map { entry in
            Vector(
                name: entry["name"] as! String,
                bytes: bytes(fromHex: entry["hex"] as! String),
                topic: entry["topic"] as? String,
                error: entry["error"] as? String,
                envelopeJSON: entry["envelope"].map {
                    String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self)
                }
            )
        }
    }()

    static func bytes(fromHex hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }

    @Test func vectorFileCoversEveryTopicReportFormAndError() throws {
        let topics = Set(Self.vectors.compactMap(\.topic))
        #expect(topics == Set(Topic.allCases.map(\.rawValue)))
        // REPT carries two kinds of body, so covering every topic does not cover both.
        let envelopes = try Self.vectors.compactMap(\.envelopeJSON).map { try Wire.Envelope(jsonString: $0) }
        #expect(envelopes.contains { if case .report = $0.body { true } else { false } })
        #expect(envelopes.contains { if case .reportBatch = $0.body { true } else { false } })
        // The optional group counts, one of them a present 0, and reports without them.
        #expect(envelopes.contains {
            if case .report(let r) = $0.body { r.categories.contains { $0.hasZeroVarianceGroups && $0.zeroVarianceGroups == 0 } }
            else { false }
        })
        #expect(envelopes.contains {
            if case .report(let r) = $0.body { r.categories.allSatisfy { !$0.hasGroups } } else { false }
        })
        let errors = Set(Self.vectors.compactMap(\.error))
        #expect(errors.isSuperset(of: ["truncated", "unknown_topic", "malformed", "unknown_message_type",
                                       "topic_mismatch", "invalid_report_batch", "unsupported_protocol_version"]))
    }

    @Test(arguments: vectors.filter { $0.error == nil })
    func validFramesDecodeToTheExpectedMessage(vector: Vector) throws {
        let expected = try Wire.Envelope(jsonString: try #require(vector.envelopeJSON))
        let body = try WireCodec.decode(vector.bytes)
        #expect(body == expected.body)
        #expect(Topic(for: body).rawValue == vector.topic)
        // Re-encoding gives a frame that decodes to the same body; byte equality is
        // not required by protobuf, but field order is canonical in both runtimes.
        #expect(WireCodec.encode(body) == vector.bytes)
    }

    @Test(arguments: vectors.filter { $0.error != nil })
    func invalidFramesFailWithTheExpectedError(vector: Vector) {
        #expect {
            _ = try WireCodec.decode(vector.bytes)
        } throws: { error in
            (error as? WireError)?.label == vector.error
        }
    }
}
