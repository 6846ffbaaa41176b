import CurriculumTestSupport
import NNG
import Testing

@Suite("Message bodies")
struct MessageTests {
    @Test("a received body reads in place and equals the same bytes built in Swift")
    func receivedBody() async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: .inproc)
        defer { publisher.close(); subscriber.close() }
        let sent: [UInt8] = [0x00, 0xFF, 0x10, 0x00, 0x7F]
        try await publisher.send(sent)
        let message = try await withTimeout { try await subscriber.receive() }

        #expect(message.count == sent.count)
        #expect(message.withUnsafeBytes { Array($0) } == sent)
        #expect(message.bytes == sent)
        #expect(message == Message(bytes: sent, pipe: message.pipe))
        #expect(message.hashValue == Message(bytes: sent, pipe: message.pipe).hashValue)
        #expect(message != Message(bytes: sent))
        #expect(message != Message(bytes: Array(sent.dropLast()), pipe: message.pipe))
    }

    @Test("an empty message has no bytes")
    func emptyBody() async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: .inproc)
        defer { publisher.close(); subscriber.close() }
        try await publisher.send([UInt8]())
        let message = try await withTimeout { try await subscriber.receive() }
        #expect(message.count == 0)
        #expect(message.bytes.isEmpty)
        #expect(message.withUnsafeBytes { $0.count } == 0)
        #expect(message.string == "")
    }

    @Test("a received body outlives its socket and is shared safely across tasks")
    func bodyOutlivesSocket() async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: .inproc)
        try await publisher.send("kept after close")
        let message = try await withTimeout { try await subscriber.receive() }
        publisher.close()
        subscriber.close()

        // Every copy reads the one nng_msg; the last one to go frees it.
        let strings = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { [message] in message.string }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(strings == Array(repeating: "kept after close", count: 8))
    }

    @Test("assigning bytes replaces the body of that copy only")
    func assigningBytes() async throws {
        let (publisher, subscriber) = try await connectedPubSub(over: .inproc)
        defer { publisher.close(); subscriber.close() }
        try await publisher.send("original")
        let received = try await withTimeout { try await subscriber.receive() }

        var edited = received
        edited.bytes = Array("edited".utf8)
        #expect(edited.string == "edited")
        #expect(edited.count == 6)
        #expect(edited.pipe == received.pipe)
        #expect(received.string == "original")
    }

    @Test("withUnsafeBytes passes the closure's error through")
    func closureErrors() {
        struct Stop: Error {}
        #expect(throws: Stop.self) { try Message("abc").withUnsafeBytes { _ in throw Stop() } }
    }
}
