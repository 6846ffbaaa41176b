import Monitoring
import Testing

@Suite("Status history")
struct StatusHistoryTests {
    private func sample(_ timeMs: UInt64, version: UInt64 = 1) -> StatusHistory.Sample {
        StatusHistory.Sample(
            timeMs: timeMs, version: version, categories: ["a"], probabilities: [1], values: [0], reportsAccepted: 0)
    }

    @Test("answers the samples after a time, oldest first")
    func samplesAfter() {
        var history = StatusHistory(capacity: 10)
        for time in [100, 200, 300, 400] as [UInt64] { history.append(sample(time)) }
        #expect(history.samples(after: 0).map(\.timeMs) == [100, 200, 300, 400])
        #expect(history.samples(after: 200).map(\.timeMs) == [300, 400])
        #expect(history.samples(after: 250).map(\.timeMs) == [300, 400])
        #expect(history.samples(after: 400).isEmpty)
    }

    @Test("keeps the newest samples up to its capacity")
    func bounded() {
        var history = StatusHistory(capacity: 3)
        for time in 1...10 as ClosedRange<UInt64> { history.append(sample(time)) }
        #expect(history.samples.map(\.timeMs) == [8, 9, 10])
    }

    @Test("ignores a sample not newer than the last, so times only increase")
    func monotonic() {
        var history = StatusHistory(capacity: 5)
        history.append(sample(500, version: 1))
        history.append(sample(500, version: 2))
        history.append(sample(400, version: 3))
        #expect(history.samples.map(\.version) == [1])
    }
}
