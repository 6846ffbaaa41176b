import CurriculumTestSupport
import Foundation
import Testing

@testable import CurriculumCLI

/// `curriculum status` against a running coordinator process.
@Suite(.timeLimit(.minutes(2)))
struct StatusCommandTests {
    /// A coordinator over loopback TCP (categories easy and hard) and one simulated worker.
    private func coordinatorWithWorker(
        _ id: String, steps: Int, seed: Int
    ) async throws -> (coordinator: CurriculumProcess, worker: CurriculumProcess, status: String) {
        let coordinator = try CurriculumProcess(
            ["coordinator", "--broadcast", "tcp://127.0.0.1:0", "--requests", "tcp://127.0.0.1:0",
             "--status", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0", "--categories", "easy,hard"],
            name: "coordinator")
        let endpoints = try RelayEndpoints(readyLine: try await coordinator.firstLine(timeout: .seconds(30)))
        let worker = try CurriculumProcess(
            ["worker", "--broadcast", endpoints.broadcast, "--requests", endpoints.requests, "--id", id,
             "--steps", "\(steps)", "--batch", "8", "--seed", "\(seed)"],
            name: "worker")
        return (coordinator, worker, try #require(endpoints.status))
    }

    @Test func statusPrintsThePolicyAndWorkersAsTextAndJSON() async throws {
        let (coordinator, worker, status) = try await coordinatorWithWorker("solo", steps: 40, seed: 3)
        let summary = try Summary.parse(await worker.outputAfterExit(timeout: .seconds(60)))
        #expect(summary.reports == 40)

        // Status is published once a second; the worker's leave shows within two.
        var json: [String: Any] = [:]
        let sawLeave = await eventually(within: .seconds(20)) {
            guard let output = try? await CurriculumProcess(
                ["status", "--coordinator", status, "--json"], name: "status"
            ).outputAfterExit(timeout: .seconds(15)),
                let object = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            else { return false }
            json = object
            let workers = object["workers"] as? [[String: Any]] ?? []
            return workers.first?["state"] as? String == "left"
        }
        #expect(sawLeave)
        #expect(json["reports_accepted"] as? String == "40")
        let policy = try #require(json["policy"] as? [String: Any])
        let categories = try #require(policy["categories"] as? [String])
        #expect(categories.starts(with: ["easy", "hard"]))
        #expect((policy["probabilities"] as? [Double])?.count == categories.count)

        let text = try await CurriculumProcess(["status", "--coordinator", status], name: "status")
            .outputAfterExit(timeout: .seconds(15))
        #expect(text.hasPrefix("policy sec  version "))
        #expect(text.contains("solo#"))
        #expect(text.contains("left"))

        coordinator.signal(SIGTERM)
        try await coordinator.waitForExit(timeout: .seconds(10))
    }

    @Test func watchRedrawsTheViewInPlaceAtEveryStatus() async throws {
        let (coordinator, worker, status) = try await coordinatorWithWorker("watched", steps: 100_000, seed: 5)
        defer { worker.signal(SIGTERM) }
        // The worker known to the coordinator first, so that every view lists it.
        #expect(await eventually(within: .seconds(30)) {
            let output = try? await CurriculumProcess(
                ["status", "--coordinator", status, "--json"], name: "status"
            ).outputAfterExit(timeout: .seconds(15))
            return output?.contains("\"reports_accepted\"") == true
        })

        let output = try await CurriculumProcess(
            ["status", "--coordinator", status, "--watch", "--count", "3"], name: "status watch"
        ).outputAfterExit(timeout: .seconds(30))
        // Three views, each drawn over the last from the top of the screen, each from a newer
        // status: the coordinator's uptime grows from one to the next. (Not the version: a
        // worker starved of CPU for two seconds on a loaded machine leaves it unchanged.)
        let views = output.components(separatedBy: "\u{1B}[H\u{1B}[J").dropFirst()
        #expect(views.count == 3)
        let uptimes = views.compactMap { view in
            view.split(separator: " ").drop { $0 != "uptime" }.dropFirst().first.flatMap { Double($0.dropLast()) }
        }
        #expect(uptimes.count == 3)
        #expect(zip(uptimes, uptimes.dropFirst()).allSatisfy { $0 < $1 }, "uptimes \(uptimes)")
        #expect(views.allSatisfy { $0.contains("version ") && $0.contains("watched#") && $0.contains("(Ctrl-C to stop)") })

        coordinator.signal(SIGTERM)
        try await coordinator.waitForExit(timeout: .seconds(10))
    }

    @Test func statusNamesTheCoordinatorItCouldNotReach() async throws {
        let status = try CurriculumProcess(
            ["status", "--coordinator", "tcp://127.0.0.1:1", "--timeout", "0.5"], name: "status", captureStandardError: true)
        let output = try await status.outputAfterExit(timeout: .seconds(15))
        #expect(status.process.terminationStatus != 0)
        #expect(output.contains("no status from tcp://127.0.0.1:1 within 0.5 s"))
    }
}
