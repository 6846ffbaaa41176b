import CurriculumTestSupport
import CurriculumWire
import NNG

/// Sits between workers and a coordinator and mistreats their traffic in both
/// directions: drops, duplicates and reorders messages, each at a set rate,
/// from a seeded generator so a failing run can be repeated. The first report frame it
/// forwards always goes twice, so a duplicate reaches the coordinator however few frames
/// the workers' batching leaves to roll the dice on.
struct FaultyRelay: Sendable {
    struct Faults: Sendable {
        var dropRate: Double
        var duplicateRate: Double
        /// Share of messages held back and released after the next one.
        var reorderRate: Double
    }

    /// Workers dial these instead of the coordinator's endpoints.
    let broadcastURL: String
    let reportsURL: String
    private let coordinatorBroadcastURL: String
    private let coordinatorReportsURL: String
    private let faults: Faults
    private let seed: UInt64

    init(coordinatorBroadcastURL: String, coordinatorReportsURL: String, prefix: String, faults: Faults, seed: UInt64) {
        self.coordinatorBroadcastURL = coordinatorBroadcastURL
        self.coordinatorReportsURL = coordinatorReportsURL
        self.broadcastURL = "\(prefix)-relay-broadcast"
        self.reportsURL = "\(prefix)-relay-reports"
        self.faults = faults
        self.seed = seed
    }

    /// Forwards until cancelled.
    func run() async throws {
        let fromCoordinator = try Socket(.subscriber)
        let toWorkers = try Socket(.publisher)
        let fromWorkers = try Socket(.subscriber)
        let toCoordinator = try Socket(.publisher)
        // In the background: libnng 1.5.2 can wedge its reaper when a close races a receive
        // (nanomsg/nng#1813), and a close waiting on it here would hold one of the two
        // threads every test of this process shares (seen: the whole suite stalled).
        defer {
            for socket in [fromCoordinator, toWorkers, fromWorkers, toCoordinator] { socket.closeInBackground() }
        }
        for socket in [fromCoordinator, fromWorkers] {
            try socket.subscribe(to: [])
            try socket.setReceiveBufferSize(8192)
        }
        for socket in [toWorkers, toCoordinator] {
            try socket.setSendBufferSize(8192)
        }
        try toWorkers.listen(broadcastURL)
        try fromWorkers.listen(reportsURL)
        let fast = ReconnectPolicy(minimum: .milliseconds(20), maximum: .milliseconds(200))
        try fromCoordinator.dial(coordinatorBroadcastURL, reconnect: fast)
        try toCoordinator.dial(coordinatorReportsURL, reconnect: fast)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forward(from: fromCoordinator, to: toWorkers, seed: seed) }
            group.addTask {
                try await forward(from: fromWorkers, to: toCoordinator, seed: seed &+ 1, duplicatingFirstReport: true)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func forward(
        from source: Socket, to destination: Socket, seed: UInt64, duplicatingFirstReport: Bool = false
    ) async throws {
        var random = TestRandom(seed: seed)
        var held: [UInt8]?
        var reportDuplicated = !duplicatingFirstReport
        for try await message in source.messages {
            let roll = Double(random.next() >> 11) / Double(1 << 53)
            if roll < faults.dropRate { continue }
            if held == nil, roll < faults.dropRate + faults.reorderRate {
                held = message.bytes
                continue
            }
            try await destination.send(message.bytes)
            if !reportDuplicated, message.bytes.starts(with: Topic.report.rawValue.utf8) {
                reportDuplicated = true
                try await destination.send(message.bytes)
            } else if roll > 1 - faults.duplicateRate {
                try await destination.send(message.bytes)
            }
            if let late = held {
                held = nil
                try await destination.send(late)
            }
        }
    }
}
