import ArgumentParser
import Curriculum
import Foundation

/// `curriculum replay`: feeds a JSONL file of reports through a policy and prints the
/// distribution after every line. The format is documented in docs/replay.md.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a JSONL file of category reports through a curriculum policy.",
        discussion: """
            Each input line is a report {"category", "n", "sum_abs_adv", "sum_sq_adv", \
            "sum_reward", "version", "share"} or a step {"step": V} that moves the current \
            version to V. After each line one JSON line is printed to stdout: the version and \
            every arm's probability and value, or, for a refused line, its number, an error \
            code and the reason. See docs/replay.md.
            """
    )

    @Argument(help: "The JSONL file to read; standard input when absent or \"-\".")
    var path: String?

    @OptionGroup var policy: PolicyOptions
    @OptionGroup var staleness: StalenessOptions

    @Option(help: "The version the replay starts at.")
    var startVersion = 0

    func validate() throws {
        _ = try policy.configuration()
        _ = try staleness.configuration()
    }

    func run() throws {
        let curriculum = try Curriculum(
            policy: policy.configuration(), staleness: staleness.configuration(), version: startVersion)
        var runner = ReplayRunner(curriculum: curriculum)
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]

        var lineNumber = 0
        for line in try InputLines(path: path) {
            lineNumber += 1
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let record: ReplayRecord
            do {
                let event = try decoder.decode(ReplayEvent.self, from: Data(line.utf8))
                record = runner.handle(event, line: lineNumber)
            } catch let error as DecodingError {
                record = runner.malformed(line: lineNumber, reason: error.briefDescription)
            }
            let json = try encoder.encode(record)
            print(String(decoding: json, as: UTF8.self))
        }
    }
}

extension DecodingError {
    /// One line instead of Foundation's nested debug text.
    var briefDescription: String {
        func path(_ context: Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, _):
            return "missing key \"\(key.stringValue)\""
        case .typeMismatch(let type, let context):
            return "\"\(path(context))\" is not a valid \(type)"
        case .valueNotFound(let type, let context):
            return "\"\(path(context))\" is null, expected \(type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\"\(path(context))\": \(context.debugDescription)"
        @unknown default:
            return "undecodable line"
        }
    }
}
