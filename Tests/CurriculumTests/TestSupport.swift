import Curriculum
import Foundation

/// A report with the fields a test cares about; the others are consistent defaults.
func report(
    _ category: String,
    n: Int,
    abs: Double,
    sq: Double? = nil,
    reward: Double = 0,
    version: Int = 0,
    share: Double = 1
) -> CategoryReport {
    CategoryReport(
        category: category, count: n, sumAbsAdvantage: abs, sumSquaredAdvantage: sq ?? abs,
        sumReward: reward, version: version, share: share)
}

/// A Kahan-free but exact-enough check: sums in order with compensation so that the test's
/// own rounding does not blur a 1e-12 bound over 10,000 terms.
func compensatedSum(_ values: [Double]) -> Double {
    var sum = 0.0
    var c = 0.0
    for v in values {
        let t = sum + v
        c += abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum
        sum = t
    }
    return sum + c
}

/// Every policy, with parameters that exercise its options.
let everyPolicy: [PolicyConfiguration] = [
    .sec(.init()),
    .sec(.init(alpha: 0.3, tau: 0.2, sampling: .normalizedQ, decayAbsent: true, objective: .progress)),
    .sec(.init(sampling: .epsilonGreedy(epsilon: 0.1))),
    .dump(.init()),
    .discountedUCB(.init()),
    .slidingWindowUCB(.init(window: 500)),
    .exp3s(.init()),
    .discountedThompson(.init(draws: 64, seed: 7)),
    .learningProgress(.init()),
    .learnability(.init()),
    .groupInformative(.init(groupSize: 4, window: 64)),
    .bandPass(.init(low: 0.2, high: 0.6)),
    .fixedMixture(.init(weights: testMixture(["arm0": 3, "arm1": 1, "a": 2, "easy": 1, "hard": 4]))),
    .scheduledMixture(.init(knots: [
        .init(step: 0, weights: testMixture(["arm0": 1, "a": 1, "easy": 1])),
        .init(step: 5, weights: testMixture(["arm1": 1, "b": 1, "hard": 1])),
    ])),
    .uniform,
    PolicyConfiguration.discountedThompson(.init(draws: 64, seed: 7)).withMinimumProbability(0.01),
    PolicyConfiguration.sec(.init(tau: 0.05)).withMinimumProbability(0.05),
    PolicyConfiguration.bandPass(.init(low: 0.4, high: 0.5)).withMinimumProbability(0.02),
]

/// Mixture weights in name order, for configurations built without parsing.
func testMixture(_ weights: [String: Double]) -> MixtureWeights {
    MixtureWeights(weights.sorted { $0.key < $1.key }.map { .init(category: $0.key, weight: $0.value) })
}

/// A random valid report: category from `categories`, version in [version - 3, version].
func randomReport(
    _ rng: inout Xoshiro256StarStar,
    categories: [String],
    version: Int,
    scale: Double = 1
) -> CategoryReport {
    let n = Int(rng.next() % 40)
    let meanAbs = Double(rng.next() % 1000) / 1000 * scale
    let meanReward = Double(rng.next() % 1000) / 1000 * scale
    let share = Double(rng.next() % 8 + 1) / 8
    let lag = Int(rng.next() % 4)
    return CategoryReport(
        category: categories[Int(rng.next() % UInt64(categories.count))],
        count: n,
        sumAbsAdvantage: Double(n) * meanAbs,
        sumSquaredAdvantage: Double(n) * meanAbs * meanAbs,
        sumReward: Double(n) * meanReward,
        version: max(0, version - lag),
        share: share)
}

func roundTrip<T: Codable>(_ value: T) throws -> T {
    try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
}

func sortedJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
}

/// |x - expected| <= tolerance, for values worked out by hand to about 16 digits.
func close(_ x: Double, _ expected: Double, _ tolerance: Double = 1e-15) -> Bool {
    abs(x - expected) <= tolerance
}

func closeAll(_ xs: [Double], _ expected: [Double], _ tolerance: Double = 1e-15) -> Bool {
    xs.count == expected.count && zip(xs, expected).allSatisfy { close($0, $1, tolerance) }
}

extension Xoshiro256StarStar {
    /// A uniform double in [0, 1).
    mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
