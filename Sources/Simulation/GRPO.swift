/// Group-relative advantages, as GRPO computes them (Shao et al., 2024).
public enum GRPO {
    /// Keeps a group whose rewards are all equal at advantage 0 instead of 0 / 0.
    public static let epsilon = 1e-6

    /// `(r - mean) / (std + eps)` within one group of responses to the same prompt. The
    /// standard deviation is the population form, as verl computes it. The advantages of
    /// a group sum to zero, so a group whose responses all agree carries no signal.
    public static func advantages(_ rewards: [Double]) -> [Double] {
        guard !rewards.isEmpty else { return [] }
        let n = Double(rewards.count)
        let mean = rewards.reduce(0, +) / n
        let variance = rewards.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let scale = variance.squareRoot() + epsilon
        return rewards.map { ($0 - mean) / scale }
    }
}
