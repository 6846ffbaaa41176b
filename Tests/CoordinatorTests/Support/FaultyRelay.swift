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
    let requestsURL: String
    private let coordinatorBroadcastURL: String
    private let coordinatorRequestsURL: String
    private let faults: Faults
    private let seed: UInt64

    init(coordinatorBroadcastURL: String, coordinatorRequestsURL: String, prefix: String, faults: Faults, seed: UInt64) {
        self.coordinatorBroadcastURL = coordinatorBroadcastURL
        self.coordinatorRequestsURL = coordinatorRequestsURL
        self.broadcastURL = "\(prefix)-relay-broadcast"
        self.requestsURL = "\(prefix)-relay-requests"
        self.faults = faults
        self.seed = seed
    }

    /// Forwards until cancelled: policies down, requests up, replies down, each mistreated.
    func run() async throws {
        let fromCoordinator = try Socket(.subscriber)
        let toWorkers = try Socket(.publisher)
        // Raw, as in `curriculum relay`: each message keeps the header that routes its reply.
        let workerRequests = try Socket(.replier, raw: true)
        let coordinatorRequests = try Socket(.requester, raw: true)
        // In the background: libnng 1.5.2 can wedge its reaper when a close races a receive
        // (nanomsg/nng#1813), and a close waiting on it here would hold one of the two
        // threads every test of this process shares (seen: the whole suite stalled).
        defer {
            for socket in [fromCoordinator, toWorkers, workerRequests, coordinatorRequests] {
                socket.closeInBackground()
            }
        }
        try fromCoordinator.subscribe(to: [])
        for socket in [fromCoordinator, workerRequests, coordinatorRequests] { try socket.setReceiveBufferSize(8192) }
        for socket in [toWorkers, workerRequests, coordinatorRequests] { try socket.setSendBufferSize(8192) }
        try toWorkers.listen(broadcastURL)
        try workerRequests.listen(requestsURL)
        let fast = ReconnectPolicy(minimum: .milliseconds(20), maximum: .milliseconds(200))
        try fromCoordinator.dial(coordinatorBroadcastURL, reconnect: fast)
        try coordinatorRequests.dial(coordinatorRequestsURL, reconnect: fast)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forward(from: fromCoordinator, to: toWorkers, seed: seed) }
            group.addTask {
                try await forward(
                    from: workerRequests, to: coordinatorRequests, seed: seed &+ 1, duplicatingFirstReport: true)
            }
            group.addTask { try await forward(from: coordinatorRequests, to: workerRequests, seed: seed &+ 2) }
            try await group.next()
            group.cancelAll()
        }
    }

    private func forward(
        from source: Socket, to destination: Socket, seed: UInt64, duplicatingFirstReport: Bool = false
    ) async throws {
        var random = TestRandom(seed: seed)
        var held: Message?
        var reportDuplicated = !duplicatingFirstReport
        // Every destination here takes a message without waiting (a publisher, or a raw
        // request/reply socket with a deep queue), so nothing is lost but what the dice drop.
        func pass(_ message: Message) throws {
            _ = try destination.trySend(message.bytes, header: message.header)
        }
        for try await message in source.messages {
            let roll = Double(random.next() >> 11) / Double(1 << 53)
            if roll < faults.dropRate { continue }
            if held == nil, roll < faults.dropRate + faults.reorderRate {
                held = message
                continue
            }
            try pass(message)
            if !reportDuplicated, message.bytes.starts(with: Topic.report.rawValue.utf8) {
                reportDuplicated = true
                try pass(message)
            } else if roll > 1 - faults.duplicateRate {
                try pass(message)
            }
            if let late = held {
                held = nil
                try pass(late)
            }
        }
    }
}
