import Foundation

/// Milliseconds since the Unix epoch: what `sent_at_ms` holds and the receiver's clock
/// is compared with. Wall time, not a monotonic clock, because it is compared across hosts.
public enum WallClock {
    public static func milliseconds() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }
}
