import CurriculumTestSupport
import NNG
import Testing

@Suite("Forwarding")
struct ForwardingTests {
    /// A publisher -> raw SUB | device | raw PUB -> subscriber chain, the shape of a relay hop.
    struct Chain {
        let publisher: Socket
        let rawSubscriber: Socket
        let rawPublisher: Socket
        let subscriber: Socket

        init(over transport: Transport, topic: String = "") async throws {
            publisher = try Socket(.publisher)
            rawSubscriber = try Socket(.subscriber, raw: true)
            rawPublisher = try Socket(.publisher, raw: true)
            subscriber = try Socket(.subscriber)
            try subscriber.subscribe(to: topic)
            try subscriber.setReceiveTimeout(.seconds(10))
            // Deep queues on every hop: pub/sub drops what a full queue cannot take, and a
            // burst of 100 frames must arrive whole for the byte-for-byte comparison.
            for socket in [publisher, rawPublisher] { try socket.setSendBufferSize(8192) }
            for socket in [rawSubscriber, subscriber] { try socket.setReceiveBufferSize(8192) }
            try await connect(publisher, rawSubscriber, over: transport)
            try await connect(rawPublisher, subscriber, over: transport)
        }

        func closeAll() {
            for socket in [publisher, rawSubscriber, rawPublisher, subscriber] { socket.close() }
        }
    }

    @Test("a device passes messages unchanged, and a raw subscriber needs no subscription", arguments: Transport.allCases)
    func forwardsUnchanged(transport: Transport) async throws {
        let chain = try await Chain(over: transport, topic: "POLI")
        defer { chain.closeAll() }
        let forwarding = Task { try await Socket.forward(from: chain.rawSubscriber, to: chain.rawPublisher) }
        let frames: [[UInt8]] = (0..<50).map { index in Array("POLI".utf8) + (0..<(index * 37)).map { UInt8(($0 * 7 + index) & 0xFF) } }
        for frame in frames {
            try await chain.publisher.send(Array("STAT-not-subscribed".utf8))
            try await chain.publisher.send(frame)
        }
        // The end subscriber's own filter still applies: only the POLI frames, all of them, in order.
        for (index, frame) in frames.enumerated() {
            let received = try await chain.subscriber.receive().bytes
            let unchanged = received == frame
            #expect(unchanged, "frame \(index): \(received.count) bytes arrived of \(frame.count)")
        }
        forwarding.cancel()
        try await withTimeout(.seconds(10), "the cancelled device") { try await forwarding.value }
        #expect(chain.rawSubscriber.isClosed && chain.rawPublisher.isClosed)
    }

    @Test("closing the source ends the device")
    func closingTheSourceEnds() async throws {
        let chain = try await Chain(over: .inproc)
        defer { chain.closeAll() }
        let forwarding = Task { try await Socket.forward(from: chain.rawSubscriber, to: chain.rawPublisher) }
        try await chain.publisher.send("before")
        #expect(try await chain.subscriber.receive().string == "before")
        chain.rawSubscriber.closeInBackground()
        try await withTimeout(.seconds(10), "the device after its source closed") { try await forwarding.value }
    }

    @Test("cooked sockets are refused with invalidArgument")
    func cookedSocketsAreRefused() async throws {
        let subscriber = try Socket(.subscriber)
        let publisher = try Socket(.publisher)
        defer { subscriber.close(); publisher.close() }
        await #expect(throws: NNGError.self) { try await Socket.forward(from: subscriber, to: publisher) }
    }
}
