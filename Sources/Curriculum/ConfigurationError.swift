/// A policy, staleness or allocation parameter outside its valid range.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The parameter's name, as the CLI flag spells it (without dashes).
    public var parameter: String
    /// The rejected value, as text.
    public var value: String
    /// The valid range, in words.
    public var expected: String

    public init(parameter: String, value: String, expected: String) {
        self.parameter = parameter
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(parameter) must be \(expected), got \(value)" }

    static func require(
        _ condition: Bool,
        _ parameter: String,
        _ value: Double,
        _ expected: String
    ) throws(ConfigurationError) {
        if !condition { throw ConfigurationError(parameter: parameter, value: "\(value)", expected: expected) }
    }

    static func require(
        _ condition: Bool,
        _ parameter: String,
        _ value: Int,
        _ expected: String
    ) throws(ConfigurationError) {
        if !condition { throw ConfigurationError(parameter: parameter, value: "\(value)", expected: expected) }
    }
}
