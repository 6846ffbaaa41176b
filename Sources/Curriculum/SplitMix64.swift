/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit state stepped by the golden-ratio
/// increment and passed through a finaliser. It seeds ``Xoshiro256StarStar``, derives
/// independent seeds, and serves as the tests' seeded generator.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The golden-ratio increment the state advances by.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// The finaliser: a bijection on 64 bits whose every output bit depends on every input bit.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
