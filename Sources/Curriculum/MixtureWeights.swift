/// Mixture weights over named categories, as `--mixture` and `--schedule` spell them:
/// `CATEGORY=WEIGHT` pairs separated by commas, for example `math/easy=3,math/hard=1`.
/// Weights are relative (they need not sum to 1), finite and non-negative; a category
/// name may contain `=` (the last one separates the weight) but not a comma.
public struct MixtureWeights: Sendable, Hashable, Codable {
    public struct Entry: Sendable, Hashable, Codable {
        public var category: String
        public var weight: Double

        public init(category: String, weight: Double) {
            self.category = category
            self.weight = weight
        }
    }

    /// In the order given.
    public var entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// The weight of each of `categories`: 0 for a category the mixture does not name.
    public func weights(of categories: [String]) -> [Double] {
        let table = Dictionary(entries.map { ($0.category, $0.weight) }, uniquingKeysWith: { first, _ in first })
        return categories.map { table[$0] ?? 0 }
    }

    /// Parses `CATEGORY=WEIGHT,...`; `parameter` names the flag in errors.
    public static func parse(_ text: Substring, parameter: String) throws(ConfigurationError) -> MixtureWeights {
        var entries: [Entry] = []
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = pair.lastIndex(of: "="),
                case let name = String(pair[..<equals]).trimmingSpaces, !name.isEmpty,
                let weight = Double(String(pair[pair.index(after: equals)...]).trimmingSpaces)
            else {
                throw ConfigurationError(
                    parameter: parameter, value: "\"\(pair)\"", expected: "CATEGORY=WEIGHT pairs separated by commas")
            }
            guard !entries.contains(where: { $0.category == name }) else {
                throw ConfigurationError(parameter: parameter, value: name, expected: "named once")
            }
            entries.append(Entry(category: name, weight: weight))
        }
        let mixture = MixtureWeights(entries)
        try mixture.validate(parameter: parameter)
        return mixture
    }

    func validate(parameter: String) throws(ConfigurationError) {
        for entry in entries {
            guard entry.weight.isFinite, entry.weight >= 0 else {
                throw ConfigurationError(
                    parameter: parameter, value: "\(entry.category)=\(entry.weight)", expected: "a finite weight >= 0")
            }
        }
        guard entries.contains(where: { $0.weight > 0 }) else {
            throw ConfigurationError(
                parameter: parameter, value: "\(entries.count) weights", expected: "at least one weight above 0")
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
