import Testing
import WorkerAgent

@Suite struct AdvantageStatisticsTests {
    @Test func groupedRewardsCountGroupsAndZeroVarianceOnes() {
        // Three groups of G = 4: mixed, all solved, all failed.
        let rewards: [[Double]] = [[1, 0, 1, 0], [1, 1, 1, 1], [0, 0, 0, 0]]
        let advantages: [Double] = [1, -1, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0]
        let statistics = AdvantageStatistics(category: "math", advantages: advantages, groupedRewards: rewards)
        #expect(statistics.count == 12)
        #expect(statistics.sumReward == 6)
        #expect(statistics.sumAbsAdvantage == 4)
        #expect(statistics.groups == 3)
        #expect(statistics.zeroVarianceGroups == 2)
    }

    @Test func ungroupedStatisticsSendNoCounts() {
        let statistics = AdvantageStatistics(category: "math", advantages: [0.5, -0.5], rewards: [1, 0])
        #expect(statistics.groups == nil && statistics.zeroVarianceGroups == nil)
    }
}
