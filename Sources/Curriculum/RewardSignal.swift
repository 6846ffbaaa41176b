/// Turns a report into the scalar reward of a ``RewardObjective``, keeping the per-arm
/// memory the "progress" objective needs.
///
/// "Previous update" is read as *the previous training step (policy version) that had
/// samples of the category*: all reports drawn under version v are compared with the mean
/// reward of that category over every report of the latest earlier version. Comparing with
/// the previous *report* instead would make the reward depend on how many workers split a
/// step (two halves of one step would be compared with each other). A report older than the
/// step being accumulated is compared with the same baseline but does not enter it.
/// The first step of a category has no baseline and yields 0.
struct RewardSignal: Sendable, Codable {
    let objective: RewardObjective
    private var stepVersion: [Int] = []
    private var stepCount: [Int] = []
    private var stepRewardSum: [Double] = []
    private var baseline: [Double] = []
    private var hasBaseline: [Bool] = []

    init(objective: RewardObjective) {
        self.objective = objective
    }

    mutating func appendArm() {
        guard objective == .progress else { return }
        stepVersion.append(.min)
        stepCount.append(0)
        stepRewardSum.append(0)
        baseline.append(0)
        hasBaseline.append(false)
    }

    /// The reward of a report with at least one sample, for arm `arm`.
    @inline(__always) mutating func reward(for report: CategoryReport, arm: Int) -> Double {
        switch objective {
        case .advantage:
            return report.meanAbsAdvantage
        case .progress:
            if report.version > stepVersion[arm] {
                if stepCount[arm] > 0 {
                    baseline[arm] = stepRewardSum[arm] / Double(stepCount[arm])
                    hasBaseline[arm] = true
                }
                stepVersion[arm] = report.version
                stepCount[arm] = 0
                stepRewardSum[arm] = 0
            }
            if report.version == stepVersion[arm] {
                stepCount[arm] += report.count
                stepRewardSum[arm] += report.sumReward
            }
            return hasBaseline[arm] ? report.meanReward - baseline[arm] : 0
        }
    }
}
