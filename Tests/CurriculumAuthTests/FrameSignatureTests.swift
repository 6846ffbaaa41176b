import CurriculumWire
import Foundation
import Testing

@testable import CurriculumAuth

/// The signed frames of Protocols/vectors/vectors.json, made by Python's protobuf and
/// hmac modules, against the Swift signer and verifier.
struct FrameSignatureTests {
    struct SignedVector: Sendable, CustomTestStringConvertible {
        let name: String
        let keyID: String
        let secret: [UInt8]
        let counter: UInt64
        let sentAtMs: UInt64
        let unsigned: [UInt8]
        let signed: [UInt8]
        let mac: [UInt8]

        var testDescription: String { name }

        var key: AuthenticationKey { try! AuthenticationKey(id: keyID, secret: secret) }
        var keyring: Keyring { try! Keyring([key]) }
    }

    static let vectors: [SignedVector] = {
        let url = URL(filePath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Protocols/vectors/vectors.json")
        let file = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let hex = { (value: Any?) in Keyring.bytes(fromHex: value as! String)! }
        return (file["signed"] as! [[String: Any]]).map { entry in
            SignedVector(
                name: entry["name"] as! String, keyID: entry["key_id"] as! String, secret: hex(entry["secret_hex"]),
                counter: (entry["counter"] as! NSNumber).uint64Value,
                sentAtMs: (entry["sent_at_ms"] as! NSNumber).uint64Value,
                unsigned: hex(entry["unsigned_hex"]), signed: hex(entry["hex"]), mac: hex(entry["mac_hex"]))
        }
    }()

    static func verify(_ frame: [UInt8], keyring: Keyring) -> Result<AuthenticationKey, AuthenticationFailure>? {
        frame.withUnsafeBytes { bytes in
            guard let envelope = try? WireCodec.decodeEnvelope(bytes) else { return nil }
            return FrameSignature.verify(bytes, envelope: envelope, keyring: keyring)
        }
    }

    @Test func theVectorFileHasSignedFrames() {
        #expect(Self.vectors.count >= 2)
    }

    @Test(arguments: vectors)
    func swiftSignsByteForByteAsTheVectorSays(vector: SignedVector) {
        let signed = FrameSignature.sign(
            vector.unsigned, key: vector.key, counter: vector.counter, sentAtMs: vector.sentAtMs)
        #expect(signed == vector.signed)
        #expect(Array(signed.suffix(32)) == vector.mac)
    }

    @Test(arguments: vectors)
    func aSignedVectorDecodesAndVerifies(vector: SignedVector) throws {
        let envelope = try vector.signed.withUnsafeBytes { try WireCodec.decodeEnvelope($0) }
        #expect(envelope.authentication.keyID == vector.keyID)
        #expect(envelope.authentication.counter == vector.counter)
        #expect(envelope.authentication.sentAtMs == vector.sentAtMs)
        // The signature does not change what the body decodes to.
        #expect(try WireCodec.decode(vector.signed) == WireCodec.decode(vector.unsigned))
        #expect(try Self.verify(vector.signed, keyring: vector.keyring)?.get() == vector.key)
    }

    @Test(arguments: vectors)
    func flippingAnyOneByteOfASignedFrameFailsIt(vector: SignedVector) {
        for index in vector.signed.indices {
            var tampered = vector.signed
            tampered[index] ^= 0x01
            // Either the frame no longer decodes, or its signature no longer verifies.
            if let result = Self.verify(tampered, keyring: vector.keyring) {
                #expect(throws: AuthenticationFailure.self, "byte \(index)") { try result.get() }
            }
        }
    }

    @Test(arguments: vectors)
    func theWrongSecretUnderTheRightKeyIDIsABadMAC(vector: SignedVector) throws {
        let impostor = try Keyring([AuthenticationKey(id: vector.keyID, secret: [UInt8](repeating: 7, count: 32))])
        #expect(Self.verify(vector.signed, keyring: impostor) == .failure(.badMAC(keyID: vector.keyID)))
        let other = try Keyring([AuthenticationKey(id: "other", secret: vector.secret)])
        #expect(Self.verify(vector.signed, keyring: other) == .failure(.unknownKey(keyID: vector.keyID)))
        #expect(Self.verify(vector.unsigned, keyring: vector.keyring) == .failure(.unsigned))
    }

    @Test func aMACThatIsNotTheFramesLastFieldIsRefused() throws {
        let vector = try #require(Self.vectors.first)
        // Anything appended after the MAC (here a valid protocol_version field, of this
        // build's version so the frame still decodes) moves it away from the end: the parsed
        // MAC no longer covers everything before it.
        let versionField: [UInt8] = [0x08, UInt8(WireCodec.protocolVersion)]
        #expect(Self.verify(vector.signed + versionField, keyring: vector.keyring) == .failure(.badMAC(keyID: vector.keyID)))
    }

    @Test func aKeyBoundToOtherWorkersCannotSpeakForThisOne() throws {
        let vector = try #require(Self.vectors.first)
        let bound = try AuthenticationKey(id: vector.keyID, secret: vector.secret, allowedWorkers: ["rollout-4"])
        #expect(Self.verify(vector.signed, keyring: try Keyring([bound]))
            == .failure(.forgedIdentity(keyID: vector.keyID, workerID: "rollout-3")))
        let prefix = try AuthenticationKey(id: vector.keyID, secret: vector.secret, allowedWorkers: ["rollout-*"])
        #expect(try Self.verify(vector.signed, keyring: try Keyring([prefix]))?.get() == prefix)
    }

    @Test func aSignerNumbersItsFramesAndEachVerifies() throws {
        let key = try AuthenticationKey(id: "k", secret: Array(0..<32))
        var signer = FrameSigner(key: key)
        let unsigned = WireCodec.encode(.leave(Wire.Leave()))
        let first = signer.sign(unsigned, sentAtMs: 5)
        let second = signer.sign(unsigned, sentAtMs: 5)
        #expect(signer.counter == 2)
        #expect(first != second)
        for (frame, counter) in [(first, UInt64(1)), (second, 2)] {
            let envelope = try frame.withUnsafeBytes { try WireCodec.decodeEnvelope($0) }
            #expect(envelope.authentication.counter == counter)
            #expect(try Self.verify(frame, keyring: try Keyring([key]))?.get() == key)
        }
    }
}
