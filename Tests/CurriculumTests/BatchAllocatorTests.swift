import Curriculum
import Testing

@Suite struct BatchAllocatorTests {
    private func distribution(_ p: [Double]) -> CurriculumDistribution {
        CurriculumDistribution(
            categories: p.indices.map { "c\($0)" }, probabilities: p, values: p)
    }

    private func randomDistribution(_ rng: inout Xoshiro256StarStar, arms: Int) -> CurriculumDistribution {
        let w = (0..<arms).map { _ in rng.nextDouble() * (rng.next() % 4 == 0 ? 0 : 1) }
        let total = w.reduce(0, +)
        return distribution(total > 0 ? w.map { $0 / total } : w.map { _ in 1 / Double(arms) })
    }

    /// Property: counts sum to B, unavailable categories get 0, for both methods.
    @Test(arguments: BatchAllocator.Method.allCases)
    func sumsToBatchAndRespectsMask(_ method: BatchAllocator.Method) throws {
        var rng = Xoshiro256StarStar(seed: 1)
        for _ in 0..<300 {
            let arms = Int(rng.next() % 20) + 1
            let d = randomDistribution(&rng, arms: arms)
            var mask = (0..<arms).map { _ in rng.next() % 3 != 0 }
            mask[Int(rng.next() % UInt64(arms))] = true
            let batch = Int(rng.next() % 600)
            let allocator = try BatchAllocator(method: method, explorationFloor: rng.next() % 2 == 0 ? 0 : 0.01)
            let counts = try allocator.allocate(batchSize: batch, distribution: d, available: mask, using: &rng)
            #expect(counts.reduce(0, +) == batch)
            #expect(zip(counts, mask).allSatisfy { $1 || $0 == 0 })
            let p = try allocator.effectiveProbabilities(d, available: mask)
            #expect(close(compensatedSum(p), 1, 1e-12))
        }
    }

    @Test func maskRenormalises() throws {
        let d = distribution([0.5, 0.3, 0.2])
        let p = try BatchAllocator().effectiveProbabilities(d, available: [false, true, true])
        // 0.3 / 0.5 and 0.2 / 0.5
        #expect(closeAll(p, [0, 0.6, 0.4]))
        // All remaining mass zero: uniform over what is available, as SEC's fallback.
        let q = try BatchAllocator().effectiveProbabilities(distribution([1, 0, 0]), available: [false, true, true])
        #expect(q == [0, 0.5, 0.5])
    }

    @Test func floorGivesEveryAvailableCategoryAMinimum() throws {
        let d = distribution([0.97, 0.03, 0, 0])
        let allocator = try BatchAllocator(explorationFloor: 0.05)
        let p = try allocator.effectiveProbabilities(d, available: [true, true, true, false])
        // K = 3 available: p' = 0.05 + 0.85 p.
        #expect(closeAll(p, [0.05 + 0.85 * 0.97, 0.05 + 0.85 * 0.03, 0.05, 0]))
        #expect(p.prefix(3).allSatisfy { $0 >= 0.05 })
        // A floor above 1 / K is capped at uniform.
        let capped = try BatchAllocator(explorationFloor: 0.9).effectiveProbabilities(d)
        #expect(capped == [0.25, 0.25, 0.25, 0.25])
        // Over many batches, a category of probability 0 is drawn about B * 0.05 times.
        var rng = Xoshiro256StarStar(seed: 4)
        var drawn = 0
        for _ in 0..<200 {
            drawn += try allocator.allocate(batchSize: 256, distribution: d, available: nil, using: &rng)[2]
        }
        // Expected 200 * 256 * 0.05 = 2560 (floor 0.05 of the 4 available); sd ~ 49.
        let p4 = try allocator.effectiveProbabilities(d)
        #expect(abs(Double(drawn) - 51_200 * p4[2]) < 250)
    }

    @Test func systematicIsWithinOneOfTheExpectation() throws {
        var rng = Xoshiro256StarStar(seed: 2)
        let allocator = try BatchAllocator(method: .systematic)
        for _ in 0..<300 {
            let arms = Int(rng.next() % 64) + 1
            let d = randomDistribution(&rng, arms: arms)
            let counts = try allocator.allocate(batchSize: 256, distribution: d, using: &rng)
            for (count, p) in zip(counts, d.probabilities) {
                #expect(abs(Double(count) - 256 * p) < 1 + 1e-9)
            }
        }
    }

    @Test func systematicHasLowerVarianceThanMultinomial() throws {
        let d = distribution([0.1, 0.2, 0.3, 0.4])
        var rng = Xoshiro256StarStar(seed: 3)
        func variance(_ method: BatchAllocator.Method) throws -> Double {
            let allocator = try BatchAllocator(method: method)
            var squares = 0.0
            for _ in 0..<2000 {
                let counts = try allocator.allocate(batchSize: 256, distribution: d, using: &rng)
                for (c, p) in zip(counts, d.probabilities) { squares += (Double(c) - 256 * p) * (Double(c) - 256 * p) }
            }
            return squares / 2000
        }
        // Multinomial: sum of B p (1 - p) = 256 * (0.09 + 0.16 + 0.21 + 0.24) = 179.2.
        let multinomial = try variance(.multinomial)
        #expect(abs(multinomial - 179.2) < 20)
        // Systematic: every count within 1 of B p, so the total squared error is below 4.
        #expect(try variance(.systematic) < 1)
    }

    @Test func sameSeedSameBatch() throws {
        let d = distribution([0.1, 0.2, 0.3, 0.4])
        for method in BatchAllocator.Method.allCases {
            let allocator = try BatchAllocator(method: method)
            var a = Xoshiro256StarStar(seed: 77)
            var b = Xoshiro256StarStar(seed: 77)
            for _ in 0..<50 {
                #expect(try allocator.allocate(batchSize: 256, distribution: d, using: &a)
                        == allocator.allocate(batchSize: 256, distribution: d, using: &b))
            }
        }
    }

    @Test func errors() throws {
        let d = distribution([0.5, 0.5])
        var rng = Xoshiro256StarStar(seed: 0)
        let allocator = try BatchAllocator()
        #expect(throws: AllocationError.negativeBatchSize(-1)) {
            try allocator.allocate(batchSize: -1, distribution: d, using: &rng)
        }
        #expect(throws: AllocationError.maskLengthMismatch(expected: 2, actual: 3)) {
            try allocator.allocate(batchSize: 8, distribution: d, available: [true, true, true], using: &rng)
        }
        #expect(throws: AllocationError.noCategoryAvailable) {
            try allocator.allocate(batchSize: 8, distribution: d, available: [false, false], using: &rng)
        }
        #expect(throws: AllocationError.noCategoryAvailable) {
            try allocator.allocate(
                batchSize: 8, distribution: .init(categories: [], probabilities: [], values: []), using: &rng)
        }
        #expect(throws: ConfigurationError.self) { try BatchAllocator(explorationFloor: -0.1) }
    }
}
