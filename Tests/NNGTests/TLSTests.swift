import Foundation
import NNG
import Testing

@Suite("TLS")
struct TLSTests {
    /// A throw-away CA and a server certificate it signed, made with the openssl CLI.
    ///
    /// The server is named `localhost` although it listens on 127.0.0.1: Debian's mbedTLS
    /// 2.28 matches the server name against DNS names only, never IP address entries.
    struct Certificates {
        let directory: URL
        let caCertificate: String
        let serverCertificate: String
        let serverKey: String

        init() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nng-tls-\(UUID().uuidString)")
            self.directory = directory
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            try Self.openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=NNG Test CA"], in: directory)
            try Self.openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], in: directory)
            try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(to: directory.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
            try Self.openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                              "-out", "server.pem", "-days", "1", "-extfile", "san.ext"], in: directory)
            let read = { (name: String) throws -> String in
                try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            }
            caCertificate = try read("ca.pem")
            serverCertificate = try read("server.pem")
            serverKey = try read("server.key")
        }

        func remove() {
            try? FileManager.default.removeItem(at: directory)
        }

        private static func openssl(_ arguments: [String], in directory: URL) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")) failed")
        }
    }

    @Test("request and reply over tls+tcp with a certificate made at test time")
    func roundTrip() async throws {
        let certificates = try Certificates()
        defer { certificates.remove() }
        let replier = try Socket(.replier)
        let requester = try Socket(.requester)
        defer { replier.close(); requester.close() }
        for socket in [replier, requester] {
            try socket.setReceiveTimeout(.seconds(10))
            try socket.setSendTimeout(.seconds(10))
        }

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
        let certificates = try Certificates()
        let stranger = try Certificates()
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
