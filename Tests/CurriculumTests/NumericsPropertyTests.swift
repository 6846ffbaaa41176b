import Curriculum
import Testing

/// Properties over random inputs for every policy: probabilities sum to 1 within 1e-12, are
/// never NaN and respect the probability floor, with 1 arm, with 10,000 arms and with rewards
/// near 1e300.
@Suite struct NumericsPropertyTests {
    private func check(_ d: CurriculumDistribution, _ label: String, floor: Double = 0) {
        // A floor above 1/K is capped at 1/K (uniform).
        let m = min(floor, 1 / Double(max(d.probabilities.count, 1)))
        #expect(d.probabilities.allSatisfy { $0.isFinite && $0 >= m && $0 <= 1 }, "\(label)")
        #expect(d.values.allSatisfy { $0.isFinite }, "\(label)")
        #expect(abs(compensatedSum(d.probabilities) - 1) <= 1e-12, "\(label)")
        // A plain left-to-right sum, as a user would write it, is within the same bound.
        #expect(abs(d.probabilities.reduce(0, +) - 1) <= 1e-12, "\(label)")
    }

    @Test(arguments: everyPolicy)
    func randomReportsFewArms(_ policy: PolicyConfiguration) throws {
        var rng = Xoshiro256StarStar(seed: 100)
        for trial in 0..<300 {
            var c = try Curriculum(policy: policy)
            let arms = Int(rng.next() % 6) + 1
            let names = (0..<arms).map { "arm\($0)" }
            for step in 0..<Int(rng.next() % 8) {
                for _ in 0..<3 { _ = try? c.apply(randomReport(&rng, categories: names, version: step)) }
                try c.advance(to: step + 1)
            }
            c.register("arm0")
            check(c.distribution(), "\(policy.name) trial \(trial)", floor: policy.minimumProbability)
        }
    }

    @Test(arguments: everyPolicy)
    func oneArm(_ policy: PolicyConfiguration) throws {
        var c = try Curriculum(policy: policy)
        try c.apply(report("only", n: 5, abs: 2.5, reward: 1))
        let d = c.distribution()
        check(d, policy.name)
        #expect(d.probabilities == [1])
    }

    @Test(arguments: everyPolicy)
    func tenThousandArms(_ policy: PolicyConfiguration) throws {
        var rng = Xoshiro256StarStar(seed: 200)
        var c = try Curriculum(policy: policy)
        for k in 0..<10_000 { c.register("arm\(k)") }
        check(c.distribution(), "\(policy.name) fresh", floor: policy.minimumProbability)
        for step in 0..<3 {
            for k in stride(from: step, to: 10_000, by: 7) {
                let n = Int(rng.next() % 9) + 1
                try c.apply(report("arm\(k)", n: n, abs: Double(n) * rng.nextDouble(), reward: Double(n) * rng.nextDouble(),
                                   version: step))
            }
            try c.advance(to: step + 1)
            check(c.distribution(), "\(policy.name) step \(step)", floor: policy.minimumProbability)
        }
    }

    @Test(arguments: everyPolicy)
    func hugeRewards(_ policy: PolicyConfiguration) throws {
        var rng = Xoshiro256StarStar(seed: 300)
        for trial in 0..<50 {
            var c = try Curriculum(policy: policy)
            for step in 0..<4 {
                for k in 0..<6 {
                    let huge = [1e300, Double.greatestFiniteMagnitude, 1e-300, 0][Int(rng.next() % 4)]
                    try c.apply(report("arm\(k)", n: Int(rng.next() % 3) + 1, abs: huge, reward: -huge, version: step))
                }
                try c.advance(to: step + 1)
                check(c.distribution(), "\(policy.name) trial \(trial) step \(step)", floor: policy.minimumProbability)
            }
        }
    }

    /// Any floor m <= 1/K on any policy: every probability at least m, the sum still 1.
    @Test(arguments: everyPolicy)
    func randomFloors(_ policy: PolicyConfiguration) throws {
        var rng = Xoshiro256StarStar(seed: 400)
        for trial in 0..<100 {
            let arms = Int(rng.next() % 12) + 1
            let names = (0..<arms).map { "arm\($0)" }
            // Up to 1/K, sometimes exactly 1/K.
            let m = trial % 10 == 0 ? 1 / Double(arms) : rng.nextDouble() / Double(arms)
            let floored = policy.withMinimumProbability(m)
            try floored.requireFloorFits(categoryCount: arms)
            var c = try Curriculum(policy: floored)
            for name in names { c.register(name) }
            for step in 0..<Int(rng.next() % 6) {
                for _ in 0..<4 { _ = try? c.apply(randomReport(&rng, categories: names, version: step)) }
                try c.advance(to: step + 1)
            }
            check(c.distribution(), "\(policy.name) trial \(trial) floor \(m)", floor: max(m, policy.minimumProbability))
        }
    }
}
