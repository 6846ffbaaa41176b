/// A fault ``NetworkLab`` imposes on both directions of every head-worker link.
enum NetworkFault: Sendable, CustomStringConvertible {
    /// Each packet dropped with this probability, independently.
    case loss(percent: Int)
    /// Each packet held for a uniformly drawn `milliseconds - jitter ... milliseconds + jitter`.
    case delay(milliseconds: Int, jitter: Int)
    /// Each packet delivered twice with this probability.
    case duplication(percent: Int)
    /// Every packet dropped, until the fault is removed.
    case partition

    var description: String {
        switch self {
        case .loss(let percent): "\(percent)% loss"
        case .delay(let milliseconds, let jitter): "\(milliseconds) ms +/- \(jitter) ms delay"
        case .duplication(let percent): "\(percent)% duplication"
        case .partition: "full partition"
        }
    }

    /// The arguments that follow `tc qdisc add dev IF root netem`.
    var netemArguments: [String] {
        switch self {
        case .loss(let percent): ["loss", "\(percent)%"]
        // Without a `distribution`, netem draws the jitter uniformly, as the netfilter holder does.
        case .delay(let milliseconds, let jitter): ["delay", "\(milliseconds)ms", "\(jitter)ms"]
        case .duplication(let percent): ["duplicate", "\(percent)%"]
        case .partition: ["loss", "100%"]
        }
    }
}
