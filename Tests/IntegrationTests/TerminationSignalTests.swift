import Foundation
import Testing

/// Scripts stop a coordinator as soon as it says it is ready (`cluster/local`, the tests):
/// that signal must stop it gracefully, state saved, however early it comes.
@Suite(.timeLimit(.minutes(2)))
struct TerminationSignalTests {
    @Test func aCoordinatorSignalledTheMomentItIsReadyStopsAndSavesItsState() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-signal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for round in 0..<10 {
            let state = directory.path + "/state-\(round)"
            let coordinator = try CurriculumProcess(
                ["coordinator", "--broadcast", "ipc://\(directory.path)/broadcast-\(round)",
                 "--reports", "ipc://\(directory.path)/reports-\(round)", "--state", state],
                name: "coordinator")
            _ = try await coordinator.firstLine(timeout: .seconds(30))
            coordinator.signal(round.isMultiple(of: 2) ? SIGTERM : SIGINT)
            try await coordinator.waitForExit(timeout: .seconds(10))
            #expect(coordinator.process.terminationStatus == 0, "round \(round): \(coordinator.lastLogLines())")
            // A clean stop folds the journal into a snapshot.
            #expect(FileManager.default.fileExists(atPath: state + "/snapshot.json"), "round \(round)")
        }
    }
}
