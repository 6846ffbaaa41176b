import Curriculum
import Foundation
import Testing

@Suite struct ReportValidationTests {
    @Test func aValidReportPasses() throws {
        try report("easy", n: 4, abs: 2, sq: 1.5, reward: 3, share: 0.25).validate()
        try report("easy", n: 0, abs: 0, sq: 0, reward: 0).validate()
    }

    @Test func eachDefectHasItsOwnError() {
        let base = report("easy", n: 4, abs: 2, sq: 1.5, reward: 3)
        func rejection(_ change: (inout CategoryReport) -> Void) -> ReportRejection? {
            var r = base
            change(&r)
            do {
                try r.validate()
                return nil
            } catch {
                return error
            }
        }
        #expect(rejection { $0.category = "" } == .emptyCategory)
        #expect(rejection { $0.count = -1 } == .negativeCount(-1))
        #expect(rejection { $0.sumAbsAdvantage = .nan }?.code == "non_finite_value")
        #expect(
            rejection { $0.sumSquaredAdvantage = .infinity }
                == .nonFiniteValue(field: .sumSquaredAdvantage, value: .infinity))
        #expect(rejection { $0.sumReward = -.infinity } == .nonFiniteValue(field: .sumReward, value: -.infinity))
        #expect(rejection { $0.share = .nan }?.code == "non_finite_value")
        #expect(rejection { $0.sumAbsAdvantage = -0.5 } == .negativeSum(field: .sumAbsAdvantage, value: -0.5))
        #expect(rejection { $0.sumSquaredAdvantage = -1 } == .negativeSum(field: .sumSquaredAdvantage, value: -1))
        #expect(
            rejection {
                $0.count = 0
                $0.sumSquaredAdvantage = 0
                $0.sumReward = 0
            } == .sumsWithoutSamples(field: .sumAbsAdvantage, value: 2))
        #expect(
            rejection {
                $0.count = 0
                $0.sumAbsAdvantage = 0
                $0.sumSquaredAdvantage = 0
            } == .sumsWithoutSamples(field: .sumReward, value: 3))
        #expect(rejection { $0.share = 0 } == .shareOutOfRange(0))
        #expect(rejection { $0.share = 1.5 } == .shareOutOfRange(1.5))
        #expect(rejection { $0.share = -0.2 } == .shareOutOfRange(-0.2))
    }

    @Test func descriptionsNameTheValue() {
        #expect(ReportRejection.shareOutOfRange(1.5).description == "share = 1.5 is outside (0, 1]")
        #expect(ReportRejection.tooStale(staleness: 9, maximum: 4).description == "staleness 9 exceeds the maximum 4")
        #expect(
            ReportRejection.nonFiniteValue(field: .sumReward, value: .nan).description
                == "sum_reward = nan is not a finite number")
    }

    @Test func engineRejectsWithoutChangingState() throws {
        var c = try Curriculum(policy: .sec(.init()))
        try c.apply(report("a", n: 2, abs: 1))
        let before = c.distribution()
        #expect(throws: ReportRejection.negativeCount(-2)) { try c.apply(report("b", n: -2, abs: 0)) }
        #expect(throws: ReportRejection.emptyCategory) { try c.apply(report("", n: 2, abs: 1)) }
        #expect(c.distribution() == before)
        #expect(c.totals(for: "b") == nil)
        #expect(c.totals(for: "a")?.reports == 1)
    }

    @Test func jsonKeysAndDefaultShare() throws {
        let line = #"{"category":"easy","n":64,"sum_abs_adv":20.5,"sum_sq_adv":9,"sum_reward":30,"version":3}"#
        let r = try JSONDecoder().decode(CategoryReport.self, from: Data(line.utf8))
        #expect(r == CategoryReport(category: "easy", count: 64, sumAbsAdvantage: 20.5, sumSquaredAdvantage: 9,
                                    sumReward: 30, version: 3, share: 1))
        #expect(try roundTrip(r) == r)
    }
}
