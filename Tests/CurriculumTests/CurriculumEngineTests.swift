import Curriculum
import Foundation
import Testing

@Suite struct CurriculumEngineTests {
    @Test func totalsCountEveryAcceptedReportOnce() throws {
        var c = try Curriculum(policy: .sec(.init()), staleness: .init(weighting: .hinge, maximum: 2))
        var rng = Xoshiro256StarStar(seed: 11)
        var expected: [String: (reports: Int, n: Int, abs: Double, sq: Double, reward: Double)] = [:]
        for step in 0..<200 {
            for _ in 0..<5 {
                let r = randomReport(&rng, categories: ["a", "b", "c", "d"], version: step)
                if (try? c.apply(r)) != nil {
                    var e = expected[r.category] ?? (0, 0, 0, 0, 0)
                    e.reports += 1
                    e.n += r.count
                    e.abs += r.sumAbsAdvantage
                    e.sq += r.sumSquaredAdvantage
                    e.reward += r.sumReward
                    expected[r.category] = e
                }
            }
            try c.advance(to: step + 1)
        }
        let totals = c.totals
        #expect(Set(totals.keys) == Set(expected.keys))
        for (name, e) in expected {
            let t = try #require(totals[name])
            #expect(t.reports == e.reports && t.count == e.n)
            // The expected sums are plain sums of values with three decimals times small
            // integers; the compensated totals agree to rounding.
            #expect(close(t.sumAbsAdvantage, e.abs, 1e-9 * max(1, e.abs)))
            #expect(close(t.sumSquaredAdvantage, e.sq, 1e-9 * max(1, e.sq)))
            #expect(close(t.sumReward, e.reward, 1e-9 * max(1, e.reward)))
        }
    }

    @Test func distributionIsCachedAndInvalidated() throws {
        var c = try Curriculum(policy: .sec(.init()))
        try c.apply(report("a", n: 2, abs: 1))
        let first = c.distribution()
        #expect(c.distribution() == first)
        try c.apply(report("b", n: 2, abs: 3))
        #expect(c.distribution() != first)
        c.register("c")
        #expect(c.distribution().categories == ["a", "b", "c"])
    }

    /// Snapshot and restore: the JSON round trip gives the same distribution, bit for bit,
    /// and the same behaviour on every later report, for every policy.
    @Test(arguments: everyPolicy)
    func snapshotRoundTripsExactly(_ policy: PolicyConfiguration) throws {
        var rng = Xoshiro256StarStar(seed: 21)
        var c = try Curriculum(policy: policy, staleness: .init(weighting: .polynomial, maximum: 3))
        let names = ["easy", "medium", "hard", "x1", "x2"]
        for step in 0..<30 {
            for _ in 0..<4 { _ = try? c.apply(randomReport(&rng, categories: names, version: step)) }
            try c.advance(to: step + 1)
        }
        var restored = try roundTrip(c)
        #expect(try sortedJSON(restored) == sortedJSON(c))
        #expect(restored.distribution() == c.distribution())
        #expect(restored.version == c.version && restored.totals == c.totals)
        for step in 30..<45 {
            for _ in 0..<4 {
                let r = randomReport(&rng, categories: names + ["late"], version: step)
                let a = Result { try c.apply(r) }.map(\.weight)
                let b = Result { try restored.apply(r) }.map(\.weight)
                #expect(String(describing: a) == String(describing: b))
            }
            try c.advance(to: step + 1)
            try restored.advance(to: step + 1)
            #expect(restored.distribution() == c.distribution(), "\(policy.name) step \(step)")
        }
        #expect(try sortedJSON(restored) == sortedJSON(c))
    }

    @Test func policyConfigurationNamesAndCoding() throws {
        #expect(everyPolicy.map(\.name).count == 18)
        for p in everyPolicy {
            #expect(try roundTrip(p) == p)
            #expect(try p.makePolicy().snapshot.policy.categories.isEmpty)
            // A saved state names its policy as the configuration that made it does.
            #expect(try p.makePolicy().snapshot.name == p.name)
        }
        #expect(Set(everyPolicy.map(\.name)) == [
            "sec", "dump", "ducb", "swucb", "exp3s", "thompson", "lp", "learnability", "informative", "bandpass",
            "mixture", "schedule", "uniform",
        ])
    }
}
