import Foundation

/// A `curriculum` subcommand running as a child process, for multi-process tests (or,
/// through `init(executable:_:name:)`, another program the tests need running beside it,
/// such as `ip netns exec NAME curriculum ...`).
final class CurriculumProcess {
    let process: Process
    private let output: Pipe
    /// stderr goes to a file, so a failure can show what the process last logged.
    private let log: URL
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

    /// - Parameter captureStandardError: read stderr into the output too (for error messages).
    convenience init(_ arguments: [String], name: String, captureStandardError: Bool = false) throws {
        try self.init(executable: Self.executable, arguments, name: name, captureStandardError: captureStandardError)
    }

    init(executable: URL, _ arguments: [String], name: String, captureStandardError: Bool = false) throws {
        self.name = name
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        output = Pipe()
        process.standardOutput = output
        log = FileManager.default.temporaryDirectory.appending(path: "curriculum-test-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = captureStandardError ? output : try FileHandle(forWritingTo: log)
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
                throw ProcessFailure.timedOut(name, timeout, lastLog: "")
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
            guard clock.now < deadline else { throw ProcessFailure.timedOut(name, timeout, lastLog: lastLogLines()) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func lastLogLines(_ count: Int = 8) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(count).joined(separator: "\n")
    }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: log)
    }
}

enum ProcessFailure: Error, CustomStringConvertible {
    case exited(String)
    case timedOut(String, Duration, lastLog: String)

    var description: String {
        switch self {
        case .exited(let name): "\(name) exited before writing a line"
        case .timedOut(let name, let timeout, let log): "\(name) did not finish within \(timeout); its last log lines:\n\(log)"
        }
    }
}
