// A fleet of N lightweight worker identities in one process against a `curriculum
// coordinator` child process (no state directory), each identity with its own nng sockets
// speaking the real protocol (FleetIdentity.swift). Issue 17's load generator.
//
//     CURRICULUM_BENCHMARKS=1 swift build -c release --product FleetBench
//     .build/release/FleetBench --workers 1000 --join-rate 20/s --report-interval 2s \
//         --categories 16 --per-report 4 --duration 60s [--coordinator-bin PATH] [--json]
//
// Phases: identities join at --join-rate and report from the moment they are accepted;
// one report interval after the last has joined, the measured window of --duration
// starts (coordinator CPU, bytes received, latencies); then every identity drains and
// leaves, and the coordinator's per-category totals (`curriculum status --json`) must
// equal what the fleet reported, exactly.
//
// Bytes: every identity subscribes to all topics, so it counts what the coordinator's
// PUB socket delivers to each subscriber's host (nng's SUB filters only after arrival);
// "coord B/report" is everything the fleet received in the window over the reports made
// in it, the nng message bodies without tcp/nng framing.

import CurriculumWire
import Foundation

let options: FleetOptions
let plan: ReportPlan
let coordinator: CoordinatorProcess
do {
    options = try FleetOptions(Array(CommandLine.arguments.dropFirst()))
    plan = ReportPlan(
        categories: options.categories, perReport: options.perReport, interval: options.reportInterval,
        workers: options.workers)
    coordinator = try CoordinatorProcess(binary: options.coordinatorBinary, categories: plan.categories)
} catch {
    FileHandle.standardError.write(Data("fleetbench: \(error)\n".utf8))
    exit(2)
}
let coordinatorSampler = ProcessSampler(pid: coordinator.pid)
let generatorSampler = ProcessSampler(pid: getpid())
let fleet = Fleet(options: options, plan: plan, endpoints: coordinator.endpoints)
var result = FleetResult()
result.workers = options.workers
result.joinRate = options.joinRate
result.loadBefore = ProcessSampler.loadAverage()
func progress(_ line: String) { FileHandle.standardError.write(Data("fleetbench: \(line)\n".utf8)) }

progress("\(options.workers) identities joining at \(options.joinRate)/s; coordinator pid \(coordinator.pid)")
guard try await fleet.ramp() else {
    progress("not every identity was accepted within the ramp plus 60 s")
    fleet.close()
    coordinator.stop()
    exit(1)
}
try await fleet.run(for: options.reportInterval)

// The measured window.
progress("all joined; measuring \(options.duration)")
let bytesBefore = fleet.bytesReceived()
let reportsBefore = fleet.stats.snapshot.reportsSent
let cpuBefore = (coordinatorSampler.cpuSeconds(), generatorSampler.cpuSeconds())
let windowStart = ContinuousClock.now
fleet.stats.startMeasuring()
// `curriculum status` every 10 s, off the driving loop: the most workers marked lost at once.
let binary = options.coordinatorBinary, broadcast = coordinator.endpoints.broadcast
let lostWatch = Task.detached { () -> (most: Int, samples: Int) in
    var most = 0, samples = 0
    while !Task.isCancelled {
        if let status = try? CoordinatorProcess.status(binary: binary, broadcast: broadcast) {
            most = max(most, StatusSummary(status).lostWorkers)
            samples += 1
        }
        try? await Task.sleep(for: .seconds(10))
    }
    return (most, samples)
}
try await fleet.run(for: options.duration)
fleet.stats.stopMeasuring()
let window = (ContinuousClock.now - windowStart).seconds
let cpuAfter = (coordinatorSampler.cpuSeconds(), generatorSampler.cpuSeconds())
let bytesAfter = fleet.bytesReceived()
let counters = fleet.stats.snapshot
lostWatch.cancel()
let lostWatched = await lostWatch.value
result.lostWorkers = lostWatched.most
result.windowSeconds = window
result.coordinatorCPUPercent = (cpuAfter.0 - cpuBefore.0) / window * 100
result.generatorCPUPercent = (cpuAfter.1 - cpuBefore.1) / window * 100
result.ackP50 = counters.ackLatency.percentile(0.5)
result.ackP99 = counters.ackLatency.percentile(0.99)
result.ackSamples = counters.ackLatency.count
result.policyP50 = counters.policyDelay.percentile(0.5)
result.policyP99 = counters.policyDelay.percentile(0.99)
var windowBytes = 0
for topic in Topic.allCases {
    let bytes = (bytesAfter[topic] ?? 0) - (bytesBefore[topic] ?? 0)
    windowBytes += bytes
    if [.policy, .acks, .status, .control].contains(topic) {
        result.perWorkerBytesPerSecond[topic] = Double(bytes) / Double(options.workers) / window
    }
}
result.coordinatorBytesPerReport = Double(windowBytes) / Double(max(1, counters.reportsSent - reportsBefore))

// Drain, leave, and check exactly-once.
progress("draining")
result.notLeft = try await fleet.drain()
result.retransmissions = fleet.retransmissions
let expected = fleet.stats.snapshot.expected
// Status goes out once a second: the one after every leave holds every merge.
try await Task.sleep(for: .seconds(1.5))
let final = StatusSummary(try CoordinatorProcess.status(binary: binary, broadcast: broadcast))
let unacknowledged = fleet.unacknowledged
let mismatched = expected.keys.sorted().filter { final.totals[$0] != expected[$0] }
// Totals equal to everything the fleet made means each report was merged once, whether or
// not its acknowledgement came back before the drain deadline (listed apart).
result.exactlyOnce = mismatched.isEmpty && !expected.isEmpty
result.exactlyOnceDetail = "\(fleet.stats.snapshot.reportsSent) reports, \(unacknowledged) unacknowledged at the end, "
    + "categories differing: \(mismatched.isEmpty ? "none" : mismatched.joined(separator: ","))"
result.coordinatorPeakRSSMiB = coordinatorSampler.peakResidentMiB()
result.loadAfter = ProcessSampler.loadAverage()
fleet.close()
coordinator.stop()

if options.json {
    print(result.json)
} else {
    print(FleetResult.header)
    print(result.row)
    print(String(
        format: "window %.0f s, %d acknowledgements timed, %d status samples; %d identities not left; %@",
        window, result.ackSamples, lostWatched.samples, result.notLeft, result.exactlyOnceDetail))
}
exit(result.exactlyOnce && result.notLeft == 0 ? 0 : 1)
