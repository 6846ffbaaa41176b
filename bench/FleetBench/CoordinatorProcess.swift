import FleetLoad
import Foundation

/// `curriculum coordinator` as a child process on free tcp ports of 127.0.0.1, without a
/// state directory; its log goes to a file in the temporary directory.
@MainActor final class CoordinatorProcess {
    let process = Process()
    /// Where workers attach: the broadcast and requests endpoints.
    let endpoints: FleetEndpoints
    let statusURL: String
    let logPath: String

    init(binary: String, categories: [String], extraArguments: [String]) throws {
        logPath = FileManager.default.temporaryDirectory.path + "/fleetbench-coordinator-\(getpid()).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "coordinator", "--broadcast", "tcp://127.0.0.1:0", "--requests", "tcp://127.0.0.1:0",
            "--status", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0",
            "--categories", categories.joined(separator: ","), "--log-level", "warning",
        ] + extraArguments
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

    /// SIGTERM, then waits for it to exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
