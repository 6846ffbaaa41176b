import CurriculumTestSupport
import NNG
import Testing

@Suite("Cancellation")
struct CancellationTests {
    @Test("cancelling a pending receive throws CancellationError and leaves the socket usable", arguments: Transport.allCases)
    func cancelPendingReceive(transport: Transport) async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: transport, receiveTimeout: .seconds(30))
        defer { publisher.close(); subscriber.close() }

        // Cancel after a varying number of scheduler turns, so both a cancel that lands
        // before the aio is posted and one that cancels a posted aio are exercised.
        for turns in 0..<20 {
            let pending = Task { try await subscriber.receive() }
            for _ in 0..<turns { await Task.yield() }
            pending.cancel()
            let outcome = try await withTimeout(.seconds(5), "the cancelled receive") { await pending.result }
            #expect(throws: CancellationError.self) { try outcome.get() }
        }

        // A cancelled aio must not have swallowed anything: the next message is delivered.
        try await publisher.send("after")
        let message = try await withTimeout { try await subscriber.receive() }
        #expect(message.string == "after")
    }

    @Test("cancelling a send that waits for a peer throws CancellationError")
    func cancelPendingSend() async throws {
        let requester = try Socket(.requester)
        defer { requester.close() }
        try requester.setSendTimeout(.seconds(30))
        // No peer: the request cannot be handed to any pipe, so the send stays pending.
        let pending = Task { try await requester.send("nobody listens") }
        pending.cancel()
        let outcome = try await withTimeout(.seconds(5), "the cancelled send") { await pending.result }
        #expect(throws: CancellationError.self) { try outcome.get() }
    }

    @Test("cancelling a for-await loop ends it")
    func cancelMessageLoop() async throws {
        let subscriber = try Socket(.subscriber)
        defer { subscriber.close() }
        try subscriber.subscribe(to: "")
        let loop = Task {
            var count = 0
            for try await _ in subscriber.messages { count += 1 }
            return count
        }
        loop.cancel()
        let count = try await withTimeout { try await loop.value }
        #expect(count == 0)
    }
}
