import Curriculum
import Testing

/// Learnability `p (1 - p)`, group-informative `1 - p^G - (1 - p)^G` and band-pass admission,
/// from each category's recent pass rate `sum_reward / n`.
@Suite struct PassRatePolicyTests {
    @Test func learnabilityWeighsByVariance() throws {
        var policy = try LearnabilityPolicy()
        policy.merge(report("a", n: 4, abs: 1, reward: 3), weight: 1)  // p = 0.75, w = 0.1875
        policy.merge(report("b", n: 2, abs: 1, reward: 1), weight: 1)  // p = 0.5, w = 0.25
        policy.register("c")  // no samples: p = 0.5, w = 0.25
        #expect(policy.weights == [0.1875, 0.25, 0.25])
        // Sum 0.6875 = 11/16: 3/11, 4/11, 4/11.
        #expect(closeAll(policy.distribution().probabilities, [3.0 / 11, 4.0 / 11, 4.0 / 11]))
    }

    @Test func learnabilityUniformWhenEverythingIsSolvedOrFailed() throws {
        var policy = try LearnabilityPolicy()
        policy.merge(report("a", n: 4, abs: 0, reward: 4), weight: 1)  // p = 1
        policy.merge(report("b", n: 4, abs: 0, reward: 0), weight: 1)  // p = 0
        #expect(policy.weights == [0, 0])
        #expect(policy.distribution().probabilities == [0.5, 0.5])
    }

    @Test func passRateWindowStalenessAndScale() throws {
        var policy = try LearnabilityPolicy(.init(window: 4))
        policy.merge(report("a", n: 3, abs: 0, reward: 3), weight: 1)  // three passes
        policy.merge(report("a", n: 2, abs: 0, reward: 0), weight: 1)  // two failures
        // The last 4 samples: two passes and two failures, p = 0.5.
        #expect(policy.weights == [0.25])
        // Weight 0.5 enters 4 samples as 2: the window is then 2 failures and 2 passes.
        policy.merge(report("a", n: 4, abs: 0, reward: 4), weight: 0.5)
        #expect(policy.weights == [0.25])
        policy.merge(report("a", n: 2, abs: 0, reward: 2), weight: 1)  // now all 4 pass
        #expect(policy.weights == [0])
        // n = 0 changes nothing.
        policy.merge(report("a", n: 0, abs: 0), weight: 1)
        #expect(policy.weights == [0])
        // Rewards in [-1, 1]: a mean of 0 is a pass rate of 0.5.
        var signed = try LearnabilityPolicy(.init(scale: .init(lower: -1, upper: 1)))
        signed.merge(report("a", n: 2, abs: 0, reward: 0), weight: 1)
        #expect(signed.weights == [0.25])
    }

    @Test func groupInformativeWeights() throws {
        var policy = try GroupInformativePolicy(.init(groupSize: 4))
        policy.merge(report("a", n: 4, abs: 1, reward: 3), weight: 1)  // p = 0.75
        policy.merge(report("b", n: 2, abs: 1, reward: 1), weight: 1)  // p = 0.5
        // a: 1 - 0.75^4 - 0.25^4 = 1 - 0.31640625 - 0.00390625 = 0.6796875 (174/256)
        // b: 1 - 2 / 16 = 0.875 (224/256); probabilities 174/398 = 87/199 and 112/199.
        #expect(policy.weights == [0.6796875, 0.875])
        #expect(closeAll(policy.distribution().probabilities, [87.0 / 199, 112.0 / 199]))
        #expect(throws: ConfigurationError.self) { try GroupInformativePolicy(.init(groupSize: 1)) }
    }

    @Test func bandPassAdmitsTheBandAndUnmeasuredCategories() throws {
        var policy = try BandPassPolicy(.init(low: 0.25, high: 0.75))
        policy.merge(report("a", n: 4, abs: 1, reward: 3), weight: 1)  // p = 0.75: inside (bounds included)
        policy.merge(report("b", n: 4, abs: 0, reward: 4), weight: 1)  // p = 1: too easy
        policy.merge(report("c", n: 8, abs: 0, reward: 1), weight: 1)  // p = 0.125: too hard
        policy.register("d")  // no samples: admitted to be measured
        #expect(policy.distances == [0, 0.25, 0.125, 0])
        #expect(policy.distribution().probabilities == [0.5, 0, 0, 0.5])
        #expect(policy.distribution().values == [0.75, 1, 0.125, 0.5])
    }

    @Test func bandPassFallsBackToTheNearestWhenNoneIsInside() throws {
        var policy = try BandPassPolicy(.init(low: 0.25, high: 0.75))
        policy.merge(report("a", n: 4, abs: 0, reward: 4), weight: 1)  // p = 1, 0.25 above
        policy.merge(report("b", n: 4, abs: 0, reward: 0), weight: 1)  // p = 0, 0.25 below
        #expect(policy.distribution().probabilities == [0.5, 0.5])
        policy.merge(report("c", n: 8, abs: 0, reward: 7), weight: 1)  // p = 0.875, 0.125 above
        #expect(policy.distribution().probabilities == [0, 0, 1])
        #expect(throws: ConfigurationError.self) { try BandPassPolicy(.init(low: 0.6, high: 0.4)) }
        #expect(throws: ConfigurationError.self) { try BandPassPolicy(.init(low: -0.1, high: 0.4)) }
        #expect(throws: ConfigurationError.self) { try BandPassPolicy(.init(window: 0)) }
    }
}
