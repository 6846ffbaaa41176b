import Curriculum
import Testing

/// Fixed and scheduled mixtures over categories, the data-mixing baselines.
@Suite struct MixturePolicyTests {
    @Test func fixedMixtureNormalisesOverKnownCategories() throws {
        var policy = try FixedMixturePolicy(.init(weights: MixtureWeights.parse("a=3,b=1,z=4", parameter: "mixture")))
        policy.register("a")
        policy.merge(report("b", n: 2, abs: 1), weight: 1)
        policy.register("c")  // not named: weight 0
        // z is named but unknown: it gets no probability until it is known.
        #expect(policy.distribution().probabilities == [0.75, 0.25, 0])
        #expect(policy.distribution().values == [3, 1, 0])
        var unnamed = try FixedMixturePolicy(.init(weights: MixtureWeights.parse("z=1", parameter: "mixture")))
        unnamed.register("a")
        unnamed.register("b")
        #expect(unnamed.distribution().probabilities == [0.5, 0.5])
    }

    @Test func mixtureParsing() throws {
        let parsed = try MixtureWeights.parse("math/easy = 3, x=y=2", parameter: "mixture")
        #expect(parsed.entries == [.init(category: "math/easy", weight: 3), .init(category: "x=y", weight: 2)])
        for bad in ["a=1,,b=2", "a", "=1", "a=-1", "a=0,b=0", "a=1,a=2", "a=nan", "a=inf"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try MixtureWeights.parse(bad[...], parameter: "mixture") }
        }
    }

    @Test func scheduleInterpolatesOverSteps() throws {
        var policy = try ScheduledMixturePolicy(.parse("2:a=1,b=0;6:a=0,b=1"))
        policy.register("a")
        policy.register("b")
        #expect(policy.distribution().probabilities == [1, 0])  // before the first knot: its weights
        policy.advance(by: 3)  // step 3: a quarter of the way from step 2 to 6
        #expect(policy.weights == [0.75, 0.25])
        #expect(policy.distribution().probabilities == [0.75, 0.25])
        policy.advance(by: 2)  // step 5
        #expect(policy.weights == [0.25, 0.75])
        policy.advance(by: 100)  // after the last knot: its weights
        #expect(policy.distribution().probabilities == [0, 1])
        #expect(policy.step == 105)
    }

    @Test func scheduleParsingErrors() throws {
        for bad in ["", "a=1", "x:a=1", "-1:a=1", "4:a=1;4:a=2", "4:a=1;2:a=2", "0:a=0"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try ScheduledMixturePolicy.Configuration.parse(bad) }
        }
        let one = try ScheduledMixturePolicy.Configuration.parse("0:a=1")
        #expect(one.knots.count == 1)
    }
}
