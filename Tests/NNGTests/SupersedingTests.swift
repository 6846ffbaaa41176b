import CurriculumTestSupport
import NNG
import Testing

/// Protocol 2 broadcasts policies from a publisher only 16 frames deep per subscriber:
/// pub0 drops the oldest frame a lagging subscriber has not taken, so newer policies
/// supersede older ones instead of queueing behind them.
@Suite("Superseding")
struct SupersedingTests {
    @Test("a lagging subscriber of a shallow publisher gets the newest frames, not a backlog", arguments: Transport.allCases)
    func laggingSubscriberGetsTheNewest(transport: Transport) async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: transport, receiveTimeout: .milliseconds(500))
        defer { publisher.close(); subscriber.close() }
        try publisher.setSendBufferSize(16)
        try subscriber.setReceiveBufferSize(2)
        // 4 KiB frames, so that 2,000 of them (8 MiB) overflow the kernel's socket buffers
        // too: only the queues can hold back what the subscriber has not read.
        let count = 2_000
        for index in 0..<count {
            #expect(try publisher.trySend(Self.frame(index)))
        }
        var received: [Int] = []
        while let message = try? await subscriber.receive() {
            received.append(message.withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self)) })
        }
        #expect(received.last == count - 1, "the newest frame arrives")
        #expect(received.count < count, "older frames were superseded, \(received.count) of \(count) arrived")
        #expect(received == received.sorted(), "in order")
    }

    static func frame(_ index: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(index)) { Array($0) } + [UInt8](repeating: 0xAB, count: 4092)
    }
}
