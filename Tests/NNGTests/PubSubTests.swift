import CurriculumTestSupport
import NNG
import Testing

@Suite("Publish/subscribe")
struct PubSubTests {
    @Test("a subscriber receives what the publisher sends", arguments: Transport.allCases)
    func publishAndReceive(transport: Transport) async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: transport)
        defer { publisher.close(); subscriber.close() }

        try await publisher.send("hello")
        let message = try await withTimeout { try await subscriber.receive() }
        #expect(message.string == "hello")
        #expect(message.pipe.rawValue != 0)
    }

    @Test("subscriptions are exact-length byte prefixes", arguments: Transport.allCases)
    func prefixFiltering(transport: Transport) async throws {
        let publisher = try Socket(.publisher)
        let subscriber = try Socket(.subscriber)
        defer { publisher.close(); subscriber.close() }
        // A prefix holding a NUL proves the length is passed, not a C string.
        try subscriber.subscribe(to: [0x01, 0x00])
        try subscriber.subscribe(to: "news.")
        try subscriber.setReceiveTimeout(.seconds(10))
        try await connect(publisher, subscriber, over: transport)

        let sent: [[UInt8]] = [
            Array("weather.rain".utf8), Array("news.a".utf8), [0x01, 0x00, 0x05],
            [0x01], [0x01, 0x01], Array("new".utf8), Array("news.b".utf8),
        ]
        for bytes in sent { try await publisher.send(bytes) }
        // One pipe preserves order, so once "news.b" arrives every filtered message was dropped.
        let received = try await withTimeout { try await receive(3, from: subscriber) }
        #expect(received == [Array("news.a".utf8), [0x01, 0x00, 0x05], Array("news.b".utf8)])

        try subscriber.unsubscribe(from: "news.")
        try await publisher.send("news.c")
        try await publisher.send([0x01, 0x00, 0x09])
        let afterUnsubscribe = try await withTimeout { try await receive(1, from: subscriber) }
        #expect(afterUnsubscribe == [[0x01, 0x00, 0x09]])

        #expect(throws: NNGError.self) { try subscriber.unsubscribe(from: "never-subscribed") }
    }

    private func receive(_ count: Int, from socket: Socket) async throws -> [[UInt8]] {
        var received: [[UInt8]] = []
        while received.count < count {
            received.append(try await socket.receive().bytes)
        }
        return received
    }
}
