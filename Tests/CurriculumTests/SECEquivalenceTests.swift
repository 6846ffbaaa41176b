import Curriculum
import Foundation
import Testing

/// A stand-alone SEC written from the reference code (`BanditPriority` in the SEC authors'
/// verl fork): `Q = (1 - alpha) * Q + alpha * r` per arm and step, r the step's mean |A|,
/// `p = exp(Q / tau) / sum exp(Q / tau)`.
private struct ReferenceSEC {
    var alpha: Double
    var tau: Double
    var decayAbsent: Bool
    var q: [String: Double] = [:]
    var order: [String] = []

    mutating func step(_ sums: [String: (n: Int, abs: Double)]) {
        for name in sums.keys.sorted() where q[name] == nil {
            q[name] = 0
            order.append(name)
        }
        for name in order {
            if let s = sums[name], s.n > 0 {
                let r = s.abs / Double(s.n)
                q[name] = (1 - alpha) * q[name]! + alpha * r
            } else if decayAbsent {
                q[name] = (1 - alpha) * q[name]! + alpha * 0
            }
        }
    }

    var probabilities: [Double] {
        let e = order.map { Foundation.exp(q[$0]! / tau) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }
}

@Suite struct SECEquivalenceTests {
    /// One worker reporting every step's whole batch on time is single-process SEC, exactly.
    @Test(arguments: [false, true])
    func oneWorkerIsSingleProcessSEC(decayAbsent: Bool) throws {
        var curriculum = try Curriculum(policy: .sec(.init(alpha: 0.5, tau: 0.4, decayAbsent: decayAbsent)))
        var reference = ReferenceSEC(alpha: 0.5, tau: 0.4, decayAbsent: decayAbsent)
        var rng = Xoshiro256StarStar(seed: 42)
        let allocator = try BatchAllocator()
        for step in 0..<60 {
            // The batch: 256 draws from the current distribution (uniform over the first
            // categories before any is known), each with a random |A|.
            let counts: [String: Int]
            let d = curriculum.distribution()
            if d.categories.isEmpty {
                counts = ["easy": 100, "medium": 100, "hard": 56]
            } else {
                let c = try allocator.allocate(batchSize: 256, distribution: d, using: &rng)
                var byName = Dictionary(uniqueKeysWithValues: zip(d.categories, c))
                if step == 10 { byName["joint-2"] = 7 }  // new categories appear later
                if step == 20 { byName["joint-3"] = 3 }
                counts = byName
            }
            var sums: [String: (n: Int, abs: Double)] = [:]
            for (name, n) in counts.sorted(by: { $0.key < $1.key }) where n > 0 {
                var abs = 0.0
                for _ in 0..<n { abs += rng.nextDouble() * 1.5 }
                sums[name] = (n, abs)
                try curriculum.apply(
                    CategoryReport(category: name, count: n, sumAbsAdvantage: abs, sumSquaredAdvantage: abs,
                                   sumReward: 0, version: step, share: 1))
            }
            reference.step(sums)
            try curriculum.advance(to: step + 1)

            guard case .sec(let sec) = curriculum.policy.snapshot else { Issue.record("not SEC"); return }
            let q = Dictionary(uniqueKeysWithValues: zip(sec.categories, sec.values))
            #expect(q == reference.q, "step \(step)")
            let mine = curriculum.distribution()
            #expect(mine.categories == reference.order)
            #expect(closeAll(mine.probabilities, reference.probabilities, 1e-15), "step \(step)")
        }
    }

    /// The same step's samples split over 1, 4 or 64 workers (each with share 1/W, sending
    /// an n = 0 report for a category it drew none of) land on the same Q, and contract the
    /// old Q by exactly 1 - alpha. Tolerance: 1e-13, the rounding of 64 chained products.
    @Test func splittingAStepAmongWorkers() throws {
        let categories = ["a", "b", "c"]
        var rng = Xoshiro256StarStar(seed: 9)
        for trial in 0..<50 {
            // One step of 256 samples with a category and an |A| each.
            let samples = (0..<256).map { _ in
                (category: categories[Int(rng.next() % 3)], abs: rng.nextDouble() * 2)
            }
            let startRewards = categories.map { _ in rng.nextDouble() * 3 }
            let whole = try run(samples, startRewards: startRewards, workers: 1, seed: UInt64(trial), zero: false)
            for workers in [4, 64] {
                let split = try run(
                    samples, startRewards: startRewards, workers: workers, seed: UInt64(trial), zero: false)
                #expect(closeAll(split.after, whole.after, 1e-13), "trial \(trial), W = \(workers)")
            }
            // Contraction: with every |A| of the step zero, Q = (1 - alpha) Q_before.
            for workers in [1, 4, 64] {
                let run = try run(samples, startRewards: startRewards, workers: workers, seed: UInt64(trial), zero: true)
                for k in 0..<3 {
                    #expect(close(run.after[k], 0.5 * run.before[k], 1e-14), "trial \(trial), W = \(workers)")
                }
            }
        }
    }

    /// One step from Q = 0.5 * startRewards with `workers` workers whose reports (every
    /// category, n = 0 included) arrive in a shuffled order.
    private func run(
        _ samples: [(category: String, abs: Double)],
        startRewards: [Double],
        workers: Int,
        seed: UInt64,
        zero: Bool
    ) throws -> (before: [Double], after: [Double]) {
        let names = ["a", "b", "c"]
        var sec = try SECPolicy(.init(alpha: 0.5))
        for (k, name) in names.enumerated() {
            sec.merge(report(name, n: 1, abs: startRewards[k], version: 0), weight: 1)
        }
        let before = sec.values
        var reports: [CategoryReport] = []
        let per = samples.count / workers
        for w in 0..<workers {
            let part = samples[(w * per)..<((w + 1) * per)]
            for name in names {
                let mine = part.filter { $0.category == name }
                let abs = zero ? 0 : mine.reduce(0) { $0 + $1.abs }
                reports.append(report(name, n: mine.count, abs: abs, version: 1, share: 1 / Double(workers)))
            }
        }
        var order = Xoshiro256StarStar(seed: seed)
        reports.shuffle(using: &order)
        for r in reports { sec.merge(r, weight: 1) }
        return (before, sec.values)
    }
}
