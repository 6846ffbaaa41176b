import CurriculumWire
import Testing

@testable import CurriculumCLI

/// Holds a coordinator's final status against what the worker incarnations say they produced:
/// per incarnation, per category and in total, exactly.
///
/// `summaries` are the drained incarnations' own lines; `killed` names incarnations
/// ("ID#INCARNATION") that were SIGKILLed and left no summary: what the coordinator merged of
/// theirs is taken from its status, and per category the totals must then exceed the drained
/// incarnations' by exactly that much. No other incarnation may appear in the status.
func reconcileTotals(
    _ status: Wire.Status, versions: [UInt64], summaries: [Summary], killed: [String] = [], scenario: String
) -> ReliabilityFigures {
    func key(_ worker: Wire.WorkerStatus) -> String { "\(worker.worker.workerID)#\(worker.worker.incarnation)" }
    #expect(Set(status.workers.map(key)) == Set(summaries.map(\.worker) + killed), "incarnations in the status")
    var lost: UInt64 = 0
    var doubleCounted: UInt64 = 0
    for summary in summaries.sorted(by: { $0.worker < $1.worker }) {
        let entries = status.workers.filter { key($0) == summary.worker }
        #expect(entries.count == 1, "one entry for \(summary.worker): \(entries)")
        let reports = entries.reduce(0) { $0 + $1.reportsAccepted }
        let samples = entries.reduce(0) { $0 + $1.samplesAccepted }
        #expect(summary.abandoned == 0, "\(summary.worker)")
        #expect(summary.acknowledged == summary.reports, "\(summary.worker)")
        #expect(reports == summary.reports, "\(summary.worker): merged \(reports) of \(summary.reports)")
        #expect(samples == summary.samples, "\(summary.worker): merged \(samples) samples of \(summary.samples)")
        lost += summary.reports > reports ? summary.reports - reports : 0
        doubleCounted += reports > summary.reports ? reports - summary.reports : 0
    }
    let killedEntries = status.workers.filter { killed.contains(key($0)) }
    let killedReports = killedEntries.reduce(0) { $0 + $1.reportsAccepted }
    let killedSamples = killedEntries.reduce(0) { $0 + $1.samplesAccepted }

    // Per category: every sample and every report once, and the sums with them. The sums
    // agree to rounding only: both sides are compensated sums, but the coordinator adds the
    // workers' reports interleaved, the test adds their totals.
    var produced: [String: (reports: Int, count: Int, abs: Double, squared: Double, reward: Double)] = [:]
    for category in summaries.flatMap(\.categories) {
        var entry = produced[category.category, default: (0, 0, 0, 0, 0)]
        entry.reports += category.reports
        entry.count += category.count
        entry.abs += category.sumAbsAdvantage
        entry.squared += category.sumSquaredAdvantage
        entry.reward += category.sumReward
        produced[category.category] = entry
    }
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(a), abs(b)) }
    if killed.isEmpty {
        #expect(Set(status.totals.map(\.category)) == Set(produced.keys))
        for totals in status.totals {
            guard let mine = produced[totals.category] else { continue }
            #expect(totals.reports == UInt64(mine.reports), "\(totals.category) reports")
            #expect(totals.count == UInt64(mine.count), "\(totals.category) samples")
            #expect(close(totals.sumAbsAdvantage, mine.abs), "\(totals.category): \(totals.sumAbsAdvantage) vs \(mine.abs)")
            #expect(close(totals.sumSquaredAdvantage, mine.squared), "\(totals.category) sum of squares")
            #expect(close(totals.sumReward, mine.reward), "\(totals.category) rewards")
        }
    } else {
        // The killed incarnations' categories are unknown one by one; what each category holds
        // beyond the drained incarnations' is theirs, and the samples add up to exactly what
        // they merged. (A report counts once in every category it covers, so category report
        // counts do not add up to worker report counts.)
        var extraSamples: UInt64 = 0
        for totals in status.totals {
            let mine = produced[totals.category] ?? (0, 0, 0, 0, 0)
            #expect(totals.reports >= UInt64(mine.reports), "\(totals.category) reports")
            #expect(totals.count >= UInt64(mine.count), "\(totals.category) samples")
            extraSamples += totals.count - min(totals.count, UInt64(mine.count))
        }
        #expect(extraSamples == killedSamples, "samples beyond the drained incarnations'")
    }

    let sent = summaries.reduce(0) { $0 + $1.reports }
    #expect(status.reportsAccepted == sent + killedReports)
    #expect(status.reportsRejected == 0)
    #expect(status.malformedMessages == 0)
    // Policy versions, as the monitor saw them, never went back.
    #expect(!versions.isEmpty)
    #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 <= $1 })

    return ReliabilityFigures(
        scenario: scenario, sent: sent, merged: status.reportsAccepted, duplicatesIgnored: status.duplicatesIgnored,
        resends: summaries.reduce(0) { $0 + $1.retransmissions }, lost: lost, doubleCounted: doubleCounted)
}
