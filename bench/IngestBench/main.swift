// Release benchmark of end-to-end report ingest, against raw nng pub/sub in the same run.
//
//     CURRICULUM_BENCHMARKS=1 swift run -c release --scratch-path .build-ingest IngestBench
//
// Measures, printing one table:
// 1. Ingest: reports/s merged by a Coordinator AND acknowledged back to the WorkerAgent
//    that sent them, with 1, 16 and 64 agents, (a) all in this process over inproc://,
//    (b) in child processes (this executable re-run with `--agent-child`, at most 8
//    processes, the agents spread over them) over ipc://.
//    Each report holds 4-8 categories of a 64-arm SEC policy. Every cell runs twice: with
//    the coordinator's default of up to 64 reports per frame (agents put whatever reports
//    are ready at once in one frame; the "reports/frame" column says how many that made on
//    average) and with one report per frame (`maximumReportsPerFrame: 1`, the protocol
//    without batches; `--no-single` skips it). At the end the run is
//    checked for exactly-once delivery: coordinator reportsAccepted == reports sent, the
//    merged sample count == the samples sent, every agent's outbox empty; duplicates
//    (resent reports the ledger ignored) and retransmissions are printed.
// 2. Raw: the same number of publishers, the same message size as one report's frame,
//    one message per report, through libnng's C API over the same transport and process
//    layout (`--raw-child`). See "Raw method" below. Batched ingest moves fewer, larger
//    messages than this baseline: it is what one report costs the transport alone.
// 3. Policy broadcast latency to 64 agents.
// 4. `WorkerAgent.nextBatch(size: 256)` latency from the cached 64-arm policy.
//
// Flow control. PUB/SUB drops when a queue overflows, so both sides use a credit window:
// a sender never has more than `window` messages unacknowledged. Ingest agents call
// `waitUntilUnacknowledged(atMost: window - 1)` before each report, so their credit
// comes back through the protocol's own acknowledgements (ACKS, every 5 ms). The windows
// of all senders together stay below the coordinator's 8,192-message receive queue, so
// nothing should be dropped; any drop shows up as a retransmission.
//
// Raw method. Each publisher thread sends [tag, publisher, sequence] padded to the report
// frame size, and waits when `window` messages are uncredited. The receiving thread checks
// that every publisher's sequence numbers arrive without a gap (a gap is a drop and is
// counted as loss). It takes messages in batches (one blocking receive, then whatever is
// queued) and after a batch in which some publisher got window/4 further messages it
// publishes one credit frame holding every publisher's cumulative count, on a second
// PUB/SUB pair: the shape of the coordinator's ACKS, but sent as soon as credit is due
// rather than every 5 ms. Rate = messages / (go .. last message received).
// Publishers handshake first (hello until a credit answers) so no message is sent
// before its connection completes. This is the ceiling: transport, no protocol.
//
// Timing: the clock starts when every sender is connected and joined and the go signal is
// given; it stops when the last report is acknowledged at its agent (ingest) or the last
// message arrives (raw). CLOCK_MONOTONIC is shared by all processes, so children report
// their finish times in it.

import CNNG
import Coordinator
import CoreMetrics
import Curriculum
import CurriculumAuth
import CurriculumWire
import Foundation
import Monitoring
import NNG
import Synchronization
import WorkerAgent

// MARK: - Parameters

let armCount = 64
/// Options for partial runs while optimising: `--agents 1,16`, `--layouts inproc,ipc`, `--no-raw`,
/// `--no-latency`, `--no-single` (batched ingest only). `--durable` gives each cell's coordinator
/// a fresh state directory, so every batch of reports is journaled and fdatasync'd before it is
/// acknowledged. `--signed` makes every agent sign its frames with a shared key (HMAC-SHA256)
/// and the coordinator check each signature, time and replay counter. `--metrics` measures
/// instead what recording metrics costs: each cell with metrics off and on, alternating.
let options = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> [String]? {
    options.firstIndex(of: name).flatMap { options.indices.contains($0 + 1) ? options[$0 + 1].split(separator: ",").map(String.init) : nil }
}
let agentCounts = option("--agents")?.compactMap { Int($0) } ?? [1, 16, 64]
/// Reports (and raw messages) per cell, split evenly over the senders.
let reportsPerCell = 240_000
/// Every sender's window together. It stays far under the coordinator's and the raw
/// receiver's 8,192-message queues, so nothing is dropped, and small enough that a full
/// queue drains well within the agents' first retransmission timeout (250 ms -25%), so a
/// report waiting in line is not resent as if lost.
let totalWindow = 2_048
let maximumWindow = 1_024
/// Senders are spread over at most this many child processes: 64 Swift runtimes, each with
/// its own nng and cooperative threads, on 2 cores would measure the scheduler.
let maximumChildren = 8
let ingestGoal = 110_000.0
let syllabusCeiling = 11_000.0
let categories = (0..<armCount).map { String(format: "arm-%02d", $0) }

func window(forSenders senders: Int) -> Int { min(maximumWindow, totalWindow / senders) }

func nanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Writes a line to stdout unbuffered: children's lines are their parent's signals.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("IngestBench: \(message)\n".utf8))
    exit(1)
}

func check(_ result: Int32, _ what: String) {
    if result != 0 { fail("\(what): \(String(cString: nng_strerror(result)))") }
}

// MARK: - Workload

/// Report `index` of agent `agent`: 4-8 distinct categories of the 64 arms, counts and
/// sums that are exact in binary floating point.
func statistics(agent: Int, index: Int) -> [AdvantageStatistics] {
    let width = 4 + (agent + index) % 5
    let start = (agent * 7 + index * 13) % armCount
    return (0..<width).map { j in
        let n = 1 + (index + j) % 32
        return AdvantageStatistics(
            category: categories[(start + j) % armCount], count: n,
            sumAbsAdvantage: Double(n * ((index + j) % 50)) / 64,
            sumSquaredAdvantage: Double(n * ((index * 5 + j) % 40)) / 64,
            sumReward: Double(n * ((index + agent) % 2)))
    }
}

/// Every agent cycles through this many distinct reports, built before the clock starts.
let distinctReports = 64

func workload(agent: Int) -> [[AdvantageStatistics]] {
    (0..<distinctReports).map { statistics(agent: agent, index: $0) }
}

func samples(agent: Int, reports: Int) -> UInt64 {
    let pool = workload(agent: agent)
    return (0..<reports).reduce(0) { total, index in
        total + pool[index % distinctReports].reduce(0) { $0 + UInt64($1.count) }
    }
}

/// The mean size of a report frame of this workload, for the raw comparison.
let frameSize: Int = {
    let pool = workload(agent: 17)
    let total = pool.enumerated().reduce(0) { total, entry in
        let report = Wire.Report(
            worker: Wire.WorkerIdentity(workerID: "agent-17", incarnation: 0x1234_5678_9ABC_DEF0),
            sequence: UInt64(100_000 + entry.offset), policyVersion: 1_000, stepShare: 1.0 / 64,
            resendFloor: UInt64(99_000 + entry.offset),
            categories: entry.element.map {
                Wire.CategoryStats(
                    category: $0.category, count: UInt64($0.count), sumAbsAdvantage: $0.sumAbsAdvantage,
                    sumSquaredAdvantage: $0.sumSquaredAdvantage, sumReward: $0.sumReward)
            })
        return total + WireCodec.encode(.report(report)).count
    }
    return total / pool.count
}()

/// The key every agent signs with under `--signed`; child processes build the same one.
let signingKey: AuthenticationKey? = options.contains("--signed") || CommandLine.arguments.contains("--signed-child")
    ? try! AuthenticationKey(id: "bench", secret: Array(repeating: 0x5A, count: 32)) : nil

func agentConfiguration(_ index: Int, agents: Int, broadcast: String, reports: String) -> WorkerAgentConfiguration {
    WorkerAgentConfiguration(
        workerID: "agent-\(index)", broadcastURL: broadcast, requestsURL: reports,
        stepShare: 1 / Double(agents), seed: UInt64(index + 1),
        reconnect: ReconnectPolicy(minimum: .milliseconds(20), maximum: .milliseconds(200)),
        signingKey: signingKey)
}

struct AgentOutcome: Sendable {
    var finished: UInt64
    var retransmissions: UInt64
    var unacknowledged: Int
}

/// Sends `reports` reports through `agent` with a credit window; returns when all are acknowledged.
func driveReports(_ agent: WorkerAgent, index: Int, reports: Int, window: Int) async throws -> AgentOutcome {
    let pool = workload(agent: index)
    var version = try await agent.currentPolicy().version
    for sequence in 0..<reports {
        try await agent.waitUntilUnacknowledged(atMost: window - 1)
        // A real worker draws a batch per report; here the version is refreshed per 64
        // reports so that reports stay fresh without adding a nextBatch to the hot loop.
        if sequence % 64 == 0 { version = try await agent.currentPolicy().version }
        try await agent.report(policyVersion: version, statistics: pool[sequence % distinctReports])
    }
    try await agent.waitUntilUnacknowledged(atMost: 0)
    let finished = nanoseconds()
    return AgentOutcome(
        finished: finished, retransmissions: await agent.counters.retransmissions,
        unacknowledged: await agent.unacknowledgedCount)
}

/// Runs `count` agents from `first`, waits until each has joined, then `go`, then drives them.
final class AgentGroup: Sendable {
    let agents: [WorkerAgent]
    let tasks: [Task<Void, any Error>]
    let first: Int

    init(
        first: Int, count: Int, total: Int, broadcast: String, reports: String,
        metricsFactory: any MetricsFactory = MetricsRegistry.disabled
    ) throws {
        self.first = first
        agents = try (first..<first + count).map {
            try WorkerAgent(
                configuration: agentConfiguration($0, agents: total, broadcast: broadcast, reports: reports),
                categories: categories, metricsFactory: metricsFactory)
        }
        tasks = agents.map { agent in Task { try await agent.run() } }
    }

    func waitUntilJoined() async throws {
        for agent in agents { _ = try await withDeadline(.seconds(30), "agent join") { try await agent.currentPolicy() } }
    }

    func drive(reportsEach: Int, window: Int) async throws -> [AgentOutcome] {
        try await withThrowingTaskGroup(of: AgentOutcome.self) { group in
            for (offset, agent) in agents.enumerated() {
                group.addTask { try await driveReports(agent, index: self.first + offset, reports: reportsEach, window: window) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func drainAndStop() async {
        await withTaskGroup(of: Void.self) { group in
            for agent in agents {
                group.addTask { try? await agent.drain(timeout: .seconds(10)) }
            }
        }
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
    }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

func withDeadline<T: Sendable>(
    _ timeout: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw DeadlineExceeded(what: what)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Polls `condition` every millisecond until it holds or `timeout` passes.
func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw DeadlineExceeded(what: what) }
        try await Task.sleep(for: .milliseconds(1))
    }
}

// MARK: - Child processes

/// The lines a child wrote so far.
final class LineBuffer: Sendable {
    private struct State {
        var lines: [String] = []
        var partial = ""
    }

    private let state = Mutex(State())

    func append(_ data: Data) {
        state.withLock { state in
            state.partial += String(decoding: data, as: UTF8.self)
            var parts = state.partial.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            state.partial = parts.removeLast()
            state.lines += parts
        }
    }

    func first(startingWith prefix: String) -> String? {
        state.withLock { state in state.lines.first { $0.hasPrefix(prefix) } }
    }
}

/// Timestamps appended from many tasks.
final class Stamps: Sendable {
    private let values = Mutex<[UInt64]>([])

    func append(_ value: UInt64) { values.withLock { $0.append(value) } }
    var all: [UInt64] { values.withLock { $0 } }
}

/// A child copy of this executable, spoken to through lines on stdin and stdout.
final class Child: Sendable {
    private let process: Process
    private let input: FileHandle
    private let output = LineBuffer()

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        input = stdin.fileHandleForWriting
        let output = self.output
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                output.append(data)
            }
        }
        try process.run()
    }

    func send(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    /// The first line starting with `prefix`, waiting at most `timeout`.
    func line(startingWith prefix: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = output.first(startingWith: prefix) { return line }
            guard process.isRunning else {
                throw DeadlineExceeded(what: "'\(prefix)' from a child that exited with \(process.terminationStatus)")
            }
            guard ContinuousClock.now < deadline else { throw DeadlineExceeded(what: "'\(prefix)' from a child") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Waits up to 5 s for the child to exit, then kills it.
    func finish() async {
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Exits this child if its parent goes away, so a killed run leaves no orphans behind.
func exitWithParent() {
    let parent = getppid()
    Thread.detachNewThread {
        while getppid() == parent { usleep(100_000) }
        exit(2)
    }
}

/// Splits `total` senders into at most `processes` children: [(first, count)].
func partition(_ total: Int, into processes: Int) -> [(first: Int, count: Int)] {
    let children = min(total, processes)
    return (0..<children).map { child in
        let first = total * child / children
        return (first, total * (child + 1) / children - first)
    }
}

/// `--agent-child broadcast reports first count total reportsEach window [--signed-child]`
func runAgentChild(_ arguments: [String]) async throws {
    let arguments = arguments.filter { $0 != "--signed-child" }
    guard arguments.count == 7, let first = Int(arguments[2]), let count = Int(arguments[3]),
        let total = Int(arguments[4]), let reportsEach = Int(arguments[5]), let window = Int(arguments[6])
    else { fail("bad --agent-child arguments \(arguments)") }
    let group = try AgentGroup(first: first, count: count, total: total, broadcast: arguments[0], reports: arguments[1])
    try await group.waitUntilJoined()
    emit("ready")
    guard readLine() == "go" else { fail("child: expected go") }
    let outcomes = try await withDeadline(.seconds(120), "reports") {
        try await group.drive(reportsEach: reportsEach, window: window)
    }
    let finished = outcomes.map(\.finished).max() ?? 0
    let retransmissions = outcomes.reduce(0) { $0 + $1.retransmissions }
    let unacknowledged = outcomes.reduce(0) { $0 + $1.unacknowledged }
    emit("done \(finished) \(retransmissions) \(unacknowledged)")
    await group.drainAndStop()
}

// MARK: - Ingest measurement

struct IngestResult {
    var rate: Double
    /// Reports received (merged, rejected or duplicate) per REPT frame.
    var reportsPerFrame: Double
    var duplicates: UInt64
    var retransmissions: UInt64
    var exactlyOnce: Bool
    var detail: String
}

/// The coordinator's status and version-1 endpoints, which no agent dials, beside its broadcast.
func sideEndpoints(_ broadcast: String) -> [String] { [broadcast + "-status", broadcast + "-v1"] }

func coordinatorConfiguration(broadcast: String, requests: String, batched: Bool) -> CoordinatorConfiguration {
    let state = options.contains("--durable")
        ? FileManager.default.temporaryDirectory.appending(path: "ingest-state-\(UUID().uuidString)").path : nil
    var configuration = CoordinatorConfiguration(
        broadcastURL: broadcast, requestsURL: requests, statusURL: sideEndpoints(broadcast)[0],
        reportsURL: sideEndpoints(broadcast)[1], categories: categories, stateDirectory: state,
        authentication: signingKey.map { IngestAuthentication(keyring: try! Keyring([$0])) })
    if !batched { configuration.maximumReportsPerFrame = 1 }
    return configuration
}

enum Layout: String {
    case inProcess = "in-process inproc"
    case crossProcess = "processes ipc"

    var name: String { self == .inProcess ? "inproc" : "ipc" }
}

func endpoints(_ layout: Layout, _ name: String) -> (String, String) {
    let unique = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    switch layout {
    case .inProcess: return ("inproc://ingest-\(name)-\(unique)-a", "inproc://ingest-\(name)-\(unique)-b")
    case .crossProcess:
        let base = FileManager.default.temporaryDirectory.path + "/ingest-\(name)-\(unique)"
        return ("ipc://\(base)-a", "ipc://\(base)-b")
    }
}

func removeIPC(_ urls: [String]) {
    for url in urls where url.hasPrefix("ipc://") {
        try? FileManager.default.removeItem(atPath: String(url.dropFirst("ipc://".count)))
    }
}

/// With `metrics`, the coordinator and the in-process agents record into a Prometheus
/// registry (as `curriculum coordinator --http` does); without, into nothing.
func measureIngest(agents: Int, layout: Layout, batched: Bool, metrics: MetricsRegistry? = nil) async throws -> IngestResult {
    let (broadcast, reports) = endpoints(layout, "c\(agents)")
    defer { removeIPC([broadcast, reports] + sideEndpoints(broadcast)) }
    let coordinator = try Coordinator(
        configuration: coordinatorConfiguration(broadcast: broadcast, requests: reports, batched: batched),
        metricsFactory: metrics?.factory ?? MetricsRegistry.disabled)
    try await coordinator.listen()
    let serving = Task { try await coordinator.run() }
    defer { serving.cancel() }
    let reportsEach = reportsPerCell / agents
    let window = window(forSenders: agents)
    let sent = reportsEach * agents
    let expectedSamples = (0..<agents).reduce(0) { $0 + samples(agent: $1, reports: reportsEach) }

    var outcomes: [AgentOutcome] = []
    let start: UInt64
    switch layout {
    case .inProcess:
        let group = try AgentGroup(
            first: 0, count: agents, total: agents, broadcast: broadcast, reports: reports,
            metricsFactory: metrics?.factory ?? MetricsRegistry.disabled)
        try await group.waitUntilJoined()
        try await waitFor("joins", timeout: .seconds(30)) { await coordinator.counters.joins >= agents }
        start = nanoseconds()
        outcomes = try await withDeadline(.seconds(120), "reports") {
            try await group.drive(reportsEach: reportsEach, window: window)
        }
        await group.drainAndStop()
    case .crossProcess:
        let children = try partition(agents, into: maximumChildren).map { part in
            try Child([
                "--agent-child", broadcast, reports, "\(part.first)", "\(part.count)", "\(agents)",
                "\(reportsEach)", "\(window)",
            ] + (signingKey == nil ? [] : ["--signed-child"]))
        }
        do {
            for child in children { _ = try await child.line(startingWith: "ready", timeout: .seconds(60)) }
            try await waitFor("joins", timeout: .seconds(30)) { await coordinator.counters.joins >= agents }
            start = nanoseconds()
            for child in children { child.send("go") }
            for child in children {
                let fields = try await child.line(startingWith: "done", timeout: .seconds(120)).split(separator: " ")
                outcomes.append(
                    AgentOutcome(
                        finished: UInt64(fields[1])!, retransmissions: UInt64(fields[2])!,
                        unacknowledged: Int(fields[3])!))
            }
        } catch {
            for child in children { await child.finish() }
            throw error
        }
        for child in children { await child.finish() }
    }
    let finished = outcomes.map(\.finished).max() ?? start
    let counters = await coordinator.counters
    let merged = await coordinator.totals.values.reduce(0) { $0 + UInt64($1.count) }
    serving.cancel()
    _ = await serving.result
    let unacknowledged = outcomes.reduce(0) { $0 + $1.unacknowledged }
    let exactlyOnce =
        counters.reportsAccepted == UInt64(sent) && counters.reportsRejected == 0 && merged == expectedSamples
        && unacknowledged == 0
    let received = counters.reportsAccepted + counters.reportsRejected + counters.duplicatesIgnored
    return IngestResult(
        rate: Double(sent) / (Double(finished - start) / 1e9),
        reportsPerFrame: Double(received) / Double(max(counters.reportFramesReceived, 1)),
        duplicates: counters.duplicatesIgnored,
        retransmissions: outcomes.reduce(0) { $0 + $1.retransmissions },
        exactlyOnce: exactlyOnce,
        detail: "accepted \(counters.reportsAccepted)/\(sent), rejected \(counters.reportsRejected), "
            + "samples \(merged)/\(expectedSamples), unacknowledged \(unacknowledged), "
            + "policies \(counters.policiesPublished), acks \(counters.acknowledgementsPublished)")
}

// MARK: - Raw nng measurement

let helloTag: UInt8 = 0x01
let dataTag: UInt8 = 0x02

func store<T: FixedWidthInteger>(_ value: T, into message: OpaquePointer, at offset: Int) {
    withUnsafeBytes(of: value.bigEndian) { nng_msg_body(message)!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
}

func load<T: FixedWidthInteger>(_: T.Type, from body: UnsafeRawPointer, at offset: Int) -> T {
    T(bigEndian: body.loadUnaligned(fromByteOffset: offset, as: T.self))
}

/// A raw publisher: PUB to the receiver, SUB for the receiver's credit frames.
final class RawPublisher {
    let index: UInt16
    let total: Int
    let window: Int
    var data = nng_socket()
    var credits = nng_socket()
    var credited = 0

    init(index: Int, dataURL: String, creditURL: String, total: Int, window: Int) {
        self.index = UInt16(index)
        self.total = total
        self.window = window
        check(nng_pub0_open(&data), "nng_pub0_open")
        check(nng_sub0_open(&credits), "nng_sub0_open")
        check(nng_socket_set_int(data, NNG_OPT_SENDBUF, 8192), "sendbuf")
        check(nng_socket_set(credits, NNG_OPT_SUB_SUBSCRIBE, nil, 0), "subscribe")
        check(nng_socket_set_ms(credits, NNG_OPT_RECVTIMEO, 20), "recvtimeo")
        check(nng_dial(data, dataURL, nil, Int32(NNG_FLAG_NONBLOCK)), "dial data")
        check(nng_dial(credits, creditURL, nil, Int32(NNG_FLAG_NONBLOCK)), "dial credits")
    }

    deinit {
        nng_close(data)
        nng_close(credits)
    }

    private func send(tag: UInt8, sequence: UInt64) {
        var message: OpaquePointer?
        check(nng_msg_alloc(&message, frameSize), "nng_msg_alloc")
        nng_msg_body(message)!.storeBytes(of: tag, as: UInt8.self)
        store(index, into: message!, at: 1)
        store(sequence, into: message!, at: 3)
        check(nng_sendmsg(data, message, 0), "nng_sendmsg")
    }

    /// Takes one credit message, waiting at most the receive timeout; false if none came.
    private func takeCredit() -> Bool {
        var message: OpaquePointer?
        guard nng_recvmsg(credits, &message, 0) == 0 else { return false }
        credited = max(credited, Int(load(UInt64.self, from: nng_msg_body(message)!, at: 8 * Int(index))))
        nng_msg_free(message)
        return true
    }

    /// Says hello until the receiver answers, so no data is sent before both connections work.
    func handshake() {
        let deadline = nanoseconds() + 30_000_000_000
        repeat {
            send(tag: helloTag, sequence: 0)
            if takeCredit() { return }
        } while nanoseconds() < deadline
        fail("raw publisher \(index): no answer to hello")
    }

    func run() {
        var sent = 0
        while sent < total {
            while sent - credited >= window {
                // A credit can only be lost with its connection; asking again costs nothing.
                if !takeCredit() { send(tag: helloTag, sequence: 0) }
            }
            sent += 1
            send(tag: dataTag, sequence: UInt64(sent))
        }
        // Closing a PUB socket discards what it still queues: stay until everything is credited.
        while credited < total {
            if !takeCredit() { send(tag: helloTag, sequence: 0) }
        }
    }
}

/// The receiving side: counts messages per publisher, checks for gaps, returns credits.
final class RawReceiver {
    let publishers: Int
    let total: Int
    let creditStep: Int
    var data = nng_socket()
    var credits = nng_socket()
    let dataURL: String
    let creditURL: String
    var received: [Int]
    var lastCredit: [Int]
    var gaps = 0
    var lastArrival: UInt64 = 0

    init(publishers: Int, total: Int, window: Int, transport: Layout) {
        self.publishers = publishers
        self.total = total
        self.creditStep = max(1, window / 4)
        received = Array(repeating: 0, count: publishers)
        lastCredit = Array(repeating: 0, count: publishers)
        (dataURL, creditURL) = endpoints(transport, "raw\(publishers)")
        check(nng_sub0_open(&data), "nng_sub0_open")
        check(nng_pub0_open(&credits), "nng_pub0_open")
        check(nng_socket_set_int(data, NNG_OPT_RECVBUF, 8192), "recvbuf")
        check(nng_socket_set_int(credits, NNG_OPT_SENDBUF, 8192), "sendbuf")
        check(nng_socket_set(data, NNG_OPT_SUB_SUBSCRIBE, nil, 0), "subscribe")
        check(nng_listen(data, dataURL, nil, 0), "listen data")
        check(nng_listen(credits, creditURL, nil, 0), "listen credits")
    }

    deinit {
        nng_close(data)
        nng_close(credits)
        removeIPC([dataURL, creditURL])
    }

    /// One frame with every publisher's cumulative count, as ACKS carries every worker's.
    private func credit() {
        var message: OpaquePointer?
        check(nng_msg_alloc(&message, 8 * publishers), "nng_msg_alloc")
        for publisher in 0..<publishers {
            store(UInt64(received[publisher]), into: message!, at: 8 * publisher)
        }
        check(nng_sendmsg(credits, message, 0), "nng_sendmsg")
        lastCredit = received
    }

    /// Receives until every publisher's `total` messages have arrived (or 120 s passed).
    func run() {
        var aio: OpaquePointer?
        check(nng_aio_alloc(&aio, nil, nil), "nng_aio_alloc")
        defer { nng_aio_free(aio) }
        nng_aio_set_timeout(aio, 20_000)
        var complete = 0
        while complete < publishers {
            // Wait for one message, then take every one already queued (as the coordinator
            // does) and answer the whole batch with at most one credit frame.
            nng_recv_aio(data, aio)
            nng_aio_wait(aio)
            check(nng_aio_result(aio), "raw receive (received \(received.reduce(0, +)) of \(total * publishers), \(gaps) gaps)")
            var message = nng_aio_get_msg(aio)
            var creditDue = false
            var taken = 0
            while let current = message {
                let body = UnsafeRawPointer(nng_msg_body(current)!)
                let tag = body.load(as: UInt8.self)
                let publisher = Int(load(UInt16.self, from: body, at: 1))
                let sequence = Int(load(UInt64.self, from: body, at: 3))
                nng_msg_free(current)
                if tag == helloTag {
                    creditDue = true
                } else {
                    if sequence != received[publisher] + 1 { gaps += 1 }
                    received[publisher] = sequence
                    if sequence == total {
                        complete += 1
                        lastArrival = nanoseconds()
                    }
                    if sequence - lastCredit[publisher] >= creditStep || sequence == total { creditDue = true }
                }
                taken += 1
                message = nil
                if taken < 512, nng_recvmsg(data, &message, Int32(NNG_FLAG_NONBLOCK)) != 0 { message = nil }
            }
            if creditDue { credit() }
        }
    }
}

/// Runs `body` on a new thread; the returned closure waits for it.
func spawn(_ body: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.stackSize = 1 << 20
    thread.start()
    return { done.wait() }
}

/// Owns non-Sendable raw publishers for a thread; each is touched by one thread only.
struct Handoff<T>: @unchecked Sendable {
    // Sound: the value is created on one thread and then used only by the single thread it
    // is handed to; the creating thread keeps no reference it uses afterwards.
    let value: T
}

/// `--raw-child dataURL creditURL first count total window`
func runRawChild(_ arguments: [String]) {
    guard arguments.count == 6, let first = Int(arguments[2]), let count = Int(arguments[3]),
        let total = Int(arguments[4]), let window = Int(arguments[5])
    else { fail("bad --raw-child arguments \(arguments)") }
    let publishers = (first..<first + count).map {
        Handoff(value: RawPublisher(index: $0, dataURL: arguments[0], creditURL: arguments[1], total: total, window: window))
    }
    for publisher in publishers { publisher.value.handshake() }
    emit("ready")
    guard readLine() == "go" else { fail("raw child: expected go") }
    let waits = publishers.map { publisher in spawn { publisher.value.run() } }
    for wait in waits { wait() }
    emit("done")
}

struct RawResult {
    var rate: Double
    var gaps: Int
}

/// Runs one raw cell in a fresh child process (`--raw-cell layout publishers`), which
/// prints `raw <rate> <gaps>`. A fresh process keeps the raw side clear of the nng state
/// the Swift side left behind, and lets a stuck cell be killed: under heavy outside load
/// this nng 1.5.2 has been seen to stop firing receive timeouts, which would otherwise hang
/// the run. A cell that does not finish in 90 s is reported as NaN.
func measureRawInChild(publishers: Int, layout: Layout) async throws -> RawResult {
    let child = try Child(["--raw-cell", layout.name, "\(publishers)"])
    do {
        let fields = try await child.line(startingWith: "raw ", timeout: .seconds(90)).split(separator: " ")
        await child.finish()
        return RawResult(rate: Double(fields[1]) ?? .nan, gaps: Int(fields[2]) ?? -1)
    } catch {
        FileHandle.standardError.write(Data("raw \(layout.name) \(publishers): \(error)\n".utf8))
        await child.finish()
        return RawResult(rate: .nan, gaps: -1)
    }
}

func measureRaw(publishers count: Int, layout: Layout) async throws -> RawResult {
    let total = reportsPerCell / count
    let window = window(forSenders: count)
    let receiver = Handoff(value: RawReceiver(publishers: count, total: total, window: window, transport: layout))
    let receiving = spawn { receiver.value.run() }
    let start: UInt64
    switch layout {
    case .inProcess:
        let publishers = (0..<count).map {
            Handoff(value: RawPublisher(
                index: $0, dataURL: receiver.value.dataURL, creditURL: receiver.value.creditURL,
                total: total, window: window))
        }
        for publisher in publishers { publisher.value.handshake() }
        start = nanoseconds()
        let waits = publishers.map { publisher in spawn { publisher.value.run() } }
        for wait in waits { wait() }
        receiving()
        withExtendedLifetime(publishers) {}
    case .crossProcess:
        let children = try partition(count, into: maximumChildren).map { part in
            try Child([
                "--raw-child", receiver.value.dataURL, receiver.value.creditURL, "\(part.first)", "\(part.count)",
                "\(total)", "\(window)",
            ])
        }
        do {
            for child in children { _ = try await child.line(startingWith: "ready", timeout: .seconds(60)) }
            start = nanoseconds()
            for child in children { child.send("go") }
            for child in children { _ = try await child.line(startingWith: "done", timeout: .seconds(120)) }
        } catch {
            for child in children { await child.finish() }
            throw error
        }
        receiving()
        for child in children { await child.finish() }
    }
    return RawResult(rate: Double(total * count) / (Double(receiver.value.lastArrival - start) / 1e9), gaps: receiver.value.gaps)
}

// MARK: - Latencies

struct Percentiles {
    var p50: Double
    var p99: Double

    init(microseconds samples: [UInt64]) {
        let sorted = samples.sorted()
        p50 = Double(sorted[sorted.count / 2]) / 1000
        p99 = Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1000
    }
}

struct LatencyResults {
    var broadcast: Percentiles
    var broadcastSamples: Int
    var nextBatch: Percentiles
}

/// Policy broadcast to 64 in-process agents, and nextBatch from the cache.
///
/// Broadcast: a probe socket sends one report to a coordinator that publishes after every
/// merged report; t0 is taken just before that send, so each sample is the report's
/// ingest (one inproc hop, decode, merge) plus the publish, delivery, decode and adoption
/// at an agent. Each of the 64 agents waits in `nextPolicy(after:)` and stamps the time it
/// resumes with the new version.
func measureLatencies() async throws -> LatencyResults {
    let (broadcast, reports) = endpoints(.inProcess, "latency")
    var configuration = coordinatorConfiguration(broadcast: broadcast, requests: reports, batched: true)
    configuration.publishEveryReports = 1
    let coordinator = try Coordinator(configuration: configuration)
    try await coordinator.listen()
    let serving = Task { try await coordinator.run() }
    defer { serving.cancel() }
    let group = try AgentGroup(first: 0, count: 64, total: 64, broadcast: broadcast, reports: reports)
    try await group.waitUntilJoined()
    try await waitFor("joins", timeout: .seconds(30)) { await coordinator.counters.joins >= 64 }

    let probe = try Socket(.publisher)
    defer { probe.close() }
    try probe.dial(reports)
    var probeReport = Wire.Report(
        worker: Wire.WorkerIdentity(workerID: "probe", incarnation: 1), sequence: 0, stepShare: 1 / 64,
        categories: statistics(agent: 99, index: 0).map {
            Wire.CategoryStats(category: $0.category, count: UInt64($0.count), sumAbsAdvantage: $0.sumAbsAdvantage)
        })
    // Warm the probe's connection: resend the first report until it is merged.
    var sequence: UInt64 = 1
    try await waitFor("probe connection", timeout: .seconds(10)) {
        probeReport.sequence = sequence
        probeReport.policyVersion = await coordinator.version
        try await probe.send(WireCodec.encode(.report(probeReport)))
        try await Task.sleep(for: .milliseconds(2))
        return await coordinator.counters.reportsAccepted >= 1
    }
    // The coordinator's 100 ms re-publication of an unchanged version adopts nothing, so
    // only the probe's report makes a new version.
    var broadcastSamples: [UInt64] = []
    for _ in 0..<100 {
        try await waitFor("agents on the current version", timeout: .seconds(10)) {
            let version = await coordinator.version
            for agent in group.agents where try await agent.currentPolicy().version < version { return false }
            return true
        }
        let version = await coordinator.version
        let adopted = Stamps()
        try await withThrowingTaskGroup(of: Void.self) { waiting in
            for agent in group.agents {
                waiting.addTask {
                    _ = try await withDeadline(.seconds(10), "policy adoption") {
                        try await agent.nextPolicy(after: version)
                    }
                    let now = nanoseconds()
                    adopted.append(now)
                }
            }
            // Give every waiter time to register before the trigger.
            try await Task.sleep(for: .milliseconds(5))
            sequence += 1
            probeReport.sequence = sequence
            probeReport.policyVersion = version
            let frame = WireCodec.encode(.report(probeReport))
            let t0 = nanoseconds()
            try await probe.send(frame)
            try await waiting.waitForAll()
            broadcastSamples += adopted.all.map { $0 - t0 }
        }
    }

    // nextBatch from the cached 64-arm policy, batch 256.
    let agent = group.agents[0]
    var batchSamples: [UInt64] = []
    batchSamples.reserveCapacity(20_000)
    for round in 0..<21_000 {
        let t0 = nanoseconds()
        let batch = try await agent.nextBatch(size: 256)
        let t1 = nanoseconds()
        precondition(batch.size == 256 && batch.categories.count == armCount)
        if round >= 1_000 { batchSamples.append(t1 - t0) }
    }
    await group.drainAndStop()
    serving.cancel()
    _ = await serving.result
    return LatencyResults(
        broadcast: Percentiles(microseconds: broadcastSamples), broadcastSamples: broadcastSamples.count,
        nextBatch: Percentiles(microseconds: batchSamples))
}

// MARK: - Main

func format(_ rate: Double) -> String { String(format: "%9.0f", rate) }

func mainBench() async throws {
    if options.contains("--metrics") { return try await measureMetricsCost() }
    emit("IngestBench: \(armCount)-arm SEC, 4-8 categories per report, frame \(frameSize) B, "
        + "\(reportsPerCell) reports per cell, windows \(agentCounts.map { window(forSenders: $0) }) per sender")
    emit("")
    emit("| layout | agents | reports/frame | ingest reports/s | raw nng msg/s | ingest/raw | vs 110k goal | vs Syllabus 11k | dups | retx | raw gaps | exactly once |")
    emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    var failures: [String] = []
    let layouts = option("--layouts").map { names in [Layout.inProcess, .crossProcess].filter { names.contains($0.name) } }
    for layout in layouts ?? [.inProcess, .crossProcess] {
        for agents in agentCounts {
            let raw = options.contains("--no-raw")
                ? RawResult(rate: .nan, gaps: 0) : try await measureRawInChild(publishers: agents, layout: layout)
            for batched in options.contains("--no-single") ? [true] : [true, false] {
                let ingest = try await measureIngest(agents: agents, layout: layout, batched: batched)
                FileHandle.standardError.write(Data(
                    "ingest \(layout.name) \(agents) \(batched ? "batched" : "single"): \(Int(ingest.rate))/s, \(ingest.detail)\n".utf8))
                emit("| \(layout.rawValue) | \(agents) | " + String(format: "%.1f", ingest.reportsPerFrame)
                    + " | \(format(ingest.rate)) | \(format(raw.rate)) | "
                    + String(format: "%.2f", ingest.rate / raw.rate) + " | " + String(format: "%.2f", ingest.rate / ingestGoal)
                    + " | " + String(format: "%.1f", ingest.rate / syllabusCeiling)
                    + "x | \(ingest.duplicates) | \(ingest.retransmissions) | \(raw.gaps) | \(ingest.exactlyOnce ? "yes" : "NO") |")
                if !ingest.exactlyOnce { failures.append("\(layout.rawValue) \(agents): \(ingest.detail)") }
            }
        }
    }
    if !options.contains("--no-latency") {
        let latencies = try await measureLatencies()
        emit("")
        emit("| latency | p50 µs | p99 µs | samples |")
        emit("|---|---:|---:|---:|")
        emit(String(format: "| policy broadcast, report sent -> adopted by each of 64 agents | %.1f | %.1f | %d |",
            latencies.broadcast.p50, latencies.broadcast.p99, latencies.broadcastSamples))
        emit(String(format: "| nextBatch(size: 256), 64 arms, cached policy | %.2f | %.2f | 20000 |",
            latencies.nextBatch.p50, latencies.nextBatch.p99))
    }
    if !failures.isEmpty {
        emit("")
        for failure in failures { emit("EXACTLY-ONCE CHECK FAILED: \(failure)") }
        exit(1)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "--agent-child":
    exitWithParent()
    do { try await runAgentChild(Array(arguments.dropFirst())) } catch { fail("agent child: \(error)") }
case "--raw-child":
    exitWithParent()
    runRawChild(Array(arguments.dropFirst()))
case "--raw-cell":
    exitWithParent()
    guard arguments.count == 3, let layout = [Layout.inProcess, .crossProcess].first(where: { $0.name == arguments[1] }),
        let publishers = Int(arguments[2])
    else { fail("bad --raw-cell arguments \(arguments)") }
    do {
        let result = try await measureRaw(publishers: publishers, layout: layout)
        emit("raw \(result.rate) \(result.gaps)")
    } catch { fail("raw cell: \(error)") }
default:
    do { try await mainBench() } catch { fail("\(error)") }
}
