import ArgumentParser
import Foundation
import Logging
import NNG

/// TLS material for `tls+tcp://` endpoints.
struct TLSOptions: ParsableArguments {
    @Option(help: "PEM certificate of this end (required to listen on tls+tcp://).")
    var tlsCertificate: String?

    @Option(help: "PEM private key of --tls-certificate.")
    var tlsKey: String?

    @Option(help: "PEM CA certificates to verify the peer with.")
    var tlsCa: String?

    @Option(help: "Server name to verify in the coordinator's certificate (workers).")
    var tlsServerName: String?

    func validate() throws {
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-certificate and --tls-key go together")
        }
    }

    /// The configuration, or nil when no TLS flag is given.
    func configuration(server: Bool) throws -> TLSConfiguration? {
        guard tlsCertificate != nil || tlsCa != nil else { return nil }
        let certificate = try tlsCertificate.map { try Self.read($0, flag: "--tls-certificate") }
        let key = try tlsKey.map { try Self.read($0, flag: "--tls-key") }
        let ca = try tlsCa.map { try Self.read($0, flag: "--tls-ca") }
        return TLSConfiguration(
            certificate: certificate, privateKey: key, trustedCertificates: ca,
            peerVerification: ca == nil ? .none : .required, serverName: server ? nil : tlsServerName)
    }

    private static func read(_ path: String, flag: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(flag): cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `--log-level`, shared by the long-running commands.
struct LoggingOptions: ParsableArguments {
    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func bootstrap() {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Splits "a,b,c" into its non-empty parts.
func commaSeparated(_ text: String?) -> [String] {
    (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
