import CurriculumTestSupport
import NNG
import Testing

/// `trySend`, the publishers' send path: it reuses one aio, and falls back to an aio of
/// nng's own when several tasks send at once.
@Suite("Sending without waiting")
struct TrySendTests {
    @Test("tasks sending at once all get their messages through", arguments: Transport.allCases)
    func concurrentSenders(transport: Transport) async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: transport)
        defer { publisher.close(); subscriber.close() }
        try subscriber.setReceiveBufferSize(8192)
        try publisher.setSendBufferSize(8192)

        let senders = 4
        let each = 500
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    for index in 0..<each {
                        let taken = try publisher.trySend([UInt8(sender), UInt8(index >> 8), UInt8(index & 0xFF)])
                        #expect(taken)
                    }
                }
            }
            try await group.waitForAll()
        }
        let received = try await withTimeout {
            var received = Set<[UInt8]>()
            while received.count < senders * each { received.insert(try await subscriber.receive().bytes) }
            return received
        }
        #expect(received.count == senders * each)
    }

    @Test("a requester without a peer does not take a message at once")
    func wouldBlock() throws {
        let requester = try Socket(.requester)
        defer { requester.close() }
        #expect(try requester.trySend([1, 2, 3]) == false)
    }

    @Test("a closed socket refuses")
    func closed() throws {
        let publisher = try Socket(.publisher)
        publisher.close()
        #expect(throws: NNGError.self) { try publisher.trySend([1]) }
    }
}
