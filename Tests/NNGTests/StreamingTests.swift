import CurriculumTestSupport
import NNG
import Testing

@Suite("Streaming with for-await")
struct StreamingTests {
    static let total = 10_000
    static let window = 250

    @Test("10,000 published messages arrive exactly once and in order", arguments: Transport.allCases)
    func tenThousandInOrder(transport: Transport) async throws {
        let publisher = try Socket(.publisher)
        let subscriber = try Socket(.subscriber)
        defer { publisher.close(); subscriber.close() }
        // PUB/SUB drops on overflow, so the publisher never has more than two windows
        // (500 messages) unacknowledged: far below both queues, so nothing can be dropped.
        try publisher.setSendBufferSize(2048)
        try subscriber.setReceiveBufferSize(2048)
        try subscriber.setReceiveTimeout(.seconds(10))
        try subscriber.subscribe(to: "")
        try await connect(publisher, subscriber, over: transport)

        let (acknowledgements, acknowledge) = AsyncStream.makeStream(of: Int.self)
        let received = try await withTimeout(.seconds(60), "10,000 messages") {
            try await withThrowingTaskGroup(of: [UInt32].self) { group in
                group.addTask {
                    var sequence: [UInt32] = []
                    sequence.reserveCapacity(Self.total)
                    for try await message in subscriber.messages {
                        sequence.append(message.bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
                        if sequence.count % Self.window == 0 { acknowledge.yield(sequence.count) }
                        if sequence.count == Self.total { break }
                    }
                    acknowledge.finish()
                    return sequence
                }
                group.addTask {
                    var acknowledged = acknowledgements.makeAsyncIterator()
                    for index in 0..<UInt32(Self.total) {
                        if index >= Self.window * 2 && index % UInt32(Self.window) == 0 {
                            _ = await acknowledged.next()
                        }
                        try await publisher.send(withUnsafeBytes(of: index) { Array($0) } + [UInt8](repeating: 7, count: 28))
                    }
                    return []
                }
                var sequence: [UInt32] = []
                for try await result in group where !result.isEmpty { sequence = result }
                return sequence
            }
        }
        #expect(received.count == Self.total)
        #expect(received == Array(0..<UInt32(Self.total)))
    }
}
