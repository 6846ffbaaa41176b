/// A policy (or part of one) whose per-arm state lives in parallel arrays indexed by an
/// ``ArmIndex`` position. Registration, the category list and the name-to-position lookup
/// are the same for all of them; each supplies only what a new arm starts with.
///
/// The per-arm arrays stay stored properties of each policy rather than moving into one
/// shared container, so that every policy encodes exactly as before: a snapshot exported
/// with a trainer checkpoint still imports into this build, and the other way round.
protocol ArmTable {
    var arms: ArmIndex { get set }

    /// Appends a new arm's initial state to every per-arm array.
    mutating func appendArm()
}

extension ArmTable {
    /// The known categories, in order of first appearance.
    public var categories: [String] { arms.names }

    /// Registers `category` if it is new.
    public mutating func register(_ category: String) {
        _ = position(of: category)
    }

    /// The position of `category`, registering it (and appending its initial state) if it is new.
    @inline(__always) mutating func position(of category: String) -> Int {
        let (p, inserted) = arms.insert(category)
        if inserted { appendArm() }
        return p
    }

    /// Multiplies two per-arm arrays by `gamma^steps`: the decay of the discounted policies.
    static func discount(_ first: inout [Double], _ second: inout [Double], gamma: Double, steps: Int) {
        let d = Math.pow(gamma, Double(steps))
        for k in first.indices {
            first[k] *= d
            second[k] *= d
        }
    }
}

/// An arm table whose policy learns from a ``RewardSignal``: the discounted and
/// sliding-window UCB, discounted Thompson sampling and EXP3.S.
protocol RewardSignalArmTable: ArmTable {
    var signal: RewardSignal { get set }
}

extension RewardSignalArmTable {
    /// The reward of a report of arm `arm` and its staleness-weighted sample count; nil when
    /// no weighted sample is left. The reward is taken, and the "progress" objective's memory
    /// updated, for every report with samples, even one whose staleness weight is 0.
    @inline(__always) mutating func weightedSamples(
        of report: CategoryReport, arm: Int, weight: Double
    ) -> (reward: Double, count: Double)? {
        guard report.count > 0 else { return nil }
        let reward = signal.reward(for: report, arm: arm)
        let count = Double(report.count) * weight
        guard count > 0 else { return nil }
        return (reward, count)
    }
}
