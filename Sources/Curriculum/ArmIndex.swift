/// The known categories in order of first appearance, and the reverse map from name to
/// position. Policies keep per-arm state in parallel contiguous arrays indexed by that
/// position; the dictionary is derived, so only the names are encoded.
struct ArmIndex: Sendable, Codable {
    private(set) var names: [String] = []
    private var positions: [String: Int] = [:]

    init() {}

    var count: Int { names.count }

    func position(of name: String) -> Int? { positions[name] }

    /// The position of `name`, registering it at the end if it is new.
    @inline(__always) mutating func insert(_ name: String) -> (position: Int, inserted: Bool) {
        if let p = positions[name] { return (p, false) }
        let p = names.count
        names.append(name)
        positions[name] = p
        return (p, true)
    }

    init(from decoder: any Decoder) throws {
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

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(names)
    }
}
