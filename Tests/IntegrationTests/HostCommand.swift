import Foundation

/// Runs a system tool (`ip`, `tc`, `iptables`, ...) to completion, for building and
/// inspecting the network namespaces of ``NetworkLab``.
///
/// Synchronous on purpose: teardown must run from `defer`, which cannot await. Every
/// command these tests run finishes in milliseconds; the timeout only bounds a hung one.
enum HostCommand {
    struct Failed: Error, CustomStringConvertible {
        let command: [String]
        let status: Int32
        let standardError: String

        var description: String {
            "`\(command.joined(separator: " "))` failed (status \(status)): \(standardError.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }

    /// The full path of `name` on PATH or in the sbin directories, which a root shell has
    /// on PATH but a test runner's environment may not.
    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `command` (its first element a tool's name or path) and returns its standard
    /// output; throws `Failed` with its standard error if it exits non-zero.
    @discardableResult
    static func run(_ command: [String], timeout: Duration = .seconds(20)) throws -> String {
        guard let tool = command.first, let executable = tool.hasPrefix("/") ? tool : locate(tool) else {
            throw Failed(command: command, status: -1, standardError: "\(command.first ?? "") not found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        // Files, not pipes: a chatty command cannot fill a pipe and block while we wait for it.
        let directory = FileManager.default.temporaryDirectory
        let outputFile = directory.appending(path: "netlab-\(UUID().uuidString).out")
        let errorFile = directory.appending(path: "netlab-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        let output = try FileHandle(forWritingTo: outputFile)
        let error = try FileHandle(forWritingTo: errorFile)
        defer {
            try? output.close()
            try? error.close()
        }
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw Failed(command: command, status: -1, standardError: "timed out after \(timeout)")
            }
            usleep(2_000)
        }
        let standardOutput = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failed(
                command: command, status: process.terminationStatus,
                standardError: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
        }
        return standardOutput
    }
}
