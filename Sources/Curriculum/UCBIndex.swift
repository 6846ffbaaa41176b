/// The optimistic index shared by the discounted and sliding-window UCB policies:
/// `mean + c * sqrt(xi * ln(n) / count)`, +infinity for an arm without data (so unplayed
/// arms share all the mass until they are played, as UCB plays every arm once first).
enum UCBIndex {
    @inline(__always)
    private static func value(sum: Double, count: Double, logTotal: Double, c: Double, xi: Double) -> Double {
        guard count > 0 else { return .infinity }
        return sum / count + c * (xi * logTotal / count).squareRoot()
    }

    /// Each arm's index from its (discounted or windowed) reward sum and count, with `total`
    /// the n of the bonus.
    static func values(sums: [Double], counts: [Double], total: Double, c: Double, xi: Double) -> [Double] {
        let lnTotal = logTotal(total)
        return counts.indices.map { value(sum: sums[$0], count: counts[$0], logTotal: lnTotal, c: c, xi: xi) }
    }

    /// `ln(n)`, floored at 0: discounted totals can fall below 1, where the log is negative
    /// and the square root of the bonus would be NaN.
    @inline(__always) private static func logTotal(_ n: Double) -> Double {
        n > 1 ? Math.log(n) : 0
    }

    /// `softmax(index / temperature)`, with the indices as the logged values.
    static func distribution(categories: [String], indices: [Double], temperature: Double) -> CurriculumDistribution {
        CurriculumDistribution(
            categories: categories,
            probabilities: Softmax.probabilities(indices, temperature: temperature),
            values: loggable(indices)
        )
    }

    /// The index as logged: an unplayed arm's +infinity is not representable in JSON.
    private static func loggable(_ index: [Double]) -> [Double] {
        index.map { $0.isFinite ? $0 : .greatestFiniteMagnitude }
    }
}
