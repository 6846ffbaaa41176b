import Foundation
import Testing

extension MultiProcessSuites.NetworkFaultTests {
    /// Each worker talks to a `curriculum relay` in its own namespace over ipc; only the
    /// relays cross the lossy links to the coordinator. The workers' resends make up for what
    /// the link drops, through the relay: nothing lost, nothing counted twice.
    @Test func lossBetweenRelaysAndCoordinatorLosesAndDoubleCountsNothing() async throws {
        let fault = NetworkFault.loss(percent: 20)
        // As in the direct loss scenario: TCP's retransmission timeout capped at 1 s keeps the
        // drains bounded.
        let lab = try NetworkLab(retransmitTimeoutCap: .seconds(1))
        defer { lab.tearDown() }
        let run = try await FaultRun(lab: lab, throughRelays: true)
        let before = try lab.wireCounters()
        let applied = try await lab.apply(fault)
        // As many reports as the direct scenarios: with 100, the broadcast budget's fewer
        // policies left 267-285 packets each way, under expectActed's 300.
        let count = Self.reportsUnderFault
        #expect(await run.reportsFlow(beyond: run.accepted(), count: count, within: .seconds(60)))
        run.log("\(count) more reports merged from each worker through its relay under the fault; draining")
        let summaries = try await run.drainWorkers()
        _ = try await lab.remove(applied)
        // The relays' links are the workers' links of the lab: the same counters see the loss,
        // once the relays have stopped and nothing crosses them any more.
        try await run.stopRelays()
        try await Self.expectActed(fault, run, since: before, share: \.lostFraction, in: 0.05...0.3)
        print(try run.reconcile(summaries, scenario: "\(fault) between relays and coordinator [\(lab.mechanismTag)]"))
        try await run.stop()
    }
}
