/// Turns a distribution into per-category sample counts for one batch.
///
/// Unavailable (exhausted) categories get 0 and their mass is spread proportionally over
/// the others; if every available category has probability 0 the batch is spread uniformly
/// over them, as SEC falls back to a random arm that still has data. An exploration floor
/// f then mixes in the uniform distribution, `p' = f + (1 - K f) p` over the K available
/// categories, so every one has probability at least f (f is capped at 1 / K).
public struct BatchAllocator: Sendable, Hashable, Codable {
    /// How the counts are drawn.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// B independent draws from the distribution, as SEC draws its batch.
        case multinomial
        /// Systematic sampling: one uniform offset and B evenly spaced points, so each count
        /// is within 1 of B p (floor or ceiling), with far less variance than multinomial.
        case systematic
    }

    public var method: Method
    /// The minimum probability of every available category.
    public var explorationFloor: Double

    public init(method: Method = .multinomial, explorationFloor: Double = 0) throws(ConfigurationError) {
        try ConfigurationError.require(
            explorationFloor >= 0 && explorationFloor <= 1, "exploration-floor", explorationFloor, "in [0, 1]")
        self.method = method
        self.explorationFloor = explorationFloor
    }

    /// The probabilities actually sampled from: masked, renormalised and floored.
    ///
    /// - Parameter available: one flag per category of `distribution`; nil means all available.
    public func effectiveProbabilities(
        _ distribution: CurriculumDistribution,
        available: [Bool]? = nil
    ) throws(AllocationError) -> [Double] {
        let p = distribution.probabilities
        if let available, available.count != p.count {
            throw .maskLengthMismatch(expected: p.count, actual: available.count)
        }
        var q = [Double](repeating: 0, count: p.count)
        var open = 0
        var mass = CompensatedSum()
        for i in p.indices where available?[i] ?? true {
            open += 1
            q[i] = p[i]
            mass.add(p[i])
        }
        guard open > 0 else { throw .noCategoryAvailable }
        let total = mass.value
        let floor = min(explorationFloor, 1 / Double(open))
        let spread = 1 - Double(open) * floor
        for i in p.indices where available?[i] ?? true {
            let share = total > 0 ? q[i] / total : 1 / Double(open)
            q[i] = floor + spread * share
        }
        return q
    }

    /// Per-category counts summing to `batchSize`, in the distribution's category order.
    public func allocate<G: RandomNumberGenerator>(
        batchSize: Int,
        distribution: CurriculumDistribution,
        available: [Bool]? = nil,
        using rng: inout G
    ) throws(AllocationError) -> [Int] {
        guard batchSize >= 0 else { throw .negativeBatchSize(batchSize) }
        let p = try effectiveProbabilities(distribution, available: available)
        var counts = [Int](repeating: 0, count: p.count)
        guard batchSize > 0 else { return counts }
        // Cumulative sums; the last open category's bound is set to exactly 1 so that a
        // draw can never fall past the end through rounding.
        var cumulative = [Double](repeating: 0, count: p.count)
        var running = CompensatedSum()
        var last = 0
        for i in p.indices {
            running.add(p[i])
            cumulative[i] = running.value
            if p[i] > 0 { last = i }
        }
        for i in last..<p.count { cumulative[i] = 1 }
        switch method {
        case .multinomial:
            for _ in 0..<batchSize {
                counts[Self.firstAbove(rng.nextUnitDouble(), in: cumulative)] += 1
            }
        case .systematic:
            // Points u + j for j = 0..<B in units of 1/B: category i receives
            // ceil(B C_i - u) - ceil(B C_{i-1} - u) of them, which telescopes to B.
            let u = rng.nextUnitDouble()
            let b = Double(batchSize)
            var previous = 0
            for i in p.indices {
                let upTo = i >= last ? batchSize : min(batchSize, Int((b * cumulative[i] - u).rounded(.up)))
                counts[i] = max(upTo - previous, 0)
                previous = max(previous, upTo)
            }
        }
        return counts
    }

    /// The first index whose cumulative bound exceeds `u`; zero-width (unavailable)
    /// categories are never chosen, since their bound equals their predecessor's.
    @inline(__always) private static func firstAbove(_ u: Double, in cumulative: [Double]) -> Int {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) >> 1
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

/// Why a batch could not be allocated.
public enum AllocationError: Error, Sendable, Hashable, CustomStringConvertible {
    case negativeBatchSize(Int)
    case maskLengthMismatch(expected: Int, actual: Int)
    /// Every category is exhausted (or none is known).
    case noCategoryAvailable

    public var description: String {
        switch self {
        case .negativeBatchSize(let b): "batch size \(b) is negative"
        case .maskLengthMismatch(let expected, let actual):
            "the availability mask has \(actual) entries for \(expected) categories"
        case .noCategoryAvailable: "no category is available"
        }
    }
}
