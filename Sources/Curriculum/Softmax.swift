/// Probability vectors built so that they are never NaN and sum to 1 within 1e-12, with one
/// arm, with 10,000 arms and with scores near the limits of `Double`.
enum Softmax {
    /// `exp(s / temperature)` normalised, with the maximum subtracted first so the largest
    /// term is exactly 1 and nothing overflows. Arms scoring +infinity (an unplayed arm's
    /// UCB index) share all the mass equally, which is the limit of the softmax.
    static func probabilities(_ scores: [Double], temperature: Double) -> [Double] {
        let k = scores.count
        guard k > 0 else { return [] }
        var top = -Double.infinity
        var infinite = 0
        for s in scores {
            if s == .infinity { infinite += 1 }
            if s > top { top = s }
        }
        if infinite > 0 {
            let p = 1 / Double(infinite)
            return scores.map { $0 == .infinity ? p : 0 }
        }
        guard top.isFinite else { return uniform(k) }
        var weights = [Double](repeating: 0, count: k)
        var sum = CompensatedSum()
        for i in 0..<k {
            // (s - top) can overflow to -infinity for scores of opposite huge signs; exp(-inf) = 0.
            let e = Math.exp((scores[i] - top) / temperature)
            weights[i] = e
            sum.add(e)
        }
        return normalised(weights, total: sum.value)
    }

    /// Weights divided by their total; uniform when the total is zero or not finite.
    /// Non-negative finite weights are assumed.
    static func proportional(_ weights: [Double]) -> [Double] {
        guard !weights.isEmpty else { return [] }
        // Scaling by the maximum first keeps the total finite even for 10,000 weights of 1e300.
        var top = 0.0
        for w in weights where w > top { top = w }
        guard top > 0, top.isFinite else { return uniform(weights.count) }
        var sum = CompensatedSum()
        var scaled = weights
        for i in scaled.indices {
            scaled[i] /= top
            sum.add(scaled[i])
        }
        return normalised(scaled, total: sum.value)
    }

    static func uniform(_ k: Int) -> [Double] {
        [Double](repeating: 1 / Double(k), count: k)
    }

    private static func normalised(_ weights: [Double], total: Double) -> [Double] {
        guard total > 0, total.isFinite else { return uniform(weights.count) }
        var p = weights
        for i in p.indices { p[i] /= total }
        return p
    }
}
