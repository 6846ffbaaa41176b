import CurriculumTestSupport
import NNG
import Testing

@Suite("Closing")
struct CloseTests {
    @Test("closing fails a pending receive with .closed and ends message loops", arguments: Transport.allCases)
    func closeWhileReceiving(transport: Transport) async throws {
        // The test closes the subscriber itself.
        let (publisher, subscriber) = try await connectedPubSub(over: transport, receiveTimeout: .seconds(30))
        defer { publisher.close() }

        let pending = Task { try await subscriber.receive() }
        let loop = Task {
            var count = 0
            for try await _ in subscriber.messages { count += 1 }
            return count
        }
        // Whether close lands before or after the receive is posted, it must report .closed.
        await Task.yield()
        subscriber.close()
        let outcome = try await withTimeout { await pending.result }
        #expect(throws: NNGError.self) { try outcome.get() }
        if case .failure(let error as NNGError) = outcome {
            #expect(error.code == .closed)
        }
        #expect(try await withTimeout { try await loop.value } == 0)
    }

    @Test("closing twice is harmless and later calls fail with .closed")
    func closeTwiceAndUseAfterClose() async throws {
        let socket = try Socket(.requester)
        socket.close()
        socket.close()
        #expect(socket.isClosed)

        let receiveError = await #expect(throws: NNGError.self) { try await socket.receive() }
        #expect(receiveError?.code == .closed)
        let sendError = await #expect(throws: NNGError.self) { try await socket.send("late") }
        #expect(sendError?.code == .closed)
        let dialError = #expect(throws: NNGError.self) { try socket.dial("inproc://closed") }
        #expect(dialError?.code == .closed)
    }

    @Test("dropping the last reference closes the socket and frees its address", arguments: Transport.allCases)
    func deinitCloses(transport: Transport) async throws {
        var socket: Socket? = try Socket(.publisher)
        let url = try transport.listen(socket!)
        socket = nil
        let again = try Socket(.publisher)
        defer { again.close() }
        try again.listen(url)
    }
}
