// A week of worker churn, fast: at least 100,000 worker incarnations join, report and leave
// (or crash and are replaced) through a real Coordinator with a durable state directory,
// while the coordinator's memory, its state directory, its membership and its retired
// records are sampled. Each must stay under the bound printed with it, or the run fails.
//
//     CURRICULUM_BENCHMARKS=1 swift run -c release ChurnBench [--incarnations N] [--live N] [--state-parent DIR]
//
// Scale. Issue 18's week: 1,000 workers replaced hourly, 168,000 incarnations, with the
// default 5 min grace and 24 h expiry. Here time runs some 10,000 times faster, so grace
// and expiry shrink with it (1 s and 10 s of wall time) and the same arithmetic bounds the
// state: membership <= live workers + the incarnations finishing within one grace, retired
// records <= the incarnations retiring within one expiry.
//
// Driver. One PUB socket in this process plays every worker over inproc://, sending per
// incarnation a join, two reports (sequence 1 and 2) and, for 9 in 10, a leave; the 10th
// "crashes" and is replaced when its worker id joins again (`--live` incarnations later).
// Frames go in chunks of 500 incarnations; the next chunk waits until the coordinator has
// taken in every frame sent (the SUB queue holds 8,192), so PUB/SUB drops nothing.
// Exactly once is checked at the end: reports accepted == reports sent, no duplicates.

import Coordinator
import CurriculumWire
import Foundation
import NNG

// MARK: - Parameters

func argument(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1])
    else { return value }
    return parsed
}

let incarnations = argument("--incarnations", default: 100_000)
let live = argument("--live", default: 1_000)
let chunk = 500
let sampleEvery = max(chunk, incarnations / 10)
let grace = Duration.seconds(1)
let expiry = Duration.seconds(10)
let compactionBytes = 8 << 20
let categories = ["easy", "medium", "hard"]

// MARK: - Measurements

/// This process's resident set, from /proc/self/status, in MiB.
func residentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Double(line.split(separator: " ")[1])
    else { return .nan }
    return kilobytes / 1024
}

func directoryMiB(_ path: String) -> Double {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    let bytes = names.reduce(0) { sum, name in
        sum + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + name)[.size] as? Int) ?? 0)
    }
    return Double(bytes) / 1_048_576
}

@MainActor func frames(for incarnation: Int) -> [[UInt8]] {
    let identity = Wire.WorkerIdentity(workerID: "w\(incarnation % live)", incarnation: UInt64(incarnation + 1))
    var join = Wire.Join()
    join.worker = identity
    join.supportedVersions = WireCodec.supportedVersions
    join.stepShare = 1 / Double(live)
    join.categories = categories
    var frames = [WireCodec.encode(.join(join))]
    for sequence in 1...2 as ClosedRange<UInt64> {
        var stats = Wire.CategoryStats()
        stats.category = categories[(incarnation + Int(sequence)) % categories.count]
        stats.count = 4
        stats.sumAbsAdvantage = 1
        stats.sumSquaredAdvantage = 0.5
        stats.sumReward = 2
        var report = Wire.Report()
        report.worker = identity
        report.sequence = sequence
        report.stepShare = join.stepShare
        report.categories = [stats]
        frames.append(WireCodec.encode(.report(report)))
    }
    if incarnation % 10 != 9 {
        var leave = Wire.Leave()
        leave.worker = identity
        leave.lastSequence = 2
        frames.append(WireCodec.encode(.leave(leave)))
    }
    return frames
}

// MARK: - Run

// `--state-parent /dev/shm` keeps the state directory in memory: every join and leave is
// answered, and every answer waits for an `fdatasync` (about 5 ms on this loaded machine's
// disk, 100 incarnations/s), so a disk run of 100,000 takes over 15 minutes.
let stateParent = CommandLine.arguments.firstIndex(of: "--state-parent").map { CommandLine.arguments[$0 + 1] }
    ?? FileManager.default.temporaryDirectory.path
let directory = stateParent + "/churn-bench-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: directory) }
let prefix = "inproc://churn-\(UInt64.random(in: 0...UInt64.max))"
let coordinator = try Coordinator(configuration: CoordinatorConfiguration(
    broadcastURL: prefix + "-broadcast", requestsURL: prefix + "-requests", statusURL: prefix + "-status",
    reportsURL: prefix + "-reports", categories: categories,
    lease: .seconds(5), heartbeatInterval: .seconds(1), stateDirectory: directory, compactionBytes: compactionBytes,
    retirement: RetirementPolicy(grace: grace, expiry: expiry)))
let serving = Task { try await coordinator.run() }
let endpoints = try await coordinator.listen()
// Frames go as requests, as a worker's do; the replies are left unread (the coordinator drops
// those its connection cannot queue), so one request ID serves them all.
let sender = try Socket(.requester, raw: true)
try sender.setSendBufferSize(8192)
try sender.dial(endpoints.requestsURL)
func send(_ frame: [UInt8]) async throws {
    while try !sender.trySend(frame, header: [0x80, 0, 0, 1]) { try await Task.sleep(for: .milliseconds(1)) }
}

// The connection is up once a frame arrives; a heartbeat from nobody registers nobody
// that lasts (it is lost after the lease, then retired).
var sent: UInt64 = 0
while await coordinator.counters.framesReceived == 0 {
    var heartbeat = Wire.Heartbeat()
    heartbeat.worker = Wire.WorkerIdentity(workerID: "probe", incarnation: 1)
    try await send(WireCodec.encode(.heartbeat(heartbeat)))
    try await Task.sleep(for: .milliseconds(10))
}
sent = await coordinator.counters.framesReceived

struct Sample {
    var incarnations: Int
    var seconds: Double
    var rssMiB: Double
    var stateMiB: Double
    var members: Int
    var retired: UInt64
}

let clock = ContinuousClock()
let started = clock.now
var samples: [Sample] = []
var reportsSent: UInt64 = 0
@MainActor func sample(_ done: Int) async {
    let status = await coordinator.status()
    let point = Sample(
        incarnations: done, seconds: (clock.now - started).seconds,
        rssMiB: residentMiB(), stateMiB: directoryMiB(directory), members: status.workers.count,
        retired: status.retiredWorkers)
    samples.append(point)
    print(String(
        format: "%7d incarnations  %5.0f s  RSS %6.1f MiB  state dir %5.1f MiB  members %5d  retired records %6llu",
        point.incarnations, point.seconds, point.rssMiB, point.stateMiB, point.members, point.retired))
}

print("ChurnBench: \(incarnations) incarnations, \(live) worker ids, grace \(grace), expiry \(expiry), "
    + "compaction at \(compactionBytes >> 20) MiB")
for first in stride(from: 0, to: incarnations, by: chunk) {
    for incarnation in first..<min(first + chunk, incarnations) {
        for frame in frames(for: incarnation) {
            try await send(frame)
            sent += 1
        }
        reportsSent += 2
    }
    let deadline = clock.now + .seconds(30)
    while await coordinator.counters.framesReceived < sent {
        guard clock.now < deadline else { fatalError("the coordinator stopped taking frames in") }
        try await Task.sleep(for: .milliseconds(2))
    }
    let done = min(first + chunk, incarnations)
    if done % sampleEvery == 0 || done == incarnations { await sample(done) }
}
// The churn rate, before the wait below.
let rate = Double(incarnations) / max(0.001, samples.last!.seconds)
// Everything finished: after the grace every incarnation but the last `live` is retired.
try await Task.sleep(for: grace * 3)
await sample(incarnations)

// MARK: - Bounds

let counters = await coordinator.counters
let warm = samples.dropFirst()
let rssSpread = (warm.map(\.rssMiB).max() ?? 0) - (warm.map(\.rssMiB).min() ?? 0)
// Bounds, from the arithmetic above: the journal is compacted at `compactionBytes`, so the
// directory holds at most that plus one snapshot of the bounded state (a few MiB).
let bounds: [(String, Bool)] = [
    ("exactly once: \(counters.reportsAccepted) of \(reportsSent) reports accepted, \(counters.duplicatesIgnored) duplicates",
     counters.reportsAccepted == reportsSent && counters.duplicatesIgnored == 0),
    ("membership <= live + 2 x rate x grace = \(live + Int(2 * rate * grace.seconds))",
     samples.allSatisfy { $0.members <= live + Int(2 * rate * grace.seconds) }),
    ("retired records <= 2 x rate x expiry = \(Int(2 * rate * expiry.seconds))",
     samples.allSatisfy { Double($0.retired) <= 2 * rate * expiry.seconds }),
    ("state dir <= 2 x compaction (\(2 * compactionBytes >> 20) MiB)",
     samples.allSatisfy { $0.stateMiB <= Double(2 * compactionBytes >> 20) }),
    ("RSS flat after the first sample: spread \(String(format: "%.1f", rssSpread)) MiB <= 64 MiB", rssSpread <= 64),
]
print(String(format: "rate %.0f incarnations/s; reports accepted %llu", rate, counters.reportsAccepted))
for (bound, held) in bounds { print("\(held ? "ok  " : "FAIL") \(bound)") }
serving.cancel()
_ = await serving.result
sender.closeInBackground()
exit(bounds.allSatisfy(\.1) ? 0 : 1)

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
