import CurriculumWire
import Synchronization

/// What the whole fleet observed, shared by every identity's receive task and the driver.
/// Only the measured window counts towards latencies; the reports made and their expected
/// totals count over the whole run, since exactly-once is checked over all of it. Bytes
/// and retransmissions are counted by each identity (FleetIdentity.State), without a
/// shared lock on every received frame.
public final class FleetStats: Sendable {
    public struct Counters: Sendable {
        public var measuring = false
        public var ackLatency = LatencySamples()
        public var policyDelay = LatencySamples()
        public var reportsSent = 0
        /// Per category: samples, sum of |advantage|, sum of squared advantage, sum of reward.
        public var expected: [String: ExpectedTotals] = [:]
    }

    public struct ExpectedTotals: Sendable, Equatable {
        public var count: UInt64 = 0
        public var sumAbsAdvantage = 0.0
        public var sumSquaredAdvantage = 0.0
        public var sumReward = 0.0
        public var reports: UInt64 = 0

        public init(
            count: UInt64 = 0, sumAbsAdvantage: Double = 0, sumSquaredAdvantage: Double = 0, sumReward: Double = 0,
            reports: UInt64 = 0
        ) {
            self.count = count
            self.sumAbsAdvantage = sumAbsAdvantage
            self.sumSquaredAdvantage = sumSquaredAdvantage
            self.sumReward = sumReward
            self.reports = reports
        }
    }

    public init() {}

    private let counters = Mutex(Counters())

    private func update<Result>(_ body: (inout Counters) -> Result) -> Result {
        counters.withLock { body(&$0) }
    }

    public var snapshot: Counters { counters.withLock { $0 } }

    /// Starts the measured window: latencies from now on.
    public func startMeasuring() {
        update {
            $0.measuring = true
            $0.ackLatency.removeAll()
            $0.policyDelay.removeAll()
        }
    }

    public func stopMeasuring() { update { $0.measuring = false } }

    /// Reports first sent this long ago were acknowledged.
    func acknowledged(latenciesMs: [Double]) {
        update {
            guard $0.measuring else { return }
            for latency in latenciesMs { $0.ackLatency.record(latency) }
        }
    }

    func policyArrived(delayMs: Double) {
        update { if $0.measuring { $0.policyDelay.record(delayMs) } }
    }

    func reportMade(_ report: ReportFrame) {
        update {
            $0.reportsSent += 1
            for entry in report.categories {
                $0.expected[entry.category, default: ExpectedTotals()].add(entry)
            }
        }
    }
}

extension FleetStats.ExpectedTotals {
    mutating func add(_ entry: ReportFrame.Category) {
        count += entry.count
        sumAbsAdvantage += entry.sumAbsAdvantage
        sumSquaredAdvantage += entry.sumSquaredAdvantage
        sumReward += entry.sumReward
        reports += 1
    }
}
