import NNG
import Testing

@Suite("Errors")
struct ErrorTests {
    @Test("a malformed URL names the call, the URL and nng's message")
    func malformedURL() throws {
        let socket = try Socket(.publisher)
        defer { socket.close() }
        let error = #expect(throws: NNGError.self) { try socket.listen("tcp://127.0.0.1:99999") }
        // nng 1.5.2 parses the port and rejects it as an address, not as an argument.
        #expect(error?.code == .addressInvalid)
        #expect(error?.description == #"nng_listen("tcp://127.0.0.1:99999"): Address invalid (code 15)"#)

        let scheme = #expect(throws: NNGError.self) { try socket.dial("bogus://nowhere") }
        #expect(scheme?.code == .notSupported)
        #expect(scheme?.description == #"nng_dial("bogus://nowhere"): Not supported (code 9)"#)
    }

    @Test("listening twice on one address reports address in use", arguments: Transport.allCases)
    func addressInUse(transport: Transport) throws {
        let first = try Socket(.publisher)
        let second = try Socket(.publisher)
        defer { first.close(); second.close() }
        let url = try transport.listen(first)
        let error = #expect(throws: NNGError.self) { try second.listen(url) }
        #expect(error?.code == .addressInUse)
        #expect(error?.description == "nng_listen(\"\(url)\"): Address in use (code 10)")
        #expect(error?.subject == url)
    }

    @Test("an unknown option is reported with its name", arguments: Transport.allCases)
    func unknownOption(transport: Transport) async throws {
        let socket = try Socket(.subscriber)
        let peer = try Socket(.publisher)
        defer { socket.close(); peer.close() }
        try await connect(peer, socket, over: transport)

        let error = #expect(throws: NNGError.self) { try socket.setOption("no-such-option", to: .int(1)) }
        #expect(error?.code == .notSupported)
        #expect(error?.description == #"nng_socket_set("no-such-option"): Not supported (code 9)"#)

        let badType = #expect(throws: NNGError.self) { try socket.setOption("recv-buffer", to: .string("many")) }
        #expect(badType?.code == .badType)
        let outOfRange = #expect(throws: NNGError.self) { try socket.setReceiveBufferSize(100_000) }
        #expect(outOfRange?.code == .invalidArgument)
    }

    @Test("a blocking dial to nothing fails at once, a non-blocking one keeps trying", arguments: Transport.allCases)
    func blockingDial(transport: Transport) throws {
        let socket = try Socket(.requester)
        defer { socket.close() }
        let url = try transport.unusedURL()
        let error = #expect(throws: NNGError.self) { try socket.dial(url, blocking: true) }
        #expect(error?.code == .connectionRefused)
        #expect(throws: Never.self) { try socket.dial(url) }
    }
}
