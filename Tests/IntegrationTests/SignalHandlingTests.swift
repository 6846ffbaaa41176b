import CurriculumTestSupport
import Foundation
import Testing

@testable import CurriculumCLI

/// What signals do to a running coordinator: SIGTERM and SIGINT stop it gracefully however
/// early they come (scripts stop it as soon as it says it is ready), SIGHUP reloads its keys.
@Suite(.timeLimit(.minutes(2)))
struct SignalHandlingTests {
    @Test func aCoordinatorSignalledTheMomentItIsReadyStopsAndSavesItsState() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-signal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for round in 0..<10 {
            let state = directory.path + "/state-\(round)"
            let coordinator = try CurriculumProcess(
                ["coordinator", "--broadcast", "ipc://\(directory.path)/broadcast-\(round)",
                 "--requests", "ipc://\(directory.path)/requests-\(round)",
                 "--status", "ipc://\(directory.path)/status-\(round)",
                 "--reports", "ipc://\(directory.path)/reports-\(round)", "--state", state],
                name: "coordinator")
            _ = try await coordinator.firstLine(timeout: .seconds(30))
            coordinator.signal(round.isMultiple(of: 2) ? SIGTERM : SIGINT)
            // A generous deadline: alone it exits within 70 ms (25 rounds with both cores busy),
            // but once, with the whole suite fsyncing beside it, a coordinator that had logged
            // "stopped" took over 10 s to be gone.
            try await coordinator.waitForExit(timeout: .seconds(30))
            #expect(coordinator.process.terminationStatus == 0, "round \(round): \(coordinator.lastLogLines())")
            // A clean stop folds the journal into a snapshot.
            #expect(FileManager.default.fileExists(atPath: state + "/snapshot.json"), "round \(round)")
        }
    }

    @Test func aKeyAddedToTheKeyFileIsTakenOnSIGHUP() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-hangup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func writeKeys(_ text: String, to name: String) throws -> String {
            let path = directory.path + "/" + name
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            return path
        }
        let old = "k1:" + String(repeating: "a1", count: 32)
        let new = "k2:" + String(repeating: "b2", count: 32)
        let coordinatorKeys = try writeKeys(old + "\n", to: "coordinator.keys")
        let workerKeys = try writeKeys(new + "\n", to: "worker.keys")
        let broadcast = "ipc://\(directory.path)/broadcast"
        let requests = "ipc://\(directory.path)/requests"

        let coordinator = try CurriculumProcess(
            ["coordinator", "--broadcast", broadcast, "--requests", requests,
             "--status", "ipc://\(directory.path)/status", "--reports", "ipc://\(directory.path)/reports",
             "--auth-keys", coordinatorKeys],
            name: "coordinator")
        _ = try await coordinator.firstLine(timeout: .seconds(30))
        let worker = try CurriculumProcess(
            ["worker", "--broadcast", broadcast, "--requests", requests, "--id", "rotated", "--steps", "5",
             "--batch", "8", "--seed", "5", "--auth-keys", workerKeys],
            name: "worker")
        // Refused while the coordinator does not know its key.
        #expect(await eventually { coordinator.lastLogLines(40).contains("reason=unknown_key") })
        #expect(worker.process.isRunning)

        _ = try writeKeys(old + "\n" + new + "\n", to: "coordinator.keys")
        coordinator.signal(SIGHUP)
        let summary = try Summary.parse(await worker.outputAfterExit(timeout: .seconds(60)))
        #expect(summary.acknowledged == 5)
        #expect(coordinator.lastLogLines(40).contains("reloaded the key file"))
        coordinator.signal(SIGTERM)
        try await coordinator.waitForExit(timeout: .seconds(10))
        #expect(coordinator.process.terminationStatus == 0)
    }
}
