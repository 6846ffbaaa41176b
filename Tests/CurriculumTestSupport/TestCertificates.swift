import Foundation

/// A throw-away CA and a server and a client certificate it signed, made with the openssl CLI.
///
/// The server is named `localhost` although it listens on 127.0.0.1: Debian's mbedTLS
/// 2.28 matches the server name against DNS names only, never IP address entries.
public struct TestCertificates: Sendable {
    public struct OpenSSLFailed: Error, CustomStringConvertible {
        public let arguments: [String]
        public var description: String { "openssl \(arguments.joined(separator: " ")) failed" }
    }

    public let directory: URL
    public let caCertificate: String
    public let serverCertificate: String
    public let serverKey: String
    /// For mutual TLS: a worker's certificate, for a listener that requires one.
    public let clientCertificate: String
    public let clientKey: String

    public init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curriculum-tls-\(UUID().uuidString)")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=Curriculum Test CA"], in: directory)
        try Self.openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], in: directory)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(
            to: directory.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
        try Self.openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                          "-out", "server.pem", "-days", "1", "-extfile", "san.ext"], in: directory)
        try Self.openssl(["req"] + ec + ["-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=worker"], in: directory)
        try Self.openssl(["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                          "-out", "client.pem", "-days", "1"], in: directory)
        let read = { (name: String) throws -> String in
            try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        caCertificate = try read("ca.pem")
        serverCertificate = try read("server.pem")
        serverKey = try read("server.key")
        clientCertificate = try read("client.pem")
        clientKey = try read("client.key")
    }

    public func remove() {
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
        guard process.terminationStatus == 0 else { throw OpenSSLFailed(arguments: arguments) }
    }
}
