import CurriculumTestSupport
import CurriculumWire
import Foundation
import Testing

@testable import CurriculumCLI

extension MultiProcessSuites {
    /// The coordinator process is killed with SIGKILL under continuous load and restarted
    /// from its state directory; a worker is killed and restarted under the same id. Nothing
    /// acknowledged is lost, nothing is counted twice, and the policy version never goes back.
    @Suite(.serialized, .timeLimit(.minutes(4)))
    struct CrashRecoveryTests {
        let directory: URL
        let broadcast: String
        let requests: String
        let status: String
        let reports: String

        init() throws {
            directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-crash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // ipc endpoints keep their addresses across coordinator restarts.
            broadcast = "ipc://\(directory.path)/broadcast"
            requests = "ipc://\(directory.path)/requests"
            status = "ipc://\(directory.path)/status"
            reports = "ipc://\(directory.path)/reports"
        }

        func startCoordinator() async throws -> (CurriculumProcess, version: UInt64) {
            let process = try CurriculumProcess(
                ["coordinator", "--broadcast", broadcast, "--requests", requests, "--status", status, "--reports", reports, "--state", directory.path + "/state",
                 "--publish-interval-ms", "100", "--lease-ms", "3000", "--heartbeat-ms", "250", "--log-level", "debug"],
                name: "coordinator")
            let line = try await process.firstLine(timeout: .seconds(30))
            let version = line.split(separator: " ").first { $0.hasPrefix("version=") }.flatMap { UInt64($0.dropFirst(8)) }
            return (process, try #require(version, "no version in \(line)"))
        }

        func startWorker(_ id: String, seed: Int) throws -> CurriculumProcess {
            try CurriculumProcess(
                ["worker", "--broadcast", broadcast, "--requests", requests, "--id", id, "--batch", "16",
                 "--step-delay-ms", "5", "--seed", "\(seed)", "--share", "0.25", "--log-level", "debug"],
                name: "worker \(id)")
        }

        /// Waits until every named worker's active incarnation has at least `count` more
        /// accepted reports than `baseline`.
        func reportsFlow(
            _ monitor: StatusMonitor, _ ids: [String], beyond baseline: [String: UInt64] = [:], by count: UInt64 = 30
        ) async -> Bool {
            await eventually(within: .seconds(60)) {
                let active = (monitor.status?.workers ?? []).filter { $0.state == "active" }
                return ids.allSatisfy { id in
                    active.contains { $0.worker.workerID == id && $0.reportsAccepted >= (baseline[id] ?? 0) + count }
                }
            }
        }

        func accepted(_ monitor: StatusMonitor) -> [String: UInt64] {
            (monitor.status?.workers ?? []).filter { $0.state == "active" }.reduce(into: [:]) {
                $0[$1.worker.workerID] = $1.reportsAccepted
            }
        }

        @Test func coordinatorKilledTwiceAndWorkerRestartedLoseAndDoubleCountNothing() async throws {
            defer { try? FileManager.default.removeItem(at: directory) }
            var (coordinator, startVersion) = try await startCoordinator()
            #expect(startVersion == 0)
            let monitor = try StatusMonitor(broadcastURL: broadcast, statusURL: status)
            defer { monitor.stop() }

            let ids = ["w0", "w1", "w2"]
            var workers = try Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, try startWorker($1, seed: $0 + 1)) })
            #expect(await reportsFlow(monitor, ids))

            var restarts: [(before: UInt64, after: UInt64)] = []
            for _ in 0..<2 {
                let baseline = accepted(monitor)
                let newestSeen = monitor.versions.max() ?? 0
                coordinator.signal(SIGKILL)
                try await coordinator.waitForExit(timeout: .seconds(10))
                (coordinator, startVersion) = try await startCoordinator()
                restarts.append((newestSeen, startVersion))
                // Every version anyone saw was durable before it was sent.
                #expect(startVersion >= newestSeen)
                // The workers reconnect and rejoin by themselves; reports flow again.
                #expect(await reportsFlow(monitor, ids, beyond: baseline), "\(monitor.memberStates)")
            }

            // A worker dies and comes back under the same id: a new incarnation, numbered from 1.
            workers["w2"]!.signal(SIGKILL)
            try await workers["w2"]!.waitForExit(timeout: .seconds(10))
            workers["w2"] = try startWorker("w2", seed: 99)
            #expect(await eventually(within: .seconds(30)) {
                (monitor.status?.workers ?? []).contains { $0.worker.workerID == "w2" && $0.state == "replaced" }
            })
            #expect(await reportsFlow(monitor, ["w2"], beyond: [:], by: 30))

            var summaries: [String: Summary] = [:]
            for id in ids { workers[id]!.signal(SIGTERM) }
            for id in ids {
                let output = try await workers[id]!.outputAfterExit(timeout: .seconds(60))
                summaries[id] = try #require(try? Summary.parse(output), "\(id): \(workers[id]!.lastLogLines(30))")
            }
            let drained = Set(summaries.values.map(\.worker))
            #expect(await eventually(within: .seconds(15)) {
                let left = (monitor.status?.workers ?? []).filter { $0.state == "left" }
                return drained.isSubset(of: left.map { "\($0.worker.workerID)#\($0.worker.incarnation)" })
            }, "\(monitor.memberStates)")
            let uptime = monitor.status?.uptimeMs ?? 0
            #expect(await eventually(within: .seconds(10)) { (monitor.status?.uptimeMs ?? 0) > uptime })
            let status = try #require(monitor.status)

            // Each drained incarnation's reports are in the coordinator exactly once, to the
            // sample, across two coordinator crashes.
            for (id, summary) in summaries {
                let incarnation = try #require(
                    status.workers.first { "\($0.worker.workerID)#\($0.worker.incarnation)" == summary.worker }, "\(id)")
                #expect(summary.abandoned == 0)
                #expect(summary.acknowledged == summary.reports, "\(id)")
                #expect(incarnation.reportsAccepted == summary.reports, "\(id)")
                #expect(incarnation.samplesAccepted == summary.samples, "\(id)")
            }
            // The killed incarnation's merged reports count once, like everyone's: per-worker
            // and per-category accounting agree exactly.
            let samplesByWorker = status.workers.reduce(0) { $0 + $1.samplesAccepted }
            let samplesByCategory = status.totals.reduce(0) { $0 + $1.count }
            #expect(samplesByWorker == samplesByCategory)
            #expect(status.workers.count == 4)
            #expect(status.reportsRejected == 0)
            let versions = monitor.versions
            #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 <= $1 })

            let produced = summaries.values.reduce(0) { $0 + $1.reports }
            print("crash recovery: 2 coordinator SIGKILLs (versions seen -> resumed: "
                + restarts.map { "\($0.before)->\($0.after)" }.joined(separator: ", ")
                + "), 1 worker SIGKILL + restart; drained workers produced \(produced) reports, "
                + "all merged once; lost 0, double-counted 0")
            coordinator.signal(SIGTERM)
            try await coordinator.waitForExit(timeout: .seconds(10))
        }
    }
}

extension MultiProcessSuites {
    /// `curriculum snapshot export/import/show`: a curriculum saved beside a trainer
    /// checkpoint comes back in a fresh state directory at the same version and values.
    @Suite(.timeLimit(.minutes(2)))
    struct SnapshotCommandTests {
        @Test func anExportedCurriculumResumesInAnotherStateDirectory() async throws {
            let directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-snap-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let broadcast = "ipc://\(directory.path)/broadcast"
            let requests = "ipc://\(directory.path)/requests"
            let status = "ipc://\(directory.path)/status"
            let reports = "ipc://\(directory.path)/reports"
            let original = directory.path + "/state"

            let coordinator = try CurriculumProcess(
                ["coordinator", "--broadcast", broadcast, "--requests", requests, "--status", status, "--reports", reports, "--state", original,
                 "--publish-interval-ms", "50"], name: "coordinator")
            _ = try await coordinator.firstLine(timeout: .seconds(30))
            let worker = try CurriculumProcess(
                ["worker", "--broadcast", broadcast, "--requests", requests, "--id", "w", "--steps", "40",
                 "--batch", "16", "--seed", "3"], name: "worker")
            let summary = try Summary.parse(await worker.outputAfterExit(timeout: .seconds(60)))
            #expect(summary.acknowledged == 40)

            let file = directory.path + "/curriculum-step-40.json"
            let export = try CurriculumProcess(
                ["snapshot", "export", "--state", original, "--trainer-step", "40", "--output", file], name: "export")
            try await export.waitForExit(timeout: .seconds(30))
            #expect(export.process.terminationStatus == 0)
            coordinator.signal(SIGTERM)
            try await coordinator.waitForExit(timeout: .seconds(10))

            let imported = directory.path + "/imported"
            let importing = try CurriculumProcess(["snapshot", "import", file, "--state", imported], name: "import")
            let importLine = try await importing.outputAfterExit(timeout: .seconds(30))
            #expect(importLine.contains("(trainer step 40)"), "\(importLine)")

            let showOriginal = try CurriculumProcess(["snapshot", "show", original], name: "show")
            let showImported = try CurriculumProcess(["snapshot", "show", imported], name: "show")
            let before = try await showOriginal.outputAfterExit(timeout: .seconds(30))
            let after = try await showImported.outputAfterExit(timeout: .seconds(30))
            // Same version, per-category probabilities, values and sample counts, and the
            // worker's ledger; only the trainer step label differs.
            #expect(after.replacingOccurrences(of: ", trainer step 40", with: "") == before, "\(before)\n---\n\(after)")
            #expect(before.contains("40 reports"), "\(before)")

            let resumed = try CurriculumProcess(
                ["coordinator", "--broadcast", broadcast, "--requests", requests, "--status", status, "--reports", reports, "--state", imported], name: "resumed")
            let line = try await resumed.firstLine(timeout: .seconds(30))
            let version = before.split(separator: "\n").first.flatMap { $0.split(separator: " ").last }.map(String.init)
            #expect(line.hasSuffix("version=\(version ?? "?")"), "\(line) vs \(before)")
            resumed.signal(SIGTERM)
            try await resumed.waitForExit(timeout: .seconds(10))
        }
    }
}
