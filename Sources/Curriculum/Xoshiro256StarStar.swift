/// A small, fast, seedable generator (xoshiro256** by Blackman and Vigna, 2018,
/// arXiv 1805.01407), seeded through SplitMix64 as its authors recommend.
///
/// It is `Codable` so that a snapshot of a policy that samples (discounted Thompson
/// sampling) carries the generator state and a restored policy continues the same stream.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable, Codable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose whole stream is a function of `seed`.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    @inline(__always) private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

extension RandomNumberGenerator {
    /// A uniform double in [0, 1) from the top 53 bits. Spelled out rather than
    /// `Double.random(in:using:)` so the stream is the same on every platform and toolchain.
    @inline(__always) mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
