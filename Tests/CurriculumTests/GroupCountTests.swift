import Curriculum
import Foundation
import Testing

/// The optional per-category counts of prompt groups and zero-variance groups, and the
/// pass-rate policies that read them.
@Suite struct GroupCountTests {
    private func grouped(
        _ category: String, n: Int, reward: Double, groups: Int?, zeroVariance: Int?
    ) -> CategoryReport {
        var r = report(category, n: n, abs: 0, reward: reward)
        r.groups = groups
        r.zeroVarianceGroups = zeroVariance
        return r
    }

    @Test func validCountsPassAndImpossibleOnesAreRefused() throws {
        try grouped("a", n: 8, reward: 4, groups: 2, zeroVariance: 1).validate()
        try grouped("a", n: 8, reward: 4, groups: 2, zeroVariance: nil).validate()
        try grouped("a", n: 8, reward: 4, groups: 0, zeroVariance: 0).validate()
        try grouped("a", n: 0, reward: 0, groups: 0, zeroVariance: 0).validate()
        try grouped("a", n: 8, reward: 4, groups: nil, zeroVariance: nil).validate()
        for (groups, zeroVariance) in [(2, 3), (9, 0), (-1, 0), (2, -1)] as [(Int?, Int?)] + [(nil, 1)] {
            let r = grouped("a", n: 8, reward: 4, groups: groups, zeroVariance: zeroVariance)
            #expect(throws: ReportRejection.invalidGroupCounts(groups: groups, zeroVariance: zeroVariance, count: 8)) {
                try r.validate()
            }
        }
        #expect(ReportRejection.invalidGroupCounts(groups: 3, zeroVariance: 4, count: 8).code == "invalid_group_counts")
    }

    @Test func jsonKeysAreOptional() throws {
        let line = #"{"category":"a","n":8,"sum_abs_adv":1,"sum_sq_adv":1,"sum_reward":4,"version":0,"groups":2,"zero_variance_groups":1}"#
        let decoded = try JSONDecoder().decode(CategoryReport.self, from: Data(line.utf8))
        #expect(decoded.groups == 2 && decoded.zeroVarianceGroups == 1)
        #expect(decoded.informativeGroupFraction == 0.5)
        let old = #"{"category":"a","n":8,"sum_abs_adv":1,"sum_sq_adv":1,"sum_reward":4,"version":0}"#
        let plain = try JSONDecoder().decode(CategoryReport.self, from: Data(old.utf8))
        #expect(plain.groups == nil && plain.zeroVarianceGroups == nil && plain.informativeGroupFraction == nil)
        #expect(try roundTrip(decoded) == decoded)
    }

    @Test func informativeUsesTheMeasuredFractionWhenReportsHaveIt() throws {
        var policy = try GroupInformativePolicy(.init(groupSize: 4))
        // Pass rate 0.5 from prompts always or never solved: every group is zero-variance,
        // which the formula (0.875) cannot see.
        policy.merge(grouped("mixed", n: 8, reward: 4, groups: 2, zeroVariance: 2), weight: 1)
        policy.merge(grouped("even", n: 8, reward: 4, groups: 2, zeroVariance: 0), weight: 1)
        policy.merge(report("old", n: 4, abs: 1, reward: 3), weight: 1)  // no counts: 1 - 0.75^4 - 0.25^4
        #expect(policy.weights == [0, 1, 0.6796875])
        // 0 / 1 / 0.6796875 of 1.6796875 = 0, 256/430, 174/430.
        #expect(closeAll(policy.distribution().probabilities, [0, 256.0 / 430, 174.0 / 430]))
    }

    @Test func bandPassWeighsAdmittedCategoriesByInformativeGroups() throws {
        var policy = try BandPassPolicy(.init(low: 0.25, high: 0.75))
        policy.merge(grouped("a", n: 8, reward: 4, groups: 2, zeroVariance: 1), weight: 1)  // p 0.5, half informative
        policy.merge(grouped("b", n: 8, reward: 4, groups: 2, zeroVariance: 0), weight: 1)  // p 0.5, all informative
        policy.merge(report("c", n: 8, abs: 1, reward: 4), weight: 1)  // p 0.5, not counted: as the best, 1
        policy.merge(grouped("d", n: 8, reward: 8, groups: 2, zeroVariance: 2), weight: 1)  // p 1: not admitted
        // Weights 0.5, 1, 1, 0 of 2.5.
        #expect(closeAll(policy.distribution().probabilities, [0.2, 0.4, 0.4, 0]))
        // Every admitted category all zero-variance: equally likely again.
        var flat = try BandPassPolicy(.init(low: 0.25, high: 0.75))
        flat.merge(grouped("a", n: 8, reward: 4, groups: 2, zeroVariance: 2), weight: 1)
        flat.merge(grouped("b", n: 8, reward: 4, groups: 2, zeroVariance: 2), weight: 1)
        #expect(flat.distribution().probabilities == [0.5, 0.5])
    }

    @Test func theInformativeWindowKeepsTheLastSamples() throws {
        var policy = try GroupInformativePolicy(.init(groupSize: 4, window: 8))
        policy.merge(grouped("a", n: 8, reward: 4, groups: 2, zeroVariance: 2), weight: 1)  // fraction 0
        policy.merge(grouped("a", n: 4, reward: 2, groups: 1, zeroVariance: 0), weight: 1)  // fraction 1
        // The last 8 samples: 4 at fraction 0 and 4 at fraction 1.
        #expect(policy.weights == [0.5])
    }
}
