// A fleet of N lightweight worker identities in one process against a `curriculum
// coordinator` child process (no state directory), each identity with its own nng sockets
// speaking the real protocol, version 2 (Sources/FleetLoad). Issue 17's load generator.
//
//     CURRICULUM_BENCHMARKS=1 swift build -c release --product FleetBench
//     .build/release/FleetBench --workers 1000 --join-rate 50/s --report-interval 2s \
//         --categories 16 --per-report 4 --duration 60s [--relays N] [--coordinator-bin PATH] \
//         [--coordinator-arg ARG ...] [--json]
//
// Phases: identities join at --join-rate and report from the moment they are accepted;
// one report interval after the last has joined, the measured window of --duration
// starts (coordinator CPU, bytes received, latencies); then every identity drains and
// leaves, and the coordinator's per-category totals (its status endpoint, watched from the
// start: StatusWatch) must equal what the fleet reported, exactly. Lost: every worker any
// status of the run showed lost.
//
// With --relays N, N `curriculum relay` child processes dial the coordinator over tcp and
// serve the identities over ipc, identity i on relay i % N.
//
// Bytes: every identity subscribes to all topics of the broadcast, so it counts what the
// coordinator's PUB socket delivers to each subscriber's host (nng's SUB filters only after
// arrival), and counts every reply its REQ socket receives; "coord B/report" is everything
// the fleet received in the window over the reports made in it, the nng message bodies
// without tcp/nng framing.

import CurriculumWire
import FleetLoad
import Foundation

let options: FleetOptions
let plan: ReportPlan
let coordinator: CoordinatorProcess
var relays: [RelayProcess] = []
let relayDirectory = FileManager.default.temporaryDirectory.path + "/fleetbench-\(getpid())"
do {
    options = try FleetOptions(Array(CommandLine.arguments.dropFirst()))
    plan = ReportPlan(
        categories: options.categories, perReport: options.perReport, interval: options.reportInterval,
        workers: options.workers)
    // Two sockets per identity, each a connection here and (direct) one at the coordinator,
    // which inherits this limit; plus nng's own and the relays' few.
    FileDescriptorLimit.raise(toAtLeast: 2 * options.workers + 1024)
    coordinator = try CoordinatorProcess(
        binary: options.coordinatorBinary, categories: plan.categories, extraArguments: options.coordinatorArguments)
    if options.relays > 0 {
        try FileManager.default.createDirectory(atPath: relayDirectory, withIntermediateDirectories: true)
        for index in 0..<options.relays {
            relays.append(try RelayProcess(
                binary: options.coordinatorBinary, index: index, coordinator: coordinator.endpoints,
                directory: relayDirectory))
        }
    }
} catch {
    FileHandle.standardError.write(Data("fleetbench: \(error)\n".utf8))
    exit(2)
}
let statusWatch: StatusWatch
do { statusWatch = try StatusWatch(statusURL: coordinator.statusURL) } catch {
    FileHandle.standardError.write(Data("fleetbench: status endpoint: \(error)\n".utf8))
    exit(2)
}
let coordinatorSampler = ProcessSampler(pid: coordinator.pid)
let generatorSampler = ProcessSampler(pid: getpid())
let relaySamplers = relays.map { ProcessSampler(pid: $0.pid) }
@MainActor func relaysCPUSeconds() -> Double { relaySamplers.reduce(0) { $0 + $1.cpuSeconds() } }
@MainActor func stopChildren() {
    statusWatch.stop()
    for relay in relays { relay.stop() }
    coordinator.stop()
    try? FileManager.default.removeItem(atPath: relayDirectory)
}
let fleet = Fleet(
    workers: options.workers, joinRate: options.joinRate, plan: plan,
    endpoints: relays.isEmpty ? [coordinator.endpoints] : relays.map(\.endpoints))
var result = FleetResult()
result.workers = options.workers
result.relays = options.relays
result.joinRate = options.joinRate
result.loadBefore = ProcessSampler.loadAverage()
func progress(_ line: String) { FileHandle.standardError.write(Data("fleetbench: \(line)\n".utf8)) }

progress("\(options.workers) identities joining at \(options.joinRate)/s through \(options.relays) relays; coordinator pid \(coordinator.pid)")
guard try await fleet.ramp() else {
    progress("not every identity was accepted within the ramp plus 60 s")
    await fleet.close()
    stopChildren()
    exit(1)
}
try await fleet.run(for: options.reportInterval)

// The measured window.
progress("all joined; measuring \(options.duration)")
let bytesBefore = await fleet.bytesReceived()
let reportsBefore = fleet.stats.snapshot.reportsSent
let cpuBefore = (coordinatorSampler.cpuSeconds(), generatorSampler.cpuSeconds(), relaysCPUSeconds())
let windowStart = ContinuousClock.now
fleet.stats.startMeasuring()
try await fleet.run(for: options.duration)
fleet.stats.stopMeasuring()
let window = (ContinuousClock.now - windowStart).seconds
let cpuAfter = (coordinatorSampler.cpuSeconds(), generatorSampler.cpuSeconds(), relaysCPUSeconds())
let windowBytes = await fleet.bytesReceived().since(bytesBefore)
let counters = fleet.stats.snapshot
result.windowSeconds = window
result.coordinatorCPUPercent = (cpuAfter.0 - cpuBefore.0) / window * 100
result.generatorCPUPercent = (cpuAfter.1 - cpuBefore.1) / window * 100
result.relaysCPUPercent = (cpuAfter.2 - cpuBefore.2) / window * 100
result.ackP50 = counters.ackLatency.percentile(0.5)
result.ackP99 = counters.ackLatency.percentile(0.99)
result.ackSamples = counters.ackLatency.count
result.policyP50 = counters.policyDelay.percentile(0.5)
result.policyP99 = counters.policyDelay.percentile(0.99)
let perWorkerSecond = Double(options.workers) * window
result.perWorkerBytesPerSecond = (
    windowBytes.broadcast.mapValues { Double($0) / perWorkerSecond },
    windowBytes.replies.mapValues { Double($0) / perWorkerSecond })
result.coordinatorBytesPerReport = Double(windowBytes.total) / Double(max(1, counters.reportsSent - reportsBefore))

// Drain, leave, and check exactly-once.
progress("draining")
result.notLeft = try await fleet.drain()
result.retransmissions = await fleet.retransmissions
let sendsRefused = await fleet.sendsRefused
let exchanged = await fleet.requestsAndReplies
let expected = fleet.stats.snapshot.expected
// Status goes out once a second: the second one after every leave holds every merge.
let statusesAtDrain = statusWatch.latest.count
let statusDeadline = ContinuousClock.now + .seconds(10)
while statusWatch.latest.count < statusesAtDrain + 2, ContinuousClock.now < statusDeadline {
    try await Task.sleep(for: .milliseconds(50))
}
let finalTotals = statusWatch.totals
result.lostWorkers = statusWatch.everLost.count
let unacknowledged = await fleet.unacknowledged
let mismatched = expected.keys.sorted().filter { finalTotals[$0] != expected[$0] }
// Totals equal to everything the fleet made means each report was merged once, whether or
// not its acknowledgement came back before the drain deadline (listed apart).
result.exactlyOnce = mismatched.isEmpty && !expected.isEmpty
result.exactlyOnceDetail = "\(fleet.stats.snapshot.reportsSent) reports, \(unacknowledged) unacknowledged at the end, "
    + "\(sendsRefused) requests refused by a full send queue, \(exchanged.requests) sent, "
    + "\(exchanged.replies) replies received (\(exchanged.requests - exchanged.replies) unanswered: gathered into a later reply or lost), "
    + "categories differing: \(mismatched.isEmpty ? "none" : mismatched.joined(separator: ","))"
result.coordinatorPeakRSSMiB = coordinatorSampler.peakResidentMiB()
result.loadAfter = ProcessSampler.loadAverage()
await fleet.close()
stopChildren()

if options.json {
    print(result.json)
} else {
    print(FleetResult.header)
    print(result.row)
    print(String(
        format: "window %.0f s, %d acknowledgements timed, %d statuses watched; %d identities not left; %@",
        window, result.ackSamples, statusWatch.latest.count, result.notLeft, result.exactlyOnceDetail))
}
exit(result.exactlyOnce && result.notLeft == 0 ? 0 : 1)
