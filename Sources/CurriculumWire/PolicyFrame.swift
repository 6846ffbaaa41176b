/// The contents of a POLI frame's `Policy` as plain values: what ``PolicyFrameDecoder``
/// reads. The fields mirror Protocols/curriculum.proto with their proto3 defaults;
/// unknown fields are not kept.
public struct PolicyFrame: Sendable {
    public var version: UInt64
    public var categories: [String]
    public var probabilities: [Double]
    public var values: [Double]
    public var policyName: String
    public var issuedAtMs: UInt64

    public init(
        version: UInt64 = 0, categories: [String] = [], probabilities: [Double] = [], values: [Double] = [],
        policyName: String = "", issuedAtMs: UInt64 = 0
    ) {
        self.version = version
        self.categories = categories
        self.probabilities = probabilities
        self.values = values
        self.policyName = policyName
        self.issuedAtMs = issuedAtMs
    }

    /// The same policy, from the general decoder's message.
    public init(_ policy: Wire.Policy) {
        self.init(
            version: policy.version, categories: policy.categories, probabilities: policy.probabilities,
            values: policy.values, policyName: policy.policyName, issuedAtMs: policy.issuedAtMs)
    }
}
