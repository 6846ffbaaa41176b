/// Which signature counters of one sender have been seen: the highest, and a bitmap of
/// the `size` counters up to it (the IPsec anti-replay window, RFC 4303 section 3.4.3).
///
/// Every signed frame carries a fresh counter, so a frame whose counter was already
/// seen is a copy: replayed by an attacker or duplicated by the network. Frames that
/// arrive out of order are accepted once each while they are within the window;
/// anything older than the window is refused, since it can no longer be told apart
/// from a replay. Pure state, no clock.
public struct ReplayWindow: Sendable, Equatable {
    public enum Admission: Sendable, Equatable {
        case fresh
        /// Seen before.
        case replayed
        /// `size` or more below the highest counter seen: too old to tell.
        case tooOld
    }

    /// How many counters below the highest are tracked: a multiple of 64.
    public let size: Int
    /// The highest counter admitted; 0 before the first.
    public private(set) var highest: UInt64 = 0
    /// Bit `d` (word `d / 64`, bit `d % 64`) is set when counter `highest - d` was admitted.
    private var seen: [UInt64]

    public static let defaultSize = 1024

    public init(size: Int = defaultSize) {
        precondition(size > 0 && size.isMultiple(of: 64), "a replay window is a positive multiple of 64 wide")
        self.size = size
        self.seen = Array(repeating: 0, count: size / 64)
    }

    /// A window that has seen every counter up to `highest`: what a restarted receiver
    /// knows of a sender, from its saved high-water mark. Only counters above it are fresh;
    /// the sender signs each frame, a retransmission too, with the next one.
    public init(size: Int = defaultSize, resumingAfter highest: UInt64) {
        self.init(size: size)
        self.highest = highest
        for index in seen.indices { seen[index] = .max }
    }

    /// Admits `counter` if it is new, and records it. Counter 0 is never issued, so it
    /// is refused as too old.
    public mutating func admit(_ counter: UInt64) -> Admission {
        guard counter > 0 else { return .tooOld }
        if counter > highest {
            shift(by: counter - highest)
            highest = counter
            seen[0] |= 1
            return .fresh
        }
        let distance = highest - counter
        guard distance < UInt64(size) else { return .tooOld }
        let word = Int(distance / 64)
        let bit = UInt64(1) << (distance % 64)
        if seen[word] & bit != 0 { return .replayed }
        seen[word] |= bit
        return .fresh
    }

    /// Moves every recorded counter `distance` further from the (new) highest.
    private mutating func shift(by distance: UInt64) {
        guard distance < UInt64(size) else {
            for index in seen.indices { seen[index] = 0 }
            return
        }
        let words = Int(distance / 64)
        let bits = distance % 64
        for index in seen.indices.reversed() {
            let source = index - words
            var value: UInt64 = source >= 0 ? seen[source] << bits : 0
            if bits > 0, source - 1 >= 0 {
                value |= seen[source - 1] >> (64 - bits)
            }
            seen[index] = value
        }
    }
}
