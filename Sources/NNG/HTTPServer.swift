import CNNG
import Synchronization

/// An HTTP server from nng's supplemental library (`nng_http_server_*`), serving handlers
/// written as async Swift closures.
///
/// nng parses requests, answers what no handler claims (404 for unknown paths, 405 for a
/// method a path does not take, 400 for a malformed request) and keeps every connection
/// on its own event threads, so a slow client holds a file descriptor, not a thread.
/// A handler runs as a Swift task; nng waits for its answer without blocking a thread.
///
/// The `@unchecked Sendable` is sound because `server` is set once in `init` and never
/// changed, nng documents every `nng_http_server_*` call as safe from any thread, and the
/// only mutable Swift state, `phase`, sits behind a `Mutex`.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private enum Phase { case configuring, serving, stopped }

    /// The URL given to `init`, e.g. `http://0.0.0.0:9464`.
    public let url: String
    private let server: OpaquePointer
    private let phase = Mutex(Phase.configuring)

    /// Holds the server for `url` (`http://HOST:PORT`; port 0 takes a free one). Nothing
    /// listens until ``start()``.
    public init(url: String) throws(NNGError) {
        var parsed: UnsafeMutablePointer<nng_url>?
        try NNGError.check(nng_url_parse(&parsed, url), "nng_url_parse", url)
        defer { nng_url_free(parsed) }
        var server: OpaquePointer?
        try NNGError.check(nng_http_server_hold(&server, parsed), "nng_http_server_hold", url)
        self.url = url
        self.server = server!
    }

    deinit {
        stop()
        nng_http_server_release(server)
    }

    /// Serves `path` with `handler`. With `prefix`, every path below it too
    /// (`/static` then answers `/static/app.js`). Call before ``start()``.
    public func addHandler(
        path: String, method: String = "GET", prefix: Bool = false, _ handler: @escaping Handler
    ) throws(NNGError) {
        var allocated: OpaquePointer?
        try NNGError.check(nng_http_handler_alloc(&allocated, path, HTTPExchange.callback), "nng_http_handler_alloc", path)
        let handle = allocated!
        // From here the route belongs to the handler: nng_http_handler_free releases it
        // through the destructor, and so does the server once the handler is added.
        let route = Unmanaged.passRetained(HTTPExchange.Route(handler)).toOpaque()
        let attached = nng_http_handler_set_data(handle, route) { Unmanaged<HTTPExchange.Route>.fromOpaque($0!).release() }
        guard attached == 0 else {
            Unmanaged<HTTPExchange.Route>.fromOpaque(route).release()
            nng_http_handler_free(handle)
            throw NNGError(code: attached, operation: "nng_http_handler_set_data", subject: path)
        }
        do throws(NNGError) {
            try NNGError.check(nng_http_handler_set_method(handle, method), "nng_http_handler_set_method", method)
            if prefix { try NNGError.check(nng_http_handler_set_tree(handle), "nng_http_handler_set_tree", path) }
            try NNGError.check(nng_http_server_add_handler(server, handle), "nng_http_server_add_handler", path)
        } catch {
            nng_http_handler_free(handle)
            throw error
        }
    }

    /// Starts listening and serving.
    public func start() throws(NNGError) {
        try NNGError.check(nng_http_server_start(server), "nng_http_server_start", url)
        phase.withLock { $0 = .serving }
    }

    /// The TCP port the server listens on, once started: the chosen one when `url` asked for 0.
    public func boundPort() throws(NNGError) -> Int {
        var address = nng_sockaddr()
        try NNGError.check(nng_http_server_get_addr(server, &address), "nng_http_server_get_addr", url)
        switch Int32(address.s_family) {
        case Int32(NNG_AF_INET.rawValue): return Int(UInt16(bigEndian: address.s_in.sa_port))
        case Int32(NNG_AF_INET6.rawValue): return Int(UInt16(bigEndian: address.s_in6.sa_port))
        default: throw NNGError(code: Int32(NNG_EADDRINVAL.rawValue), operation: "nng_http_server_get_addr", subject: url)
        }
    }

    /// Stops listening and closes every connection. Safe to call more than once.
    public func stop() {
        let wasServing = phase.withLock { phase in
            defer { phase = .stopped }
            return phase == .serving
        }
        if wasServing { nng_http_server_stop(server) }
    }
}
