import CurriculumTestSupport
import Foundation
import NNG
import Testing

@Suite("TLS")
struct TLSTests {
    @Test("request and reply over tls+tcp with a certificate made at test time")
    func roundTrip() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let (replier, requester) = try requestReplyPair()
        defer { replier.close(); requester.close() }

        let listener = try replier.listen(
            "tls+tcp://127.0.0.1:0",
            tls: .server(certificate: certificates.serverCertificate, privateKey: certificates.serverKey))
        let url = "tls+tcp://127.0.0.1:\(try listener.boundPort())"
        let added = requester.pipeEvents()
        try requester.dial(url, tls: .client(trustedCertificates: certificates.caCertificate, serverName: "localhost"))
        _ = try await withTimeout(.seconds(10), "the TLS handshake") { try await firstAdded(added) }

        try await withTimeout {
            async let reply: Void = {
                let request = try await replier.receive()
                try await replier.send("secure " + request.string)
            }()
            try await requester.send("hello")
            #expect(try await requester.receive().string == "secure hello")
            try await reply
        }
    }

    @Test("a client that does not trust the server's CA never connects")
    func untrustedServer() async throws {
        let certificates = try TestCertificates()
        let stranger = try TestCertificates()
        defer { certificates.remove(); stranger.remove() }
        let replier = try Socket(.replier)
        let requester = try Socket(.requester)
        defer { replier.close(); requester.close() }

        let listener = try replier.listen(
            "tls+tcp://127.0.0.1:0",
            tls: .server(certificate: certificates.serverCertificate, privateKey: certificates.serverKey))
        let url = "tls+tcp://127.0.0.1:\(try listener.boundPort())"
        let error = #expect(throws: NNGError.self) {
            try requester.dial(url, blocking: true, tls: .client(trustedCertificates: stranger.caCertificate, serverName: "localhost"))
        }
        #expect(error?.code == .peerAuthentication || error?.code == .crypto)
    }

    @Test("a listener that requires client certificates serves a client with one and refuses one without")
    func mutualTLS() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let replier = try Socket(.replier)
        defer { replier.close() }
        try replier.setReceiveTimeout(.seconds(10))
        try replier.setSendTimeout(.seconds(10))
        // What `curriculum coordinator --tls-certificate --tls-key --tls-ca` configures.
        let listener = try replier.listen(
            "tls+tcp://127.0.0.1:0",
            tls: TLSConfiguration(
                certificate: certificates.serverCertificate, privateKey: certificates.serverKey,
                trustedCertificates: certificates.caCertificate, peerVerification: .required))
        let url = "tls+tcp://127.0.0.1:\(try listener.boundPort())"

        let anonymous = try Socket(.requester)
        defer { anonymous.close() }
        let refused = #expect(throws: NNGError.self) {
            try anonymous.dial(
                url, blocking: true, tls: .client(trustedCertificates: certificates.caCertificate, serverName: "localhost"))
        }
        // mbedTLS's server aborts the handshake: the client sees the connection shut down.
        #expect(refused?.code == .connectionShutdown || refused?.code == .peerAuthentication)

        let worker = try Socket(.requester)
        defer { worker.close() }
        try worker.setReceiveTimeout(.seconds(10))
        try worker.setSendTimeout(.seconds(10))
        try worker.dial(url, blocking: true, tls: TLSConfiguration(
            certificate: certificates.clientCertificate, privateKey: certificates.clientKey,
            trustedCertificates: certificates.caCertificate, peerVerification: .required, serverName: "localhost"))
        try await withTimeout {
            async let reply: Void = {
                let request = try await replier.receive()
                try await replier.send("mutual " + request.string)
            }()
            try await worker.send("hello")
            #expect(try await worker.receive().string == "mutual hello")
            try await reply
        }
    }

    @Test("a half-configured certificate is rejected before any connection")
    func certificateWithoutKey() throws {
        let socket = try Socket(.replier)
        defer { socket.close() }
        let error = #expect(throws: NNGError.self) {
            try socket.listen("tls+tcp://127.0.0.1:0", tls: TLSConfiguration(certificate: "x", peerVerification: .none))
        }
        #expect(error?.code == .invalidArgument)
    }
}
