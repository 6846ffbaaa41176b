import Crypto
import CurriculumWire
import Foundation

/// The HMAC-SHA256 signature of a frame (Protocols/README.md section 8).
///
/// A signed frame is the unsigned frame (topic + envelope without `authentication`)
/// followed by the `authentication` field, `Envelope` field 2, written last:
///
///     0x12 len  0x0A len key_id  0x10 counter  0x18 sent_at_ms  0x7A 0x20 mac[32]
///
/// with the lengths and integers as protobuf varints. The MAC is the frame's final 32
/// bytes and covers every byte before it, topic and field headers included, so a
/// receiver checks exactly the bytes it parsed; standard protobuf parsers read the
/// frame unchanged (field order does not matter to them).
public enum FrameSignature {
    public static let macByteCount = 32

    /// Appends the `authentication` field to an unsigned frame and signs it.
    public static func sign(
        _ unsigned: [UInt8], key: AuthenticationKey, counter: UInt64, sentAtMs: UInt64
    ) -> [UInt8] {
        var field: [UInt8] = [0x0A]
        appendVarint(UInt64(key.id.utf8.count), to: &field)
        field += key.id.utf8
        field.append(0x10)
        appendVarint(counter, to: &field)
        field.append(0x18)
        appendVarint(sentAtMs, to: &field)
        field += [0x7A, UInt8(macByteCount)]

        var frame = unsigned
        frame.reserveCapacity(unsigned.count + field.count + macByteCount + 12)
        frame.append(0x12)
        appendVarint(UInt64(field.count + macByteCount), to: &frame)
        frame += field
        let mac = HMAC<SHA256>.authenticationCode(for: frame, using: SymmetricKey(data: key.secret))
        frame += mac
        return frame
    }

    /// Checks a decoded frame's signature against the keyring: the key it names, the MAC
    /// over the frame's bytes, and whether the key may speak for the worker the body names.
    /// Returns the key on success.
    public static func verify(
        _ frame: UnsafeRawBufferPointer, envelope: Wire.Envelope, keyring: Keyring
    ) -> Result<AuthenticationKey, AuthenticationFailure> {
        verify(frame, authentication: FrameAuthentication(envelope), sender: envelope.sender?.workerID, keyring: keyring)
    }

    /// The same check, from the frame's `authentication` and the `worker_id` its body names
    /// (nil when it names none), however they were decoded.
    public static func verify(
        _ frame: UnsafeRawBufferPointer, authentication: FrameAuthentication?, sender: String?, keyring: Keyring
    ) -> Result<AuthenticationKey, AuthenticationFailure> {
        guard let authentication else { return .failure(.unsigned) }
        guard let key = keyring[authentication.keyID] else { return .failure(.unknownKey(keyID: authentication.keyID)) }
        let mac = authentication.mac
        // The parsed MAC must be the frame's last bytes, so that what it covers is
        // everything else; comparing attacker-supplied bytes with each other leaks nothing.
        guard mac.count == macByteCount, frame.count > macByteCount, frame.suffix(macByteCount).elementsEqual(mac)
        else { return .failure(.badMAC(keyID: key.id)) }
        let signed = UnsafeRawBufferPointer(rebasing: frame.dropLast(macByteCount))
        // isValidAuthenticationCode compares in constant time.
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: SymmetricKey(data: key.secret))
        else { return .failure(.badMAC(keyID: key.id)) }
        if let sender, !key.allows(workerID: sender) {
            return .failure(.forgedIdentity(keyID: key.id, workerID: sender))
        }
        return .success(key)
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
