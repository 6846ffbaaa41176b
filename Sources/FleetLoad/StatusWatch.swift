import CurriculumWire
import NNG
import Synchronization

/// Watches a coordinator's status endpoint (a STAT once a second): keeps the newest status
/// and every worker any status showed `lost` (a lost worker that speaks again is active in
/// the next one, so only watching all of them sees it). In-process rather than through
/// `curriculum status`: spawning a child from a process holding thousands of sockets crashed
/// in Foundation's `Process.run` (a bad memcpy, once in seven FleetBench runs).
public final class StatusWatch: Sendable {
    private struct State {
        var status: Wire.Status?
        var statuses = 0
        var lost: Set<String> = []
    }

    private let socket: Socket
    private let state = Mutex(State())

    public init(statusURL: String) throws {
        socket = try Socket(.subscriber)
        try socket.subscribe(to: Topic.status.bytes)
        // A status row per worker: about 60 bytes each, 240 KB at 4,000 workers.
        try socket.setMaxReceiveSize(WireCodec.defaultMaximumFrameSize)
        try socket.dial(statusURL, reconnect: ReconnectPolicy(minimum: .milliseconds(50)))
        Task.detached { await self.consume() }
    }

    /// Runs until ``stop()`` closes the socket, which ends the sequence.
    private func consume() async {
        do {
            for try await message in socket.messages {
                guard case .status(let status)? = try? WireCodec.decode(message.bytes) else { continue }
                let lost = status.workers.filter { $0.state == "lost" }.map(\.worker.workerID)
                state.withLock { state in
                    state.status = status
                    state.statuses += 1
                    state.lost.formUnion(lost)
                }
            }
        } catch {
            // Closed by stop().
        }
    }

    /// The newest status, and how many have arrived.
    public var latest: (status: Wire.Status?, count: Int) { state.withLock { ($0.status, $0.statuses) } }

    /// Every worker id any status so far showed lost.
    public var everLost: Set<String> { state.withLock { $0.lost } }

    /// The per-category totals of the newest status, in the form ``FleetStats`` expects them.
    public var totals: [String: FleetStats.ExpectedTotals] {
        Dictionary(uniqueKeysWithValues: (latest.status?.totals ?? []).map { total in
            (total.category, FleetStats.ExpectedTotals(
                count: total.count, sumAbsAdvantage: total.sumAbsAdvantage,
                sumSquaredAdvantage: total.sumSquaredAdvantage, sumReward: total.sumReward, reports: total.reports))
        })
    }

    public func stop() { socket.closeInBackground() }
}
