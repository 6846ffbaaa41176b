/// The optimistic index shared by the discounted and sliding-window UCB policies:
/// `mean + c * sqrt(xi * ln(n) / count)`, +infinity for an arm without data (so unplayed
/// arms share all the mass until they are played, as UCB plays every arm once first).
enum UCBIndex {
    @inline(__always)
    static func value(sum: Double, count: Double, logTotal: Double, c: Double, xi: Double) -> Double {
        guard count > 0 else { return .infinity }
        return sum / count + c * (xi * logTotal / count).squareRoot()
    }

    /// `ln(n)`, floored at 0: discounted totals can fall below 1, where the log is negative
    /// and the square root of the bonus would be NaN.
    @inline(__always) static func logTotal(_ n: Double) -> Double {
        n > 1 ? Math.log(n) : 0
    }

    /// The index as logged: an unplayed arm's +infinity is not representable in JSON.
    static func loggable(_ index: [Double]) -> [Double] {
        index.map { $0.isFinite ? $0 : .greatestFiniteMagnitude }
    }
}
