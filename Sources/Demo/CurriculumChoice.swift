import Curriculum

/// A curriculum the demo can train with: a policy the coordinator runs, or the fixed
/// easy-to-hard order, which needs no feedback and so is scheduled on the worker side.
public enum CurriculumChoice: Sendable, Hashable, Codable {
    case policy(PolicyConfiguration)
    case easyToHard

    public var name: String {
        switch self {
        case .policy(let configuration): configuration.name == "uniform" ? "random" : configuration.name
        case .easyToHard: "easy-to-hard"
        }
    }

    /// The name with the parameters that matter, for reports.
    public var label: String {
        switch self {
        case .policy(.sec(let c)): "sec (alpha \(c.alpha), tau \(c.tau))"
        case .policy(.dump(let c)): "dump (c \(c.c), temperature \(c.temperature), window \(c.window))"
        default: name
        }
    }

    /// What the coordinator runs. The easy-to-hard schedule ignores the published
    /// distribution, but its workers still draw versions from a (uniform) coordinator and
    /// report to it, so every curriculum goes through the same wire path.
    var coordinatorPolicy: PolicyConfiguration {
        switch self {
        case .policy(let configuration): configuration
        case .easyToHard: .uniform
        }
    }
}
