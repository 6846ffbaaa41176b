import ArgumentParser
import CurriculumWire
import Foundation
import NNG
import SwiftProtobuf

/// `curriculum status`: prints the coordinator's newest status broadcast.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a coordinator's policy, categories and workers.",
        discussion: """
            Subscribes to the coordinator's status endpoint and waits for its next status \
            message (published once a second).
            """
    )

    @Option(help: "The coordinator's status URL (its --status).")
    var coordinator = "tcp://127.0.0.1:7453"

    @Flag(help: "Print the status as JSON (protobuf's JSON mapping of curriculum.v1.Status).")
    var json = false

    @Option(help: "Seconds to wait for a status message.")
    var timeout = 5.0

    @Flag(help: "Keep the view open and redraw it in place at every status (once a second); Ctrl-C stops.")
    var watch = false

    @Option(help: "With --watch, stop after this many views (for scripts); unlimited by default.")
    var count: Int?

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive, got \(count)") }
        if count != nil, !watch { throw ValidationError("--count goes with --watch") }
        if watch, json { throw ValidationError("--watch draws a terminal view; use --json without it, once per call") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    @OptionGroup var tls: TLSOptions

    struct NoStatus: Error, CustomStringConvertible {
        var url: String
        var seconds: Double
        var description: String { "no status from \(url) within \(seconds) s: is the coordinator running there?" }
    }

    func run() async throws {
        let socket = try Socket(.subscriber)
        defer { socket.close() }
        try socket.subscribe(to: Topic.status.bytes)
        try socket.setReceiveTimeout(.milliseconds(Int(timeout * 1000)))
        try socket.dial(coordinator, reconnect: ReconnectPolicy(minimum: .milliseconds(100)), tls: tls.configuration(server: false))
        if watch { return try await watchStatus(from: socket) }
        let status: Wire.Status
        do {
            status = try await Self.nextStatus(from: socket)
        } catch NNGError.Code.timedOut {
            throw NoStatus(url: coordinator, seconds: timeout)
        }
        if json {
            var options = JSONEncodingOptions()
            options.preserveProtoFieldNames = true
            print(try status.jsonString(options: options))
        } else {
            print(Self.render(status))
        }
    }

    /// Redraws the view at every status; while none comes, says so and keeps waiting.
    private func watchStatus(from socket: Socket) async throws {
        // Cursor home, then clear to the end of the screen: the view is replaced in place.
        let redraw = "\u{1B}[H\u{1B}[J"
        var views = 0
        while count.map({ views < $0 }) ?? true {
            let view: String
            do {
                let status = try await Self.nextStatus(from: socket)
                view = Self.render(status) + "\n\n\(coordinator) at \(Self.clockTime())  (Ctrl-C to stop)"
            } catch NNGError.Code.timedOut {
                view = "\(NoStatus(url: coordinator, seconds: timeout)); still waiting (Ctrl-C to stop)"
            }
            FileHandle.standardOutput.write(Data((redraw + view + "\n").utf8))
            views += 1
        }
    }

    private static func clockTime() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }

    private static func nextStatus(from socket: Socket) async throws -> Wire.Status {
        while true {
            let message = try await socket.receive()
            if case .status(let status)? = try? WireCodec.decode(message.bytes) { return status }
        }
    }

    static func render(_ status: Wire.Status) -> String {
        var lines: [String] = []
        let policy = status.policy
        lines.append(
            "policy \(policy.policyName)  version \(policy.version)  uptime \(format(Double(status.uptimeMs) / 1000, 1))s  "
                + "reports accepted \(status.reportsAccepted)  rejected \(status.reportsRejected)  "
                + "duplicates \(status.duplicatesIgnored)  malformed \(status.malformedMessages)  "
                + "unauthenticated \(status.authenticationFailures)")
        if !status.rejections.isEmpty {
            lines.append("rejections  " + status.rejections.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: "  "))
        }
        lines.append("")
        let totals = Dictionary(uniqueKeysWithValues: status.totals.map { ($0.category, $0) })
        var table = [["category", "value", "probability", "samples", "mean |A|"]]
        for (index, category) in policy.categories.enumerated() {
            let total = totals[category]
            let meanAbs = total.map { $0.count > 0 ? $0.sumAbsAdvantage / Double($0.count) : 0 } ?? 0
            table.append([
                category, format(policy.values[index], 4), format(policy.probabilities[index], 4),
                "\(total?.count ?? 0)", format(meanAbs, 4),
            ])
        }
        lines += aligned(table)
        lines.append("")
        var workers = [["worker", "host", "state", "last seen", "version", "staleness", "reports/s", "reports"]]
        for worker in status.workers {
            workers.append([
                "\(worker.worker.workerID)#\(worker.worker.incarnation)", worker.hostname, worker.state,
                "\(format(Double(worker.lastSeenMsAgo) / 1000, 1))s ago", "\(worker.lastPolicyVersion)",
                "\(worker.lastStaleness)", format(worker.reportsPerSecond, 1), "\(worker.reportsAccepted)",
            ])
        }
        lines += aligned(workers)
        if status.retiredWorkers > 0 {
            lines.append("retired \(status.retiredWorkers) (finished incarnations, remembered for their resends)")
        }
        return lines.joined(separator: "\n")
    }

    private static func format(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    private static func aligned(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}
