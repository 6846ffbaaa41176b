import Foundation

/// Signs every frame one sender process sends, numbering the signatures 1, 2, 3, ...
///
/// Each frame, a retransmission too, gets the next counter and the current time, so
/// the receiver's replay window accepts it once; the sender's identity must be new
/// for each process (a fresh incarnation), because the counter starts again at 1.
public struct FrameSigner: Sendable {
    public let key: AuthenticationKey
    /// The counter of the last frame signed.
    public private(set) var counter: UInt64 = 0

    public init(key: AuthenticationKey) {
        self.key = key
    }

    public mutating func sign(_ unsigned: [UInt8], sentAtMs: UInt64 = WallClock.milliseconds()) -> [UInt8] {
        counter += 1
        return FrameSignature.sign(unsigned, key: key, counter: counter, sentAtMs: sentAtMs)
    }
}
