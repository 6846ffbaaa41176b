/// What an HTTP handler is given: the request line, as nng parsed it.
///
/// Bodies are not collected: the handlers this binding serves answer GET requests, and a
/// request that carries a body is answered without reading more of it than nng must.
public struct HTTPRequest: Sendable, Hashable {
    /// `GET`, `HEAD`, ...
    public var method: String
    /// The request target as sent, query string included, e.g. `/api/status?pretty=1`.
    public var uri: String

    public init(method: String, uri: String) {
        self.method = method
        self.uri = uri
    }

    /// The target without its query string.
    public var path: Substring {
        uri.prefix { $0 != "?" }
    }

    /// The query's `name=value` pairs, undecoded; a name without `=` has the value "".
    public var query: [(name: Substring, value: Substring)] {
        guard let mark = uri.firstIndex(of: "?") else { return [] }
        return uri[uri.index(after: mark)...].split(separator: "&").map { pair in
            guard let equals = pair.firstIndex(of: "=") else { return (pair, "") }
            return (pair[..<equals], pair[pair.index(after: equals)...])
        }
    }
}
