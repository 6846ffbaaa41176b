/// `Envelope.authentication` as plain values (Protocols/README.md section 8): what a
/// signature check reads, whichever decoder read the frame.
public struct FrameAuthentication: Sendable, Hashable {
    public var keyID: String
    public var counter: UInt64
    public var sentAtMs: UInt64
    public var mac: [UInt8]

    public init(keyID: String = "", counter: UInt64 = 0, sentAtMs: UInt64 = 0, mac: [UInt8] = []) {
        self.keyID = keyID
        self.counter = counter
        self.sentAtMs = sentAtMs
        self.mac = mac
    }

    /// The same fields, from the general decoder's envelope; nil when it carries none.
    public init?(_ envelope: Wire.Envelope) {
        guard envelope.hasAuthentication else { return nil }
        let authentication = envelope.authentication
        self.init(
            keyID: authentication.keyID, counter: authentication.counter, sentAtMs: authentication.sentAtMs,
            mac: Array(authentication.mac))
    }
}
