import FleetLoad
import Foundation

/// `curriculum relay` as a child process standing in for a node: it dials the coordinator
/// over tcp and serves its share of the identities over ipc in `directory`; its log goes
/// to a file beside those sockets.
@MainActor final class RelayProcess {
    let process = Process()
    /// Where this node's identities attach.
    let endpoints: FleetEndpoints
    let logPath: String

    init(binary: String, index: Int, coordinator: FleetEndpoints, directory: String) throws {
        logPath = "\(directory)/relay-\(index).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "relay", "--coordinator-broadcast", coordinator.broadcast, "--coordinator-requests", coordinator.requests,
            "--broadcast", "ipc://\(directory)/relay-\(index)-broadcast",
            "--requests", "ipc://\(directory)/relay-\(index)-requests", "--log-level", "warning",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: logPath)
        do { try process.run() } catch { throw FleetError.coordinator("cannot start relay \(index): \(error)") }
        // `listening broadcast=URL requests=URL`.
        let fields = try ReadyLine.fields(of: output, name: "relay \(index)", logPath: logPath)
        guard let broadcast = fields["broadcast"], let requests = fields["requests"] else {
            throw FleetError.coordinator("relay \(index): unexpected first line: \(fields)")
        }
        endpoints = FleetEndpoints(broadcast: broadcast, requests: requests)
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGTERM, then waits for it to exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
