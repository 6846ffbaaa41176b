import Foundation

/// `curriculum coordinator` as a child process on free tcp ports of 127.0.0.1, without a
/// state directory; its log goes to a file in the temporary directory.
@MainActor final class CoordinatorProcess {
    struct Endpoints: Sendable {
        let broadcast: String
        let reports: String
    }

    let binary: String
    let process = Process()
    let endpoints: Endpoints
    let logPath: String

    init(binary: String, categories: [String]) throws {
        self.binary = binary
        logPath = FileManager.default.temporaryDirectory.path + "/fleetbench-coordinator-\(getpid()).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "coordinator", "--broadcast", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0",
            "--categories", categories.joined(separator: ","), "--log-level", "warning",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: logPath)
        do { try process.run() } catch { throw FleetError.coordinator("cannot start \(binary): \(error)") }
        // The first line: `listening broadcast=URL reports=URL version=N`.
        var line = ""
        while !line.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw FleetError.coordinator("exited before listening; see \(logPath)") }
            line += String(decoding: chunk, as: UTF8.self)
        }
        let fields = Dictionary(
            line.split(whereSeparator: \.isWhitespace).compactMap { field -> (String, String)? in
                let parts = field.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            }, uniquingKeysWith: { first, _ in first })
        guard let broadcast = fields["broadcast"], let reports = fields["reports"] else {
            throw FleetError.coordinator("unexpected first line: \(line)")
        }
        endpoints = Endpoints(broadcast: broadcast, reports: reports)
    }

    var pid: Int32 { process.processIdentifier }

    /// `curriculum status --json`: the coordinator's next Status, in protobuf's JSON mapping.
    /// Runs a process and waits: call it off the main actor while the fleet is driven.
    nonisolated static func status(binary: String, broadcast: String) throws -> [String: Any] {
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: binary)
        tool.arguments = ["status", "--coordinator", broadcast, "--json", "--timeout", "10"]
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
