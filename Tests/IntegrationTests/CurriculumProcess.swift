import Foundation

/// A `curriculum` subcommand running as a child process, for multi-process tests.
final class CurriculumProcess {
    let process: Process
    private let output: Pipe
    let name: String

    /// The `curriculum` executable next to the test bundle (SwiftPM builds it,
    /// since this test target depends on it).
    static let executable: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [beside, beside.deletingLastPathComponent()] {
            let candidate = directory.appending(path: "curriculum")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appending(path: ".build/debug/curriculum")
    }()

    init(_ arguments: [String], name: String) throws {
        self.name = name
        process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    /// The first line the process writes to stdout, waiting at most `timeout`.
    func firstLine(timeout: Duration) async throws -> String {
        let handle = output.fileHandleForReading
        let name = name
        return try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first else { throw ProcessFailure.exited(name) }
                    if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
                    bytes.append(byte)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ProcessFailure.timedOut(name, timeout)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// Everything the process wrote to stdout, once it has exited (at most `timeout`).
    func outputAfterExit(timeout: Duration) async throws -> String {
        try await waitForExit(timeout: timeout)
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func waitForExit(timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            guard clock.now < deadline else { throw ProcessFailure.timedOut(name, timeout) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

enum ProcessFailure: Error, CustomStringConvertible {
    case exited(String)
    case timedOut(String, Duration)

    var description: String {
        switch self {
        case .exited(let name): "\(name) exited before writing a line"
        case .timedOut(let name, let timeout): "\(name) did not finish within \(timeout)"
        }
    }
}
