/// The classic hand-made curriculum: train on level 0 for the first 1/L of the steps,
/// then level 1, and so on, each phase spread evenly over the domains. It is open-loop
/// (no statistics feed back), which is what SEC is measured against in its paper.
public struct EasyToHardSchedule: Sendable, Hashable {
    public var levels: Int
    public var domains: Int
    public var steps: Int

    public init(levels: Int, domains: Int, steps: Int) {
        self.levels = levels
        self.domains = domains
        self.steps = steps
    }

    /// The level trained at `step` (0-based).
    public func level(atStep step: Int) -> Int {
        guard steps > 0 else { return 0 }
        return min(levels - 1, step * levels / steps)
    }

    /// The sampling distribution at `step`, over categories in domain-major order.
    public func probabilities(atStep step: Int) -> [Double] {
        let level = level(atStep: step)
        return (0..<(levels * domains)).map { $0 % levels == level ? 1 / Double(domains) : 0 }
    }
}
