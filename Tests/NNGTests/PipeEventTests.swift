import CurriculumTestSupport
import NNG
import Testing

@Suite("Pipe events")
struct PipeEventTests {
    @Test("a peer connecting then leaving reports one pipe added, then the same pipe removed", arguments: Transport.allCases)
    func addedThenRemoved(transport: Transport) async throws {
        let listener = try Socket(.replier)
        defer { listener.close() }
        let events = listener.pipeEvents()
        let url = try transport.listen(listener)

        let dialer = try Socket(.requester)
        defer { dialer.close() }
        let dialerEvents = dialer.pipeEvents()
        try dialer.dial(url)

        let added = try await withTimeout(.seconds(10), "the pipe to be added") { await nextEvent(events) }
        #expect(added?.kind == .added)
        let dialerAdded = try await withTimeout(.seconds(10), "the dialer's pipe") { await nextEvent(dialerEvents) }
        #expect(dialerAdded?.kind == .added)

        dialer.close()
        let removed = try await withTimeout(.seconds(10), "the pipe to be removed") { await nextEvent(events) }
        #expect(removed == PipeEvent(pipe: try #require(added).pipe, kind: .removed))
    }

    @Test("pipe event streams finish when the socket closes")
    func streamFinishesOnClose() async throws {
        let socket = try Socket(.publisher)
        let events = socket.pipeEvents()
        socket.close()
        let next = try await withTimeout { await nextEvent(events) }
        #expect(next == nil)
        // A stream asked for after closing is finished from the start.
        #expect(await nextEvent(socket.pipeEvents()) == nil)
    }

    @Test("cancelling tasks that wait on pipe events while nng publishes events never deadlocks", .timeLimit(.minutes(1)))
    func cancellationRacesPublication() async throws {
        let listener = try Socket(.publisher)
        defer { listener.closeInBackground() }
        let url = "inproc://pipe-cancel-\(UInt64.random(in: 0...UInt64.max))"
        try listener.listen(url)
        for _ in 0..<300 {
            let consumers = (0..<4).map { _ in
                let events = listener.pipeEvents()
                return Task { for await _ in events {} }
            }
            // Each connection and disconnection publishes an event to every consumer, on an
            // nng thread, while this task cancels them.
            let dialer = try Socket(.subscriber)
            try dialer.dial(url)
            for consumer in consumers { consumer.cancel() }
            dialer.closeInBackground()
            for consumer in consumers { await consumer.value }
        }
    }

    private func nextEvent(_ events: AsyncStream<PipeEvent>) async -> PipeEvent? {
        for await event in events { return event }
        return nil
    }
}
