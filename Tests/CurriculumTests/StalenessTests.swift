import Curriculum
import Foundation
import Testing

/// Weights from FedAsync (Xie et al., 2019, arXiv 1903.03934), worked out by hand.
@Suite struct StalenessTests {
    @Test func weightsByHand() {
        #expect(StalenessWeighting.constant.weight(staleness: 7) == 1)
        // (s + 1)^-0.5: s = 0 -> 1; s = 3 -> 4^-0.5 = 0.5; s = 8 -> 9^-0.5 = 1/3.
        #expect(StalenessWeighting.polynomial.weight(staleness: 0) == 1)
        #expect(StalenessWeighting.polynomial.weight(staleness: 3) == 0.5)
        #expect(close(StalenessWeighting.polynomial.weight(staleness: 8), 1.0 / 3))
        // exp(-0.5 s): s = 2 -> e^-1 = 0.36787944117144233.
        #expect(close(StalenessWeighting.exponential.weight(staleness: 2), 0.36787944117144233))
        // hinge a = 0.5, b = 4: s <= 4 -> 1; s = 6 -> 1 / (0.5 * 2 + 1) = 0.5; s = 10 -> 1 / 4.
        #expect(StalenessWeighting.hinge.weight(staleness: 4) == 1)
        #expect(StalenessWeighting.hinge.weight(staleness: 6) == 0.5)
        #expect(StalenessWeighting.hinge.weight(staleness: 10) == 0.25)
    }

    /// Property: for random parameters, w(s) is in [0, 1] and never increases with s.
    @Test func weightsAreBoundedAndNonIncreasing() {
        var rng = Xoshiro256StarStar(seed: 5)
        for _ in 0..<300 {
            let a = rng.nextDouble() * 4
            let weightings: [StalenessWeighting] = [
                .constant, .polynomial(a: a), .exponential(lambda: a), .hinge(a: a, b: Int(rng.next() % 10)),
            ]
            for weighting in weightings {
                var previous = 1.0
                for s in [0, 1, 2, 3, 5, 8, 13, 100, 10_000, Int.max / 2] {
                    let w = weighting.weight(staleness: s)
                    #expect(w >= 0 && w <= 1, "\(weighting) s = \(s)")
                    #expect(w <= previous, "\(weighting) s = \(s)")
                    previous = w
                }
            }
        }
    }

    @Test func engineWeightsRejectsStaleAndFuture() throws {
        var c = try Curriculum(
            policy: .sec(.init(alpha: 0.5)),
            staleness: .init(weighting: .polynomial(a: 0.5), maximum: 4),
            version: 10)
        // s = 3: w = 0.5, a = alpha w = 0.25, Q = 0.25 * 1.
        let outcome = try c.apply(report("a", n: 1, abs: 1, version: 7))
        #expect(outcome == .init(staleness: 3, weight: 0.5, isFirstOfCategory: true))
        #expect(c.distribution().values == [0.25])
        #expect(throws: ReportRejection.tooStale(staleness: 5, maximum: 4)) {
            try c.apply(report("a", n: 1, abs: 1, version: 5))
        }
        #expect(throws: ReportRejection.futureVersion(report: 11, current: 10)) {
            try c.apply(report("a", n: 1, abs: 1, version: 11))
        }
        #expect(throws: ReportRejection.tooStale(staleness: .max, maximum: 4)) {
            try c.apply(report("a", n: 1, abs: 1, version: .min))
        }
        #expect(c.totals(for: "a")?.reports == 1)
        // Only a category's first merged report opens its totals.
        #expect(try c.apply(report("a", n: 1, abs: 1, version: 10)).isFirstOfCategory == false)
    }

    @Test func versionOnlyMovesForward() throws {
        var c = try Curriculum(policy: .uniform, version: 3)
        try c.advance(to: 5)
        #expect(throws: Curriculum.VersionRegression(current: 5, requested: 4)) { try c.advance(to: 4) }
        #expect(c.version == 5)
    }

    @Test func badParametersAreRefused() {
        #expect(throws: ConfigurationError.self) {
            try Curriculum(policy: .uniform, staleness: .init(weighting: .polynomial(a: -1)))
        }
        #expect(throws: ConfigurationError.self) {
            try Curriculum(policy: .uniform, staleness: .init(maximum: -1))
        }
        #expect(throws: ConfigurationError.self) {
            try Curriculum(policy: .uniform, staleness: .init(weighting: .hinge(a: 0.5, b: -2)))
        }
    }
}
