import Curriculum
import Simulation

/// A curriculum the demo can train with: a policy the coordinator runs, or the fixed
/// easy-to-hard order, which needs no feedback and so is scheduled on the worker side.
public enum CurriculumChoice: Sendable, Hashable, Codable {
    case policy(PolicyConfiguration)
    case easyToHard

    public var name: String {
        switch self {
        case .policy(.floored(let base, let minimum)): "\(CurriculumChoice.policy(base).name) floor \(minimum)"
        case .policy(let configuration): configuration.name == "uniform" ? "random" : configuration.name
        case .easyToHard: "easy-to-hard"
        }
    }

    /// The name with the parameters that matter, for reports.
    public var label: String {
        switch self {
        case .policy(.sec(let c)): "sec (alpha \(c.alpha), tau \(c.tau))"
        case .policy(.dump(let c)): "dump (c \(c.c), temperature \(c.temperature), window \(c.window))"
        case .policy(.groupInformative(let c)): "informative (G \(c.groupSize))"
        case .policy(.bandPass(let c)): "bandpass [\(c.low), \(c.high)]"
        case .policy(.floored(let base, let minimum)): "\(CurriculumChoice.policy(base).label) floor \(minimum)"
        default: name
        }
    }

    /// The newer curricula practitioners compare against (docs/replay.md): learnability,
    /// group-informative weighting with the simulation's group size, band-pass admission,
    /// discounted Thompson sampling with a 1% floor, and a mixture scheduled from the easiest
    /// level to the hardest over `steps`; `floor` goes under the three pass-rate policies.
    public static func newerPolicies(student: StudentConfiguration, steps: Int, floor: Double = 0) -> [CurriculumChoice] {
        let passRate: [PolicyConfiguration] = [
            .learnability(.init()), .groupInformative(.init(groupSize: student.groupSize)), .bandPass(.init()),
        ]
        return passRate.map { .policy($0.withMinimumProbability(floor)) } + [
            .policy(PolicyConfiguration.discountedThompson(.init()).withMinimumProbability(0.01)),
            scheduledEasyToHard(student: student, steps: steps),
        ]
    }

    /// Knots at every 1/levels of the run, each putting all weight on the next level of
    /// every domain: a coordinator-side easy-to-hard mixture, interpolated between levels.
    public static func scheduledEasyToHard(student: StudentConfiguration, steps: Int) -> CurriculumChoice {
        let levels = student.levels
        return .policy(.scheduledMixture(.init(knots: (0..<levels).map { level in
            ScheduledMixturePolicy.Knot(
                step: level * max(1, steps / levels),
                weights: MixtureWeights(student.domains.map { .init(category: "\($0)/\(level)", weight: 1) }))
        })))
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
