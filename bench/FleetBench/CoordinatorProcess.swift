import FleetLoad
import Foundation

/// `curriculum coordinator` as a child process on free tcp ports of 127.0.0.1, without a
/// state directory; its log goes to a file in the temporary directory.
@MainActor final class CoordinatorProcess {
    let binary: String
    let process = Process()
    /// Where workers attach: the broadcast and requests endpoints.
    let endpoints: FleetEndpoints
    let statusURL: String
    let logPath: String

    init(binary: String, categories: [String]) throws {
        self.binary = binary
        logPath = FileManager.default.temporaryDirectory.path + "/fleetbench-coordinator-\(getpid()).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "coordinator", "--broadcast", "tcp://127.0.0.1:0", "--requests", "tcp://127.0.0.1:0",
            "--status", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0",
            "--categories", categories.joined(separator: ","), "--log-level", "warning",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: logPath)
        do { try process.run() } catch { throw FleetError.coordinator("cannot start \(binary): \(error)") }
        // `listening broadcast=URL requests=URL status=URL reports=URL version=N`.
        let fields = try ReadyLine.fields(of: output, name: "coordinator", logPath: logPath)
        guard let broadcast = fields["broadcast"], let requests = fields["requests"], let status = fields["status"]
        else { throw FleetError.coordinator("unexpected first line: \(fields)") }
        endpoints = FleetEndpoints(broadcast: broadcast, requests: requests)
        statusURL = status
    }

    var pid: Int32 { process.processIdentifier }

    /// `curriculum status --json`: the coordinator's next Status, in protobuf's JSON mapping.
    /// Runs a process and waits: call it off the main actor while the fleet is driven.
    nonisolated static func status(binary: String, statusURL: String) throws -> [String: Any] {
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: binary)
        tool.arguments = ["status", "--coordinator", statusURL, "--json", "--timeout", "10"]
        let output = Pipe()
        tool.standardOutput = output
        try tool.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        tool.waitUntilExit()
        guard tool.terminationStatus == 0,
            let status = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw FleetError.coordinator("curriculum status --json failed (\(tool.terminationStatus))") }
        return status
    }

    /// SIGTERM, then waits for it to exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// The parts of a Status (protobuf JSON: 64-bit integers are strings) FleetBench checks.
struct StatusSummary {
    var lostWorkers = 0
    var totals: [String: FleetStats.ExpectedTotals] = [:]

    init(_ status: [String: Any]) {
        let workers = status["workers"] as? [[String: Any]] ?? []
        lostWorkers = workers.filter { ($0["state"] as? String) == "lost" }.count
        for entry in status["totals"] as? [[String: Any]] ?? [] {
            guard let category = entry["category"] as? String else { continue }
            totals[category] = FleetStats.ExpectedTotals(
                count: Self.integer(entry["count"]),
                sumAbsAdvantage: entry["sum_abs_advantage"] as? Double ?? 0,
                sumSquaredAdvantage: entry["sum_squared_advantage"] as? Double ?? 0,
                sumReward: entry["sum_reward"] as? Double ?? 0,
                reports: Self.integer(entry["reports"]))
        }
    }

    private static func integer(_ value: Any?) -> UInt64 {
        (value as? String).flatMap { UInt64($0) } ?? (value as? NSNumber)?.uint64Value ?? 0
    }
}
