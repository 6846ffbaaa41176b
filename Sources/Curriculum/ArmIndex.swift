/// The known categories in order of first appearance, and the reverse map from name to
/// position. Policies keep per-arm state in parallel contiguous arrays indexed by that
/// position; the maps are derived, so only the names are encoded.
///
/// Every merged report entry looks its category up here. `Dictionary`'s SipHash of the name
/// took 4.4% of all CPU time of in-process ingest (IngestBench, 16 agents), so ASCII names,
/// the usual ones, are found first through a table hashed by a cheaper seeded mix of their
/// bytes. `positions` stays the authority: it holds every name, and any lookup the table
/// cannot answer goes to it, so names compare as `String`s do (canonical equivalence, under
/// which a non-ASCII name can equal an ASCII one).
public struct ArmIndex: Sendable, Codable {
    public private(set) var names: [String] = []
    private var positions: [String: Int] = [:]
    /// Open addressing over ASCII names: position + 1, or 0 for an empty slot. Its count is
    /// a power of two at least twice the names it holds, so probes stay short.
    private var asciiSlots: [Int] = []
    private var asciiCount = 0

    public init() {}

    public var count: Int { names.count }

    public func position(of name: String) -> Int? {
        if let hash = Self.asciiHash(of: name), let p = asciiPosition(of: name, hash: hash) { return p }
        return positions[name]
    }

    /// The position of `name`, registering it at the end if it is new.
    @inline(__always) public mutating func insert(_ name: String) -> (position: Int, inserted: Bool) {
        let hash = Self.asciiHash(of: name)
        if let hash, let p = asciiPosition(of: name, hash: hash) { return (p, false) }
        if let p = positions[name] { return (p, false) }
        let p = names.count
        names.append(name)
        positions[name] = p
        if let hash { addASCII(position: p, hash: hash) }
        return (p, true)
    }

    private func asciiPosition(of name: String, hash: UInt64) -> Int? {
        guard !asciiSlots.isEmpty else { return nil }
        let mask = asciiSlots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while asciiSlots[slot] != 0 {
            let p = asciiSlots[slot] - 1
            if names[p] == name { return p }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private mutating func addASCII(position: Int, hash: UInt64) {
        asciiCount += 1
        if asciiCount * 2 > asciiSlots.count {
            // Rebuilt at double the size from every ASCII name, this one included.
            asciiSlots = [Int](repeating: 0, count: max(16, asciiSlots.count * 2))
            for (p, name) in names.enumerated() {
                if let hash = Self.asciiHash(of: name) { place(p, hash: hash) }
            }
        } else {
            place(position, hash: hash)
        }
    }

    private mutating func place(_ position: Int, hash: UInt64) {
        let mask = asciiSlots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while asciiSlots[slot] != 0 { slot = (slot + 1) & mask }
        asciiSlots[slot] = position + 1
    }

    /// Chosen per process, so that names colliding in the table cannot be chosen beforehand.
    private static let seed = UInt64.random(in: .min ... .max)

    /// A hash of `name`'s UTF-8 bytes, eight at a time through SplitMix64's finaliser; nil
    /// when the name is not ASCII (or not stored contiguously).
    @inline(__always) static func asciiHash(of name: String) -> UInt64? {
        name.utf8.withContiguousStorageIfAvailable { bytes -> UInt64? in
            var hash = seed ^ UInt64(bytes.count)
            var high: UInt64 = 0
            var start = 0
            while start < bytes.count {
                var chunk: UInt64 = 0
                if start + 8 <= bytes.count {
                    chunk = UnsafeRawPointer(bytes.baseAddress! + start).loadUnaligned(as: UInt64.self)
                } else {
                    for index in start..<bytes.count { chunk |= UInt64(bytes[index]) << (8 * (index - start)) }
                }
                high |= chunk
                hash = SplitMix64.mix(hash ^ chunk)
                start += 8
            }
            return high & 0x8080_8080_8080_8080 == 0 ? hash : nil
        } ?? nil
    }

    public init(from decoder: any Decoder) throws {
        let names = try decoder.singleValueContainer().decode([String].self)
        for name in names {
            _ = insert(name)
        }
        if self.names.count != names.count {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "duplicate category names")
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(names)
    }
}
