/// Why a frame failed authentication. Each case is logged and counted under its own label.
public enum AuthenticationFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The frame carries no `authentication` field.
    case unsigned
    /// Signed with a key id the keyring does not hold.
    case unknownKey(keyID: String)
    /// The MAC does not match: a wrong secret, or bytes changed after signing (a tampered
    /// body, a forged worker identity), or the MAC is not the frame's final 32 bytes.
    case badMAC(keyID: String)
    /// A valid signature by a key that may not sign for the worker the frame names.
    case forgedIdentity(keyID: String, workerID: String)
    /// `sent_at_ms` is further from the receiver's clock than it allows.
    case clockSkew(sentAtMs: UInt64, receivedAtMs: UInt64)
    /// The counter was already seen from this sender, or is older than its replay window.
    case replayed(counter: UInt64)

    /// Every label, for counters that sum them.
    public static let labels: Set<String> = [
        "unsigned", "unknown_key", "bad_mac", "forged_identity", "clock_skew", "replayed",
    ]

    public var label: String {
        switch self {
        case .unsigned: "unsigned"
        case .unknownKey: "unknown_key"
        case .badMAC: "bad_mac"
        case .forgedIdentity: "forged_identity"
        case .clockSkew: "clock_skew"
        case .replayed: "replayed"
        }
    }

    public var description: String {
        switch self {
        case .unsigned:
            "unsigned frame; this coordinator requires HMAC-signed frames"
        case .unknownKey(let id):
            "frame signed with unknown key id \"\(id.prefix(AuthenticationKey.maximumIDLength))\""
        case .badMAC(let id):
            "MAC does not verify under key \(id): wrong secret, or the frame was altered after signing"
        case .forgedIdentity(let id, let worker):
            "key \(id) may not sign for worker \"\(worker.prefix(128))\""
        case .clockSkew(let sent, let received):
            "signed at \(sent) ms, received at \(received) ms: "
                + "\(sent > received ? "\(sent - received) ms in the future" : "\(received - sent) ms old")"
        case .replayed(let counter):
            "signature counter \(counter) was already used, or is older than the replay window"
        }
    }
}
