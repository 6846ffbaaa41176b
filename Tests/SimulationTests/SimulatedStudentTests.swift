import Curriculum
import Simulation
import Testing

@Suite struct SimulatedStudentTests {
    @Test func successProbabilitiesStayInTheUnitInterval() {
        var student = SimulatedStudent()
        var random = Xoshiro256StarStar(seed: 7)
        // Train hard on random categories, far past mastery, checking every category each step.
        for _ in 0..<400 {
            let batch = student.categories.shuffled(using: &random).prefix(4).compactMap {
                student.rollOut(category: $0, prompts: 16, using: &random)
            }
            student.train(on: batch)
            for c in student.categories.indices {
                let p = student.successProbability(c)
                #expect(p >= 0 && p <= 1 && p.isFinite)
            }
        }
        for accuracy in student.accuracyByLevel + [student.meanAccuracy] {
            #expect(accuracy >= 0 && accuracy <= 1)
        }
    }

    @Test func groupAdvantagesHaveZeroMean() {
        var random = Xoshiro256StarStar(seed: 11)
        for groupSize in [1, 2, 8, 16] {
            for _ in 0..<200 {
                let rewards = (0..<groupSize).map { _ in Double(random.next() % 2) }
                let advantages = GRPO.advantages(rewards)
                #expect(advantages.count == groupSize)
                #expect(abs(advantages.reduce(0, +)) < 1e-9)
            }
        }
        // A group that agrees carries no signal.
        #expect(GRPO.advantages([1, 1, 1, 1]) == [0, 0, 0, 0])
        #expect(GRPO.advantages([0, 0, 0]) == [0, 0, 0])
    }

    @Test func reportedStatisticsMatchPerGroupZeroMeanAdvantages() {
        // Binary rewards with GRPO normalisation: within a mixed group of G, |A| sums to
        // 2 G sqrt(p(1-p)), so a rollout's mean |A| is at most 1 and exactly 0 when every
        // group agrees.
        let student = SimulatedStudent()
        var random = Xoshiro256StarStar(seed: 3)
        for category in student.categories {
            let statistics = student.rollOut(category: category, prompts: 64, using: &random)!
            #expect(statistics.count == 64 * student.configuration.groupSize)
            #expect(statistics.meanAbsAdvantage >= 0 && statistics.meanAbsAdvantage <= 1 + 1e-9)
            #expect(statistics.sumReward >= 0 && statistics.sumReward <= Double(statistics.count))
        }
    }

    @Test func rolloutsAndTrainingAreDeterministicPerSeed() {
        func run(seed: UInt64) -> (SimulatedStudent, [RolloutStatistics]) {
            var student = SimulatedStudent()
            var random = Xoshiro256StarStar(seed: seed)
            var all: [RolloutStatistics] = []
            for step in 0..<50 {
                let batch = student.categories.enumerated().compactMap { c, name in
                    student.rollOut(category: name, prompts: (c + step) % 5, using: &random)
                }
                all += batch
                student.train(on: batch)
            }
            return (student, all)
        }
        let (first, firstStatistics) = run(seed: 42)
        let (second, secondStatistics) = run(seed: 42)
        let (other, otherStatistics) = run(seed: 43)
        #expect(first == second)
        #expect(firstStatistics == secondStatistics)
        #expect(firstStatistics != otherStatistics)
        #expect(first.skill != other.skill)
    }

    @Test func tooEasyAndTooHardCategoriesGiveLittleSignal() {
        let student = SimulatedStudent()
        var random = Xoshiro256StarStar(seed: 5)
        let levels = student.configuration.levels
        let signal = (0..<levels).map { level in
            student.rollOut(category: "arith/\(level)", prompts: 512, using: &random)!.meanAbsAdvantage
        }
        // At the start, the hardest level is out of reach: almost every group fails.
        #expect(signal[levels - 1] < 0.05)
        #expect(signal[0] > 0.5)
        // Mastered: nearly every group succeeds, so again almost no signal.
        var trained = student
        for _ in 0..<300 {
            trained.train(on: [trained.rollOut(category: "arith/0", prompts: 64, using: &random)!])
        }
        #expect(trained.successProbability(0) > 0.95)
        #expect(trained.rollOut(category: "arith/0", prompts: 512, using: &random)!.meanAbsAdvantage < 0.3)
    }

    @Test func theZoneOfProximalDevelopmentMovesUp() {
        // The level with the most signal is the easiest at first and a harder one once the
        // student has learnt.
        var student = SimulatedStudent()
        var random = Xoshiro256StarStar(seed: 9)
        func bestLevel() -> Int {
            let levels = student.configuration.levels
            let signal = (0..<levels).map { level in
                student.rollOut(category: "logic/\(level)", prompts: 512, using: &random)!.meanAbsAdvantage
            }
            return signal.indices.max { signal[$0] < signal[$1] }!
        }
        let before = bestLevel()
        for _ in 0..<150 {
            let batch = student.categories.compactMap { student.rollOut(category: $0, prompts: 8, using: &random) }
            student.train(on: batch)
        }
        #expect(bestLevel() > before)
    }

    @Test func transferIsLargerDownwardThanUpward() {
        var student = SimulatedStudent()
        let middle = student.categoryIndex("code/2")!
        let skill = student.skill
        var random = Xoshiro256StarStar(seed: 1)
        student.train(on: [student.rollOut(category: "code/2", prompts: 64, using: &random)!])
        let gainBelow = student.skill[middle - 1] - skill[middle - 1]
        let gainAbove = student.skill[middle + 1] - skill[middle + 1]
        #expect(student.skill[middle] > skill[middle])
        #expect(gainBelow > gainAbove && gainAbove > 0)
    }

    @Test func untrainedSkillIsForgotten() {
        var student = SimulatedStudent()
        var random = Xoshiro256StarStar(seed: 2)
        for _ in 0..<30 { student.train(on: [student.rollOut(category: "arith/0", prompts: 64, using: &random)!]) }
        let learnt = student.skill[0]
        for _ in 0..<100 { student.train(on: []) }
        #expect(student.skill[0] < learnt)
        #expect(student.skill[0] > student.configuration.initialSkill)
    }
}
