import Curriculum
import Demo
import Simulation
import Testing

@Suite struct DemoTests {
    @Test(.timeLimit(.minutes(1)))
    func aShortDemoRunTrainsOverNNG() async throws {
        let configuration = RunConfiguration(
            curriculum: .policy(.sec(.init(alpha: 0.5, tau: 0.2))), workers: 2, steps: 12, promptsPerStep: 32, seed: 1)
        let result = try await SimulationRun.run(configuration)
        #expect(result.records.map(\.step) == Array(1...12))
        // Synchronous: one policy version per step, every report merged on time.
        #expect(result.finalPolicyVersion == 12)
        #expect(result.reportsAccepted == 24)
        #expect(result.reportsRejected == 0)
        #expect(result.records.allSatisfy { $0.meanStaleness == 0 })
        for record in result.records {
            #expect(abs(record.probabilities.reduce(0, +) - 1) < 1e-9)
        }
        #expect(result.finalMeanAccuracy > result.records[0].meanAccuracy)
    }

    @Test(.timeLimit(.minutes(1)))
    func theComparisonCoversEveryCurriculumAndRendersAReport() async throws {
        let base = RunConfiguration(curriculum: .easyToHard, workers: 2, steps: 10, promptsPerStep: 16, transport: .tcp)
        let summaries = try await Comparison.run(
            curricula: [.policy(.uniform), .easyToHard], base: base, seeds: 1)
        #expect(summaries.map(\.curriculum) == ["random", "easy-to-hard"])
        // The schedule's first phase draws only the easiest level.
        let first = summaries[1].runs[0].records[0].probabilities
        #expect(first.enumerated().allSatisfy { $0.offset % 5 == 0 ? $0.element > 0 : $0.element == 0 })
        let table = ComparisonTable.text(summaries)
        #expect(table.contains("random") && table.contains("easy-to-hard"))
        let html = HTMLReport(summaries: summaries, student: base.student, settings: []).render()
        #expect(html.contains("<svg") && !html.contains("<script"))
    }

    @Test(.timeLimit(.minutes(1)))
    func theNewerPoliciesRunOverNNGAndShowInTheReport() async throws {
        let base = RunConfiguration(curriculum: .easyToHard, workers: 2, steps: 10, promptsPerStep: 16)
        let curricula = CurriculumChoice.newerPolicies(student: base.student, steps: 10)
        let summaries = try await Comparison.run(curricula: curricula, base: base, seeds: 1)
        #expect(summaries.map(\.curriculum) == [
            "learnability", "informative", "bandpass", "thompson floor 0.01", "schedule",
        ])
        // Thompson's 1% floor holds in every step's distribution.
        #expect(summaries[3].runs[0].records.allSatisfy { $0.probabilities.allSatisfy { $0 >= 0.01 - 1e-12 } })
        // The schedule moves its weight from the easiest level to the hardest. (Not the first
        // knot exactly: under load a step's rollouts may be drawn after the coordinator has
        // already moved past version 0 toward the next knot.)
        let records = summaries[4].runs[0].records
        let levels = base.student.levels
        func mass(_ probabilities: [Double], level: Int) -> Double {
            probabilities.enumerated().filter { $0.offset % levels == level }.map(\.element).reduce(0, +)
        }
        let first = records.first!.probabilities, last = records.last!.probabilities
        #expect(mass(first, level: 0) > mass(last, level: 0))
        #expect(mass(last, level: levels - 1) > mass(first, level: levels - 1))
        let table = ComparisonTable.text(summaries)
        let html = HTMLReport(summaries: summaries, student: base.student, settings: []).render()
        for name in ["learnability", "informative", "bandpass", "thompson", "schedule"] {
            #expect(table.contains(name) && html.contains(name))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func rolloutTimeGrowingWithDifficultyStillMergesEverySampleWithoutABound() async throws {
        let configuration = RunConfiguration(
            curriculum: .policy(.sec(.init(alpha: 0.5, tau: 0.2))), workers: 4, steps: 12, promptsPerStep: 32,
            mode: .asynchronous, seed: 3, generationDelay: .microseconds(200), rolloutTimeGrowth: 2)
        let result = try await SimulationRun.run(configuration)
        #expect(result.reportsRejected == 0)
        #expect(result.mergedSamples == result.reportedSamples)
        // Every batch is one category's 8 prompts x 8 responses: 64 samples.
        #expect(result.reportedSamples.allSatisfy { $0 % 64 == 0 })
        #expect(result.reportedSamples.reduce(0, +) >= 12 * 32 * 8)
        #expect(result.rejectedFractionByLevel == [0, 0, 0, 0, 0])
        #expect(abs(result.mergedShareByLevel.reduce(0, +) - 1) < 1e-12)
    }

    @Test func easyToHardVisitsEachLevelInOrder() {
        let schedule = EasyToHardSchedule(levels: 5, domains: 3, steps: 200)
        #expect((0..<200).map(schedule.level(atStep:)) == (0..<5).flatMap { Array(repeating: $0, count: 40) })
        #expect(abs(schedule.probabilities(atStep: 199).reduce(0, +) - 1) < 1e-12)
    }
}
