import CurriculumTestSupport
import NNG
import Testing

/// Raw REQ/REP, the shape of protocol 2's requests endpoint: a requester with several
/// requests in flight, a replier that answers later and in any order, and a relay between.
@Suite("Raw request/reply")
struct RawRequestReplyTests {
    /// A request ID as SP writes it: 4 bytes, big-endian, high bit set.
    static func requestID(_ value: UInt32) -> [UInt8] {
        let id = value | 0x8000_0000
        return [UInt8(id >> 24), UInt8((id >> 16) & 0xFF), UInt8((id >> 8) & 0xFF), UInt8(id & 0xFF)]
    }

    static func rawPair() throws -> (replier: Socket, requester: Socket) {
        let replier = try Socket(.replier, raw: true)
        let requester = try Socket(.requester, raw: true)
        for socket in [replier, requester] {
            try socket.setReceiveTimeout(.seconds(10))
            // Queued, not waited for: a raw socket's trySend takes what fits in its send queue.
            try socket.setSendBufferSize(64)
        }
        return (replier, requester)
    }

    @Test("a raw replier answers held requests in reverse order, each reaching its request", arguments: Transport.allCases)
    func repliesOutOfOrder(transport: Transport) async throws {
        let (replier, requester) = try Self.rawPair()
        defer { replier.close(); requester.close() }
        try await connect(replier, requester, over: transport)
        for index in 0..<5 {
            #expect(try requester.trySend(Array("request \(index)".utf8), header: Self.requestID(UInt32(index))))
        }
        var held: [Message] = []
        for _ in 0..<5 { held.append(try await replier.receive()) }
        // The header is the backtrace: the pipe the request came in on, then its request ID.
        for (index, request) in held.enumerated() {
            #expect(request.string == "request \(index)")
            #expect(request.header.count == 8)
            #expect(Array(request.header.suffix(4)) == Self.requestID(UInt32(index)))
        }
        for request in held.reversed() {
            #expect(try replier.trySend(Array(("reply to " + request.string).utf8), header: request.header))
        }
        for index in (0..<5).reversed() {
            let reply = try await requester.receive()
            #expect(reply.string == "reply to request \(index)")
            #expect(reply.header == Self.requestID(UInt32(index)))
        }
    }

    @Test("replies through a relay's REP/REQ device reach the requester that asked")
    func throughADevice() async throws {
        let coordinator = try Socket(.replier, raw: true)
        let relayFront = try Socket(.replier, raw: true)
        let relayBack = try Socket(.requester, raw: true)
        let requesters = try [Socket(.requester, raw: true), Socket(.requester, raw: true)]
        // In the background: a socket a running device still uses would block a plain close
        // (libnng 1.5.2), and with it one of the pool's two threads, if an expectation fails.
        defer {
            for socket in [coordinator, relayFront, relayBack] + requesters { socket.closeInBackground() }
        }
        for socket in [coordinator] + requesters {
            try socket.setReceiveTimeout(.seconds(10))
            try socket.setSendBufferSize(64)
        }
        try await connect(coordinator, relayBack, over: .tcp)
        for requester in requesters { try await connect(relayFront, requester, over: .ipc) }
        let forwarding = Task { try await Socket.forward(from: relayFront, to: relayBack) }
        defer { forwarding.cancel() }

        for (index, requester) in requesters.enumerated() {
            #expect(try requester.trySend(Array("from \(index)".utf8), header: Self.requestID(7)))
        }
        for _ in requesters {
            let request = try await coordinator.receive()
            // Two hops: the coordinator's pipe to the relay, the relay's pipe to the worker, the ID.
            #expect(request.header.count == 12)
            #expect(try coordinator.trySend(Array(("to " + request.string.dropFirst(5)).utf8), header: request.header))
        }
        for (index, requester) in requesters.enumerated() {
            #expect(try await requester.receive().string == "to \(index)")
        }
        forwarding.cancel()
        try await withTimeout(.seconds(10), "the cancelled device") { try await forwarding.value }
    }
}
