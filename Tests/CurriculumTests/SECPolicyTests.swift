import Curriculum
import Testing

/// Expected values are worked out by hand from SEC's rules (Chen et al., 2025,
/// arXiv 2505.14970): `Q <- (1 - alpha) Q + alpha r`, `r = sum|A| / n`, `p = softmax(Q / tau)`.
@Suite struct SECPolicyTests {
    @Test func tdUpdateAndBoltzmann() throws {
        var sec = try SECPolicy(.init(alpha: 0.5, tau: 1))
        // a: r = 2 / 4 = 0.5, Q = 0.5 * 0 + 0.5 * 0.5 = 0.25.
        sec.merge(report("a", n: 4, abs: 2), weight: 1)
        // b: r = 0.2 / 2 = 0.1, Q = 0.05.
        sec.merge(report("b", n: 2, abs: 0.2), weight: 1)
        #expect(sec.values == [0.25, 0.05])
        // p_a = e^0.25 / (e^0.25 + e^0.05) = 1 / (1 + e^-0.2) = 0.549833997312478.
        let d = sec.distribution()
        #expect(d.categories == ["a", "b"])
        #expect(closeAll(d.probabilities, [0.549833997312478, 1 - 0.549833997312478]))
        // Next step: r = 0.1 / 2 = 0.05, Q_a = 0.5 * 0.25 + 0.5 * 0.05 = 0.15.
        sec.merge(report("a", n: 2, abs: 0.1, version: 1), weight: 1)
        #expect(close(sec.values[0], 0.15))
    }

    @Test func temperature() throws {
        var sec = try SECPolicy(.init(alpha: 1, tau: 0.2))
        sec.merge(report("a", n: 1, abs: 0.15), weight: 1)
        sec.merge(report("b", n: 1, abs: 0.05), weight: 1)
        // alpha = 1: Q = r. p_a = 1 / (1 + e^(-(0.15 - 0.05) / 0.2)) = 1 / (1 + e^-0.5) = 0.6224593312018546.
        #expect(close(sec.distribution().probabilities[0], 0.6224593312018546))
    }

    @Test func newCategoryStartsAtZero() throws {
        var sec = try SECPolicy(.init(alpha: 0.5, tau: 1))
        sec.merge(report("a", n: 1, abs: 1), weight: 1)
        sec.register("b")
        // Q = [0.5, 0]: p_b = 1 / (1 + e^0.5) = 0.3775406687981454.
        #expect(sec.values == [0.5, 0])
        #expect(close(sec.distribution().probabilities[1], 0.3775406687981454))
    }

    @Test func shareAndWeightScaleTheStep() throws {
        var sec = try SECPolicy(.init(alpha: 0.5))
        // Half the batch: a = 1 - (1 - 0.5)^0.5 = 1 - 0.7071067811865476 = 0.2928932188134524.
        sec.merge(report("a", n: 2, abs: 2, share: 0.5), weight: 1)
        #expect(close(sec.values[0], 0.2928932188134524))
        // The other half (r = 0): kept = 0.5, pooled mean = 2 / 4 = 0.5, Q = 0.5 * 0.5 = 0.25,
        // exactly as one report of n = 4, sum|A| = 2.
        sec.merge(report("a", n: 2, abs: 0, share: 0.5), weight: 1)
        #expect(close(sec.values[0], 0.25))
        // Staleness weight 0.5 on a whole batch: a = alpha w = 0.25 (FedAsync's a * w(s)).
        var stale = try SECPolicy(.init(alpha: 0.5))
        stale.merge(report("a", n: 1, abs: 1), weight: 0.5)
        #expect(stale.values == [0.25])
    }

    @Test func olderReportFoldsIntoTheStepStart() throws {
        var sec = try SECPolicy(.init(alpha: 0.5))
        // Version 1 first: Q0 = 0, Q = 0.5 * 1 = 0.5.
        sec.merge(report("a", n: 1, abs: 1, version: 1), weight: 1)
        // Then a late version-0 report, r = 0.2: Q0 = 0.5 * 0 + 0.5 * 0.2 = 0.1,
        // Q = 0.5 * 0.1 + 0.5 * 1 = 0.55.
        sec.merge(report("a", n: 1, abs: 0.2, version: 0), weight: 1)
        #expect(close(sec.values[0], 0.55))
    }

    @Test func normalizedQ() throws {
        var sec = try SECPolicy(.init(alpha: 1, sampling: .normalizedQ))
        sec.merge(report("a", n: 1, abs: 0.25), weight: 1)
        sec.merge(report("b", n: 1, abs: 0.005), weight: 1)
        // Q_b = 0.005 is clipped to 0.01: p = [0.25, 0.01] / 0.26.
        #expect(closeAll(sec.distribution().probabilities, [0.9615384615384616, 0.038461538461538464]))
    }

    @Test func epsilonGreedySplitsTies() throws {
        var sec = try SECPolicy(.init(alpha: 1, sampling: .epsilonGreedy(epsilon: 0.1)))
        sec.merge(report("a", n: 1, abs: 0.25), weight: 1)
        sec.merge(report("b", n: 1, abs: 0.05), weight: 1)
        sec.merge(report("c", n: 1, abs: 0.25), weight: 1)
        // Two best arms: 0.1 / 3 + 0.9 / 2 = 0.48333...; the other 0.1 / 3.
        #expect(closeAll(sec.distribution().probabilities, [0.48333333333333334, 0.03333333333333333, 0.48333333333333334]))
    }

    @Test func decayAbsentFollowsTheReferenceCode() throws {
        var sec = try SECPolicy(.init(alpha: 0.5, decayAbsent: true))
        sec.merge(report("a", n: 2, abs: 1), weight: 1)  // Q_a = 0.25
        sec.merge(report("b", n: 1, abs: 0.1), weight: 1)  // Q_b = 0.05
        sec.advance(by: 1)  // both sampled: no decay
        #expect(sec.values == [0.25, 0.05])
        sec.merge(report("a", n: 2, abs: 1, version: 1), weight: 1)  // Q_a = 0.125 + 0.25 = 0.375
        sec.advance(by: 1)  // b absent: r = 0, Q_b = 0.025
        #expect(sec.values == [0.375, 0.025])
        sec.advance(by: 2)  // two steps without samples: both halve twice
        #expect(sec.values == [0.09375, 0.00625])
    }

    @Test func decayAbsentIsOffByDefault() throws {
        var sec = try SECPolicy()
        sec.merge(report("a", n: 2, abs: 1), weight: 1)
        sec.advance(by: 3)
        #expect(sec.values == [0.25])
    }

    @Test func progressObjective() throws {
        var sec = try SECPolicy(.init(alpha: 0.5, objective: .progress))
        // Step 0: mean reward 0.5, no previous step: r = 0, Q = 0.
        sec.merge(report("a", n: 2, abs: 1, reward: 1, version: 0), weight: 1)
        #expect(sec.values == [0])
        // Step 1 in two halves. First: mean 0.75, r = 0.25, a = 1 - sqrt(0.5): Q = 0.0732233...
        sec.merge(report("a", n: 4, abs: 1, reward: 3, version: 1, share: 0.5), weight: 1)
        #expect(close(sec.values[0], 0.2928932188134524 * 0.25))
        // Second: pooled mean 5 / 6, r = 5/6 - 1/2 = 1/3, Q = 0.5 * 0 + 0.5 * 1/3.
        sec.merge(report("a", n: 2, abs: 1, reward: 2, version: 1, share: 0.5), weight: 1)
        #expect(close(sec.values[0], 1.0 / 6))
        // Step 2: mean 0, r = 0 - 5/6, Q = 0.5 * 1/6 - 0.5 * 5/6 = -1/3.
        sec.merge(report("a", n: 1, abs: 1, reward: 0, version: 2), weight: 1)
        #expect(close(sec.values[0], -1.0 / 3))
    }

    @Test func emptyReportsOnlyRegister() throws {
        var sec = try SECPolicy()
        sec.merge(report("a", n: 0, abs: 0), weight: 1)
        #expect(sec.categories == ["a"])
        #expect(sec.values == [0])
        #expect(sec.distribution().probabilities == [1])
    }

    @Test func invalidParametersAreRefused() {
        #expect(throws: ConfigurationError.self) { try SECPolicy(.init(alpha: 0)) }
        #expect(throws: ConfigurationError.self) { try SECPolicy(.init(alpha: 1.5)) }
        #expect(throws: ConfigurationError.self) { try SECPolicy(.init(tau: 0)) }
        #expect(throws: ConfigurationError.self) { try SECPolicy(.init(sampling: .epsilonGreedy(epsilon: 2))) }
        do {
            _ = try SECPolicy(.init(alpha: 1.5))
        } catch {
            #expect(error.description == "alpha must be in (0, 1], got 1.5")
        }
    }
}
