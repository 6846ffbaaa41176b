import Curriculum
import Testing

/// `--min-probability`: `q_i = max(m, s p_i)`, s making the q sum to 1.
@Suite struct ProbabilityFloorTests {
    /// A policy whose distribution is given, to floor it.
    private func floored(_ weights: String, minimum: Double) throws -> [Double] {
        var policy = try PolicyConfiguration.fixedMixture(
            .init(weights: MixtureWeights.parse(weights[...], parameter: "mixture"))
        ).withMinimumProbability(minimum).makePolicy()
        for entry in try MixtureWeights.parse(weights[...], parameter: "mixture").entries {
            policy.register(entry.category)
        }
        return policy.distribution().probabilities
    }

    @Test func raisesTheLowAndScalesTheRest() throws {
        // [0.7, 0.2, 0.1, 0] with m = 0.05: d is pinned, the rest scaled by 0.95.
        #expect(closeAll(try floored("a=0.7,b=0.2,c=0.1,d=0", minimum: 0.05), [0.665, 0.19, 0.095, 0.05]))
        // [0.85, 0.1, 0.05, 0] with m = 0.1: pinning d and c leaves b at 0.1 * 0.8 / 0.95 < 0.1,
        // so b is pinned too and a gets 1 - 3 * 0.1 = 0.7.
        #expect(closeAll(try floored("a=0.85,b=0.1,c=0.05,d=0", minimum: 0.1), [0.7, 0.1, 0.1, 0.1]))
    }

    @Test func leavesADistributionAboveTheFloorAlone() throws {
        #expect(try floored("a=5,b=3,c=2", minimum: 0.1) == floored("a=5,b=3,c=2", minimum: 0))
    }

    @Test func aFloorOfOneOverKOrMoreIsUniform() throws {
        #expect(try floored("a=1,b=0,c=0,d=0", minimum: 0.25) == [0.25, 0.25, 0.25, 0.25])
        // Categories that appear after the check cap the floor at 1/K rather than being refused.
        #expect(try floored("a=1,b=0,c=0,d=0", minimum: 0.5) == [0.25, 0.25, 0.25, 0.25])
    }

    @Test func floorThatCannotFitIsAClearError() throws {
        let thompson = PolicyConfiguration.discountedThompson(.init()).withMinimumProbability(0.1)
        try thompson.requireFloorFits(categoryCount: 10)
        #expect(throws: ConfigurationError.self) { try thompson.requireFloorFits(categoryCount: 15) }
        do {
            try thompson.requireFloorFits(categoryCount: 15)
        } catch {
            #expect(error.description.contains("at most 1/K"))
            #expect(error.description.contains("K = 15"))
        }
        #expect(throws: ConfigurationError.self) { try PolicyConfiguration.uniform.withMinimumProbability(1.5).makePolicy() }
        #expect(PolicyConfiguration.uniform.withMinimumProbability(0) == .uniform)
    }

    @Test func thompsonWithAFloorKeepsEveryArmAlive() throws {
        var c = try Curriculum(policy: PolicyConfiguration.discountedThompson(.init(draws: 256, seed: 3))
            .withMinimumProbability(0.01))
        for _ in 0..<20 {
            try c.apply(report("good", n: 50, abs: 50, reward: 50))
            try c.apply(report("bad", n: 50, abs: 0, reward: 0))
        }
        let d = c.distribution()
        #expect(d.probabilities[1] >= 0.01)
        #expect(c.policy.snapshot.name == "thompson")
        // Without the floor the losing arm gets no draw at all.
        var bare = try Curriculum(policy: .discountedThompson(.init(draws: 256, seed: 3)))
        for _ in 0..<20 {
            try bare.apply(report("good", n: 50, abs: 50, reward: 50))
            try bare.apply(report("bad", n: 50, abs: 0, reward: 0))
        }
        #expect(bare.distribution().probabilities[1] == 0)
    }
}
