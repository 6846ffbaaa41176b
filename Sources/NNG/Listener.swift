import CNNG

/// A socket's listening endpoint, returned by ``Socket/listen(_:tls:)``.
public struct Listener: Sendable, Hashable {
    /// nng's id for the listener.
    public let id: UInt32
    /// The URL it was asked to listen on.
    public let url: String

    private var handle: nng_listener { nng_listener(id: id) }

    /// The TCP port actually bound, useful after listening on port 0 (`NNG_OPT_TCP_BOUND_PORT`).
    public func boundPort() throws(NNGError) -> Int {
        var port: Int32 = 0
        try NNGError.check(nng_listener_get_int(handle, NNG_OPT_TCP_BOUND_PORT, &port), "nng_listener_get_int", NNG_OPT_TCP_BOUND_PORT)
        return Int(port)
    }

    /// The URL as bound: a `tcp://` or `tls+tcp://` URL asked for port 0 comes back with the
    /// port the system chose; any other URL as given.
    public var boundURL: String {
        guard url.hasPrefix("tcp://") || url.hasPrefix("tls+tcp://"), url.hasSuffix(":0"),
            let port = try? boundPort()
        else { return url }
        return String(url.dropLast()) + String(port)
    }

    /// Stops listening and closes the connections it accepted.
    public func close() throws(NNGError) {
        try NNGError.check(nng_listener_close(handle), "nng_listener_close", url)
    }
}

extension Socket {
    /// Starts listening on `url` (`inproc://`, `ipc://`, `tcp://`, `tls+tcp://`, ...).
    ///
    /// For `tls+tcp://` pass a ``TLSConfiguration`` holding the server certificate and key.
    @discardableResult
    public func listen(_ url: String, tls: TLSConfiguration? = nil) throws(NNGError) -> Listener {
        var listener = nng_listener()
        guard let tls else {
            try NNGError.check(nng_listen(handle, url, &listener, 0), "nng_listen", url)
            return Listener(id: listener.id, url: url)
        }
        try NNGError.check(nng_listener_create(&listener, handle, url), "nng_listener_create", url)
        do throws(NNGError) {
            let configured = listener
            try tls.withNNGConfig(mode: NNG_TLS_MODE_SERVER) { config throws(NNGError) in
                try NNGError.check(nng_listener_set_ptr(configured, NNG_OPT_TLS_CONFIG, UnsafeMutableRawPointer(config)), "nng_listener_set_ptr", NNG_OPT_TLS_CONFIG)
            }
            try NNGError.check(nng_listener_start(listener, 0), "nng_listener_start", url)
        } catch {
            nng_listener_close(listener)
            throw error
        }
        return Listener(id: listener.id, url: url)
    }
}
