import CNNG

/// A socket's connecting endpoint, returned by ``Socket/dial(_:blocking:reconnect:tls:)``.
public struct Dialer: Sendable, Hashable {
    /// nng's id for the dialer.
    public let id: UInt32
    /// The URL it connects to.
    public let url: String

    /// Stops redialling and closes its connection.
    public func close() throws(NNGError) {
        try NNGError.check(nng_dialer_close(nng_dialer(id: id)), "nng_dialer_close", url)
    }
}

extension Socket {
    /// Connects to `url`.
    ///
    /// By default the dial returns at once (`NNG_FLAG_NONBLOCK`) and nng keeps retrying in
    /// the background, so the peer may start later; with `blocking: true` the first attempt
    /// must succeed or the call throws (e.g. ``NNGError/Code/connectionRefused``), and later
    /// losses are still redialled. `reconnect` overrides the socket's reconnect back-off;
    /// `tls` is required for `tls+tcp://`.
    @discardableResult
    public func dial(
        _ url: String,
        blocking: Bool = false,
        reconnect: ReconnectPolicy? = nil,
        tls: TLSConfiguration? = nil
    ) throws(NNGError) -> Dialer {
        let flags = blocking ? 0 : Int32(NNG_FLAG_NONBLOCK)
        var dialer = nng_dialer()
        guard reconnect != nil || tls != nil else {
            try NNGError.check(nng_dial(handle, url, &dialer, flags), "nng_dial", url)
            return Dialer(id: dialer.id, url: url)
        }
        try NNGError.check(nng_dialer_create(&dialer, handle, url), "nng_dialer_create", url)
        do throws(NNGError) {
            let configured = dialer
            if let reconnect {
                try NNGError.check(
                    nng_dialer_set_ms(dialer, NNG_OPT_RECONNMINT, Duration.nngMilliseconds(reconnect.minimum)),
                    "nng_dialer_set_ms", NNG_OPT_RECONNMINT)
                try NNGError.check(
                    nng_dialer_set_ms(dialer, NNG_OPT_RECONNMAXT, Duration.nngMilliseconds(reconnect.maximum ?? .zero)),
                    "nng_dialer_set_ms", NNG_OPT_RECONNMAXT)
            }
            try tls?.withNNGConfig(mode: NNG_TLS_MODE_CLIENT) { config throws(NNGError) in
                try NNGError.check(nng_dialer_set_ptr(configured, NNG_OPT_TLS_CONFIG, UnsafeMutableRawPointer(config)), "nng_dialer_set_ptr", NNG_OPT_TLS_CONFIG)
            }
            try NNGError.check(nng_dialer_start(dialer, flags), "nng_dialer_start", url)
        } catch {
            nng_dialer_close(dialer)
            throw error
        }
        return Dialer(id: dialer.id, url: url)
    }
}
