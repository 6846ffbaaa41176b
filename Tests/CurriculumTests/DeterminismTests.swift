import Curriculum
import Testing

@Suite struct DeterminismTests {
    @Test func generatorIsAFunctionOfTheSeed() throws {
        var a = Xoshiro256StarStar(seed: 123)
        var b = Xoshiro256StarStar(seed: 123)
        var c = Xoshiro256StarStar(seed: 124)
        let xs = (0..<100).map { _ in a.next() }
        #expect(xs == (0..<100).map { _ in b.next() })
        #expect(xs != (0..<100).map { _ in c.next() })
        // Codable: a restored generator continues the same stream.
        var restored = try roundTrip(a)
        #expect((0..<10).map { _ in restored.next() } == (0..<10).map { _ in a.next() })
    }

    @Test func generatorIsRoughlyUniform() {
        var rng = Xoshiro256StarStar(seed: 9)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { buckets[Int(rng.nextDouble() * 10)] += 1 }
        // Each bucket expects 10,000 with sd ~ 95.
        #expect(buckets.allSatisfy { abs($0 - 10_000) < 500 })
    }

    /// Same seed and inputs, same outputs, for every policy (Thompson sampling included).
    @Test(arguments: everyPolicy)
    func samePolicyRunsAgree(_ policy: PolicyConfiguration) throws {
        func run() throws -> [CurriculumDistribution] {
            var rng = Xoshiro256StarStar(seed: 31)
            var c = try Curriculum(policy: policy)
            var out: [CurriculumDistribution] = []
            for step in 0..<20 {
                for _ in 0..<5 { _ = try? c.apply(randomReport(&rng, categories: ["a", "b", "c"], version: step)) }
                try c.advance(to: step + 1)
                out.append(c.distribution())
            }
            return out
        }
        #expect(try run() == run())
    }

    @Test func thompsonSeedsDiffer() throws {
        func distribution(seed: UInt64) throws -> [Double] {
            var c = try Curriculum(policy: .discountedThompson(.init(draws: 500, seed: seed)))
            try c.apply(report("a", n: 4, abs: 2))
            try c.apply(report("b", n: 4, abs: 1))
            return c.distribution().probabilities
        }
        #expect(try distribution(seed: 1) == distribution(seed: 1))
        #expect(try distribution(seed: 1) != distribution(seed: 2))
    }
}
