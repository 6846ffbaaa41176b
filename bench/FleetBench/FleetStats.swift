import CurriculumWire
import Synchronization

/// What the whole fleet observed, shared by every identity's receive task and the driver.
/// Only the measured window counts towards bytes and latencies; retransmissions and the
/// expected totals count over the whole run, since exactly-once is checked over all of it.
final class FleetStats: Sendable {
    struct Counters {
        var measuring = false
        var bytesByTopic: [Topic: Int] = [:]
        var framesByTopic: [Topic: Int] = [:]
        var ackLatency = LatencySamples()
        var policyDelay = LatencySamples()
        var reportsAcknowledged = 0
        var reportsSent = 0
        var retransmissions = 0
        var joinsSent = 0
        /// Per category: samples, sum of |advantage|, sum of squared advantage, sum of reward.
        var expected: [String: ExpectedTotals] = [:]
    }

    struct ExpectedTotals: Equatable {
        var count: UInt64 = 0
        var sumAbsAdvantage = 0.0
        var sumSquaredAdvantage = 0.0
        var sumReward = 0.0
        var reports: UInt64 = 0
    }

    private let counters = Mutex(Counters())

    func update<Result>(_ body: (inout Counters) -> Result) -> Result {
        counters.withLock { body(&$0) }
    }

    var snapshot: Counters { counters.withLock { $0 } }

    /// Starts the measured window: bytes, latencies and acknowledgements from now on.
    func startMeasuring() {
        update {
            $0.measuring = true
            $0.bytesByTopic = [:]
            $0.framesByTopic = [:]
            $0.ackLatency.removeAll()
            $0.policyDelay.removeAll()
            $0.reportsAcknowledged = 0
        }
    }

    func stopMeasuring() { update { $0.measuring = false } }

    func received(_ byteCount: Int, topic: Topic) {
        update {
            guard $0.measuring else { return }
            $0.bytesByTopic[topic, default: 0] += byteCount
            $0.framesByTopic[topic, default: 0] += 1
        }
    }

    /// Reports first sent this long ago were acknowledged.
    func acknowledged(latenciesMs: [Double]) {
        update {
            guard $0.measuring else { return }
            $0.reportsAcknowledged += latenciesMs.count
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
