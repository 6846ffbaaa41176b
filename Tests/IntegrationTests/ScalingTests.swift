import CurriculumTestSupport
import CurriculumWire
import Foundation
import Testing

@testable import CurriculumCLI

extension MultiProcessSuites {
    /// A coordinator process with worker processes joining, leaving and crashing while
    /// reports flow, over loopback TCP.
    @Suite(.serialized, .timeLimit(.minutes(3)))
    struct ScalingTests {
        static let publishIntervalMs = 100
        /// How late a policy broadcast may be beyond its cadence. What this guards against is a
        /// stall (the coordinator blocked, its broadcast queue backed up), which lasts seconds;
        /// scheduling alone on a loaded 2-core machine has delayed one to 1.0 s (seen with
        /// builds running beside the suite), so the bound leaves room for that and no more.
        static let publishGapBound: Duration = .milliseconds(2_900)

        func startWorker(_ index: Int, broadcast: String, requests: String) throws -> CurriculumProcess {
            try CurriculumProcess(
                ["worker", "--broadcast", broadcast, "--requests", requests, "--id", "w\(index)",
                 "--batch", "16", "--step-delay-ms", "10", "--seed", "\(index + 1)", "--share", "0.125",
                 "--log-level", "debug"],
                name: "worker w\(index)")
        }

        @Test func scalingTwoToEightToThreeWithACrashLosesAndDoubleCountsNothing() async throws {
            let coordinator = try CurriculumProcess(
                ["coordinator", "--broadcast", "tcp://127.0.0.1:0", "--requests", "tcp://127.0.0.1:0",
                 "--status", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0",
                 "--publish-interval-ms", "\(Self.publishIntervalMs)", "--lease-ms", "1500", "--heartbeat-ms", "250"],
                name: "coordinator")
            let line = try await coordinator.firstLine(timeout: .seconds(30))
            let endpoints = try RelayEndpoints(readyLine: line)
            let (broadcast, requests) = endpoints.urls
            let monitor = try endpoints.monitor()
            defer { monitor.stop() }

            func active() -> Set<String> {
                Set(monitor.memberStates.filter { $0.value == "active" }.keys)
            }
            func names(_ range: Range<Int>) -> Set<String> { Set(range.map { "w\($0)" }) }

            var workers: [Int: CurriculumProcess] = [:]
            for index in 0..<2 { workers[index] = try startWorker(index, broadcast: broadcast, requests: requests) }
            #expect(await eventually(within: .seconds(30)) { active() == names(0..<2) })

            for index in 2..<8 { workers[index] = try startWorker(index, broadcast: broadcast, requests: requests) }
            #expect(await eventually(within: .seconds(30)) { active() == names(0..<8) })
            // Let reports flow from all eight.
            #expect(await eventually(within: .seconds(30)) {
                (monitor.status?.workers ?? []).filter { $0.state == "active" && $0.reportsAccepted >= 20 }.count == 8
            })

            workers[7]!.signal(SIGKILL)
            var summaries: [String: Summary] = [:]
            for index in 3..<7 { workers[index]!.signal(SIGTERM) }
            for index in 3..<7 {
                summaries["w\(index)"] = try Summary.parse(await workers[index]!.outputAfterExit(timeout: .seconds(60)))
            }
            #expect(await eventually(within: .seconds(30)) {
                let states = monitor.memberStates
                return active() == names(0..<3) && names(3..<7).allSatisfy { states[$0] == "left" } && states["w7"] == "lost"
            }, "\(monitor.memberStates)")

            for index in 0..<3 { workers[index]!.signal(SIGTERM) }
            for index in 0..<3 {
                summaries["w\(index)"] = try Summary.parse(await workers[index]!.outputAfterExit(timeout: .seconds(60)))
            }
            #expect(await eventually(within: .seconds(10)) { monitor.memberStates.values.filter { $0 == "left" }.count == 7 })
            // One more status, taken after every drained worker's leave.
            let acceptedBefore = monitor.status?.uptimeMs ?? 0
            #expect(await eventually(within: .seconds(10)) { (monitor.status?.uptimeMs ?? 0) > acceptedBefore })
            let status = try #require(monitor.status)

            // Every drained worker's reports were merged exactly once: the coordinator's
            // per-worker counts equal what each worker produced, to the sample.
            let byWorker = Dictionary(grouping: status.workers, by: { $0.worker.workerID })
            for (worker, summary) in summaries {
                let entry = try #require(byWorker[worker]?.first)
                #expect(summary.abandoned == 0)
                #expect(summary.acknowledged == summary.reports)
                #expect(entry.reportsAccepted == summary.reports, "\(worker)")
                #expect(entry.samplesAccepted == summary.samples, "\(worker)")
            }
            // The killed worker's accepted reports are in the totals once, like everyone's:
            // per-worker and per-category accounting agree exactly.
            let samplesByWorker = status.workers.reduce(0) { $0 + $1.samplesAccepted }
            let samplesByCategory = status.totals.reduce(0) { $0 + $1.count }
            #expect(samplesByWorker == samplesByCategory)
            #expect(status.workers.reduce(0) { $0 + $1.reportsAccepted } == status.reportsAccepted)
            #expect(status.reportsRejected == 0)
            #expect(status.malformedMessages == 0)

            // Policies flowed the whole time, versions only moving forward.
            let versions = monitor.versions
            #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 <= $1 })
            #expect(monitor.longestPolicyGap <= .milliseconds(Self.publishIntervalMs) + Self.publishGapBound,
                    "longest gap \(monitor.longestPolicyGap)")
            coordinator.signal(SIGTERM)
            try await coordinator.waitForExit(timeout: .seconds(10))
        }
    }
}
