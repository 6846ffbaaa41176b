/// Neumaier's compensated summation: the running error of a long sum stays near one
/// rounding, so totals of millions of reports and normalisers over 10,000 arms stay exact
/// to the last bits and do not depend much on the order of the terms.
struct CompensatedSum: Sendable, Hashable, Codable {
    private(set) var sum = 0.0
    private(set) var compensation = 0.0

    init() {}

    @inline(__always) mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    var value: Double { sum + compensation }

    static func total<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var s = CompensatedSum()
        for v in values { s.add(v) }
        return s.value
    }
}
