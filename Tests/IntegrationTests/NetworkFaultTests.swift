import CurriculumTestSupport
import Foundation
import Testing

extension MultiProcessSuites {
    /// Exactly-once reports over real links in trouble: a coordinator in a head network
    /// namespace, two workers in namespaces of their own joined to it by veth links, and on
    /// those links loss, delay, duplication or a partition (tc netem where the kernel has it,
    /// netfilter where it does not; ``NetworkLab`` logs which). Every scenario ends with the
    /// workers drained and the coordinator's totals equal to the workers' own, per worker and
    /// per category, and logs a `reliability:` line with its figures.
    ///
    /// Needs root and `ip netns` (CI runs as root); skipped otherwise, with the reason printed.
    @Suite(
        .serialized, .timeLimit(.minutes(3)),
        .enabled("needs root, ip netns and veth, and tc netem or iptables; the reason is printed when skipped") {
            LabEnvironment.isAvailable
        })
    struct NetworkFaultTests {
        /// Reports each worker must get merged while the fault is on.
        static let reportsUnderFault: UInt64 = 200

        /// The faults that stay on while the workers report (a partition cuts them off instead).
        enum SteadyFault: CaseIterable, Sendable {
            case loss, delay, duplication

            var fault: NetworkFault {
                switch self {
                case .loss: .loss(percent: 20)
                case .delay: .delay(milliseconds: 200, jitter: 50)
                case .duplication: .duplication(percent: 20)
                }
            }
        }

        /// Each worker gets `reportsUnderFault` more reports merged through the fault, drains,
        /// and loses and double-counts nothing; the fault is seen to act.
        @Test(arguments: SteadyFault.allCases)
        func steadyFaultLosesAndDoubleCountsNothing(_ steady: SteadyFault) async throws {
            let fault = steady.fault
            if steady == .delay, !LabEnvironment.canDelay(for: "NetworkFaultTests \(fault)") {
                try Test.cancel("netfilter delays need python3 for scripts/nfqueue-delay.py")
            }
            // With a segment or its acknowledgement lost 36% of the time, TCP's retransmission
            // timeout (inflated by the losses, doubled at every further one, up to 120 s by
            // default) stalled a connection for 10-30 s now and then in trials: drains took from
            // 1 s to over 90 s. Capping it at 1 s keeps the scenario's length bounded; every fifth
            // packet is still lost, and reports still go through the protocol's resends.
            let lab = try NetworkLab(retransmitTimeoutCap: steady == .loss ? .seconds(1) : nil)
            defer { lab.tearDown() }
            let run = try await FaultRun(lab: lab)
            let before = try lab.wireCounters()
            let applied = try await lab.apply(fault)
            if steady == .delay { try Self.expectDelayedRoundTrips(lab) }
            #expect(await run.reportsFlow(beyond: run.accepted(), count: Self.reportsUnderFault, within: .seconds(60)))
            run.log("\(Self.reportsUnderFault) more reports merged from each worker under the fault; draining")
            let summaries = try await run.drainWorkers()
            run.log("drained")
            let holders = try await lab.remove(applied)

            switch steady {
            // Not held to 20% exactly: the counters also see the packets exchanged while the
            // rule is installed and removed, and on a loaded machine measured loss shares down
            // to 9% (18-20% when quiet).
            case .loss: try await Self.expectActed(fault, run, since: before, share: \.lostFraction, in: 0.05...0.3)
            case .duplication:
                try await Self.expectActed(fault, run, since: before, share: \.duplicatedFraction, in: 0.1...0.3)
            case .delay: Self.expectHeld(holders)
            }
            print(try run.reconcile(summaries, scenario: "\(fault) both ways [\(lab.mechanismTag)]"))
            try await run.stop()
        }

        /// The rule acted, where iptables counts the wire: hundreds of packets crossed each way
        /// and a clear share of them vanished or arrived twice.
        static func expectActed(
            _ fault: NetworkFault, _ run: FaultRun, since before: WireCounters?,
            share: KeyPath<WireCounters.Direction, Double>, in expected: ClosedRange<Double>
        ) async throws {
            guard let before, let wire = try await run.settledWireCounters().map({ $0 - before }) else { return }
            print("wire under \(fault): \(wire)")
            for direction in [wire.workerToHead, wire.headToWorker] {
                #expect(direction.sent >= 300, "\(wire)")
                #expect(expected.contains(direction[keyPath: share]), "\(wire)")
            }
        }

        /// 150-250 ms each way: a round trip takes 300-500 ms, plus scheduling on a busy machine.
        static func expectDelayedRoundTrips(_ lab: NetworkLab) throws {
            for worker in lab.workers {
                if let trips = try lab.roundTrips(from: worker, count: 5) {
                    print("round trips \(worker.namespace) -> head under delay: \(trips) ms")
                    #expect(trips.count == 5)
                    #expect(trips.allSatisfy { (290...900).contains($0) }, "\(trips)")
                }
            }
        }

        /// Each netfilter delay holder held packets, none under 150 ms and 170-250 ms on average;
        /// netem has no holders.
        static func expectHeld(_ holders: [(holder: String, report: DelayHolderReport)]) {
            for (holder, report) in holders {
                print("\(holder): \(report)")
                #expect(report.held > 0, "\(holder)")
                #expect(report.minMs.map { $0 >= 149 } ?? false, "\(holder): \(report)")
                #expect(report.meanMs.map { (170...250).contains($0) } ?? false, "\(holder): \(report)")
            }
        }

        /// The spec's partition lasts 10 s, so this one is timed; everything asserted is observed.
        @Test func tenSecondPartitionHealsAndLosesAndDoubleCountsNothing() async throws {
            let partition: Duration = .seconds(10)
            let lab = try NetworkLab()
            defer { lab.tearDown() }
            // A lease well inside the partition, so that the workers are certainly marked lost
            // during it (with the 10 s default that would be a race) and must come back.
            let run = try await FaultRun(lab: lab, leaseMs: 4_000)
            let clock = ContinuousClock()
            let fault = try await lab.apply(.partition)
            // The rules are in place once apply returns: from here on nothing may get through.
            let start = clock.now
            let wireAtCut = try lab.wireCounters()

            let markedLost = await eventually(within: partition - .seconds(1)) {
                let states = run.states()
                return run.workerIDs.allSatisfy { states[$0] == "lost" }
            }
            #expect(markedLost, "workers not marked lost during the partition: \(run.states())")
            run.log("both workers marked lost")
            // Taken once the coordinator has had seconds to merge what reached it before the cut.
            let acceptedWhileCut = run.accepted()
            try await clock.sleep(until: start + partition)
            #expect(run.accepted() == acceptedWhileCut, "reports merged through a partition")
            if let wireAtCut, let wire = try lab.wireCounters().map({ $0 - wireAtCut }) {
                print("wire during the partition: \(wire)")
                #expect(wire.workerToHead.delivered == 0 && wire.headToWorker.delivered == 0, "\(wire)")
                #expect(wire.workerToHead.sent > 0, "the workers stopped trying: \(wire)")
            }
            try await lab.remove(fault)
            run.log("partition healed after \(partition)")
            let healed = clock.now

            let back = await eventually(within: .seconds(45)) {
                let states = run.states()
                let accepted = run.accepted()
                return run.workerIDs.allSatisfy { states[$0] == "active" && accepted[$0] ?? 0 > acceptedWhileCut[$0] ?? 0 }
            }
            #expect(back, "workers not active again after the partition healed: \(run.states())")
            run.log("workers active and merging again \(FaultRun.seconds(clock.now - healed)) after the heal")
            #expect(await run.reportsFlow(beyond: run.accepted(), count: 50, within: .seconds(30)))
            let summaries = try await run.drainWorkers()
            print(try run.reconcile(summaries, scenario: "10 s full partition, healed [\(lab.mechanismTag)]"))
            try await run.stop()
        }
    }
}
