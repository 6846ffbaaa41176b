/// Seeded byte-level mutations of valid frames, for the fuzzers: bit flips, boundary
/// bytes, insertions, deletions, truncations, ten-byte varints, duplicated runs and
/// splices with another corpus entry.
public struct FrameMutator: Sendable {
    public var random: TestRandom

    public init(random: TestRandom) {
        self.random = random
    }

    static let boundaryBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x0A, 0x12]

    public mutating func mutate(_ input: [UInt8], corpus: [[UInt8]], rounds: ClosedRange<Int> = 1...4) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: rounds, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[position] = Self.boundaryBytes.randomElement(using: &random)!
            case 2:
                let count = Int.random(in: 1...8, using: &random)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }, at: position)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.removeSubrange(position..<end)
            case 4:
                bytes = Array(bytes.prefix(position))
            case 5:
                // A varint of ten bytes: lengths and counts near 2^64.
                bytes.insert(contentsOf: [UInt8](repeating: 0xFF, count: 9) + [0x01], at: position)
            case 6 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: end)
            default:
                let other = corpus.randomElement(using: &random)!
                let cut = Int.random(in: 0...other.count, using: &random)
                bytes = Array(bytes.prefix(position)) + other.suffix(from: cut)
            }
        }
        return bytes
    }
}
