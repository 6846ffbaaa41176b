import CurriculumTestSupport
import FleetLoad
import Foundation
import Testing

extension MultiProcessSuites {
    /// A thousand worker identities (Sources/FleetLoad: each its own SUB and raw REQ socket,
    /// speaking protocol 2 as `WorkerAgent` does) in this process against a `curriculum
    /// coordinator` process over loopback tcp: everything they report is merged exactly once,
    /// and none is marked lost. How fast is FleetBench's question, not this test's.
    @Suite(.serialized, .timeLimit(.minutes(4)))
    struct FleetTests {
        static let workers = 1_000

        @Test func aThousandIdentitiesReportExactlyOnceAndNoneIsLost() async throws {
            // Two sockets per identity, here and at the coordinator (which inherits the limit):
            // more than the usual default soft limit of 1,024 open files.
            let limit = FileDescriptorLimit.raise(toAtLeast: 2 * Self.workers + 1_024)
            try #require(limit >= 2 * Self.workers + 256, "open-file limit \(limit) is too low for \(Self.workers) identities")
            let plan = ReportPlan(categories: 16, perReport: 4, interval: .seconds(2), workers: Self.workers)
            let coordinator = try CurriculumProcess(
                ["coordinator", "--broadcast", "tcp://127.0.0.1:0", "--requests", "tcp://127.0.0.1:0",
                 "--status", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0",
                 "--categories", plan.categories.joined(separator: ","), "--log-level", "warning"],
                name: "coordinator")
            let endpoints = try RelayEndpoints(readyLine: try await coordinator.firstLine(timeout: .seconds(30)))
            // Every status of the run, from before the first join: a worker lost and back is seen.
            let statusWatch = try StatusWatch(statusURL: try #require(endpoints.status))
            defer { statusWatch.stop() }
            let fleet = Fleet(
                workers: Self.workers, joinRate: 100, plan: plan,
                endpoints: [FleetEndpoints(broadcast: endpoints.broadcast, requests: endpoints.requests)])

            let joined = try await fleet.ramp(grace: .seconds(30))
            try #require(joined, "not every identity was accepted within 10 s of ramp plus 30 s")
            try await fleet.run(for: .seconds(10))
            let notLeft = try await fleet.drain(deadline: .seconds(30))
            await fleet.close()

            let counters = fleet.stats.snapshot
            #expect(notLeft == 0, "\(notLeft) identities had reports unacknowledged or no leave answered after 30 s")
            #expect(statusWatch.latest.count > 0, "no status arrived")
            let lost = statusWatch.everLost
            #expect(lost.isEmpty, "marked lost: \(lost.sorted().prefix(10))")
            // At least one report from each identity: the run was a real fleet, not a few.
            #expect(counters.reportsSent >= Self.workers)
            // Each report merged once: the coordinator's totals equal what the fleet made,
            // exactly (every value a multiple of 1/4). The status after the last leave shows it.
            let exact = await eventually(within: .seconds(10)) { statusWatch.totals == counters.expected }
            #expect(exact, "coordinator \(statusWatch.totals) against reported \(counters.expected)")
        }
    }
}
