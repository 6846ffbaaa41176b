import CurriculumTestSupport
import NNG
import Testing

@Suite("Options")
struct OptionTests {
    @Test("typed setters round-trip through nng")
    func typedOptions() throws {
        let socket = try Socket(.subscriber)
        defer { socket.close() }
        try socket.setReceiveBufferSize(512)
        try socket.setSendTimeout(.milliseconds(250))
        try socket.setReceiveTimeout(nil)
        try socket.setMaxReceiveSize(4096)
        try socket.setReconnectPolicy(ReconnectPolicy(minimum: .milliseconds(10), maximum: .seconds(2)))
        try socket.setOption("socket-name", to: .string("coordinator"))

        #expect(try socket.intOption("recv-buffer") == 512)
        #expect(try socket.durationOption("send-timeout") == .milliseconds(250))
        #expect(try socket.durationOption("recv-timeout") == nil)
        #expect(try socket.sizeOption("recv-size-max") == 4096)
        #expect(try socket.durationOption("reconnect-time-min") == .milliseconds(10))
        #expect(try socket.durationOption("reconnect-time-max") == .seconds(2))
        #expect(try socket.stringOption("socket-name") == "coordinator")
        #expect(try socket.boolOption("sub:prefnew") == true)
    }

    @Test("a receive timeout fails the wait with .timedOut", arguments: Transport.allCases)
    func receiveTimeout(transport: Transport) async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: transport, receiveTimeout: .milliseconds(50))
        defer { publisher.close(); subscriber.close() }
        let error = await #expect(throws: NNGError.self) {
            try await withTimeout { try await subscriber.receive() }
        }
        #expect(error?.code == .timedOut)
    }

    @Test("a changed receive timeout applies to the next wait", arguments: Transport.allCases)
    func changedReceiveTimeout(transport: Transport) async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: transport)
        defer { publisher.close(); subscriber.close() }
        try subscriber.setReceiveTimeout(.milliseconds(20))
        let short = await #expect(throws: NNGError.self) { try await subscriber.receive() }
        #expect(short?.code == .timedOut)

        // The aio reused from the timed-out wait must not keep the old 20 ms limit.
        try subscriber.setReceiveTimeout(.seconds(10))
        let pending = Task { try await subscriber.receive() }
        try await Task.sleep(for: .milliseconds(200))
        try await publisher.send("worth the wait")
        #expect(try await withTimeout { try await pending.value }.string == "worth the wait")
    }

    @Test("a dialer started before its listener connects once the listener appears", arguments: Transport.allCases)
    func reconnectUntilListening(transport: Transport) async throws {
        let publisher = try Socket(.publisher)
        let subscriber = try Socket(.subscriber)
        defer { publisher.close(); subscriber.close() }
        try subscriber.subscribe(to: "")
        try subscriber.setReceiveTimeout(.seconds(10))
        let url = try transport.unusedURL()
        let added = publisher.pipeEvents()
        try subscriber.dial(url, reconnect: ReconnectPolicy(minimum: .milliseconds(10), maximum: .milliseconds(50)))
        try publisher.listen(url)
        _ = try await withTimeout { try await firstAdded(added) }
        try await publisher.send("late listener")
        #expect(try await withTimeout { try await subscriber.receive() }.string == "late listener")
    }

    @Test("messages over the maximum receive size are not delivered", arguments: Transport.allCases.filter { $0 != .inproc })
    func maxReceiveSize(transport: Transport) async throws {
        let publisher = try Socket(.publisher)
        let subscriber = try Socket(.subscriber)
        defer { publisher.close(); subscriber.close() }
        try subscriber.subscribe(to: "")
        try subscriber.setMaxReceiveSize(64)
        try subscriber.setReceiveTimeout(.milliseconds(300))
        let events = subscriber.pipeEvents()
        try await connect(publisher, subscriber, over: transport)
        try await publisher.send([UInt8](repeating: 1, count: 1000))
        // nng drops the connection that carried the oversized message.
        let removed = try await withTimeout {
            for await event in events where event.kind == .removed { return true }
            return false
        }
        #expect(removed)
        let error = await #expect(throws: NNGError.self) { try await subscriber.receive() }
        #expect(error?.code == .timedOut)
    }
}
