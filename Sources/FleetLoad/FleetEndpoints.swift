/// Where an identity attaches: a coordinator's (or a node relay's) broadcast and requests URLs.
public struct FleetEndpoints: Sendable, Hashable {
    public var broadcast: String
    public var requests: String

    public init(broadcast: String, requests: String) {
        self.broadcast = broadcast
        self.requests = requests
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
