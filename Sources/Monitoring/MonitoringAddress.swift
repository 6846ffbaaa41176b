/// Where the monitoring port listens: `HOST:PORT` (`0.0.0.0:9464`, `[::]:9464`,
/// `127.0.0.1:0` for a free port), or the same as an `http://` URL.
public struct MonitoringAddress: Sendable, Hashable {
    public struct Invalid: Error, CustomStringConvertible {
        public let input: String
        public let reason: String
        public var description: String { "invalid HTTP address \"\(input.prefix(200))\": \(reason); expected HOST:PORT, e.g. 0.0.0.0:9464" }
    }

    public let host: String
    public let port: Int

    public init(_ text: String) throws(Invalid) {
        let address = text.hasPrefix("http://") ? text.dropFirst("http://".count) : Substring(text)
        guard let colon = address.lastIndex(of: ":") else { throw Invalid(input: text, reason: "no port") }
        let host = address[..<colon]
        let portText = address[address.index(after: colon)...]
        guard !host.isEmpty else { throw Invalid(input: text, reason: "no host") }
        guard !host.contains("/"), !portText.contains("/") else { throw Invalid(input: text, reason: "a path is not allowed") }
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw Invalid(input: text, reason: "the port must be a number from 0 to 65535")
        }
        self.host = String(host)
        self.port = port
    }

    /// The URL nng's HTTP server is given.
    public var url: String { url(port: port) }

    /// The URL with another port: the bound one, when `port` was 0.
    public func url(port: Int) -> String { "http://\(host):\(port)" }
}
