import CNNG

extension Socket {
    /// Sets any socket option by name, e.g. `setOption(NNG_OPT_SURVEYOR_SURVEYTIME, to: .duration(.seconds(1)))`.
    ///
    /// nng's verdict is surfaced as is: an unknown name throws ``NNGError/Code/notSupported``,
    /// a wrong value type ``NNGError/Code/badType``, an out-of-range value
    /// ``NNGError/Code/invalidArgument``; the error names the option.
    public func setOption(_ name: String, to value: OptionValue) throws(NNGError) {
        let result: Int32
        switch value {
        case .int(let value):
            guard let value = Int32(exactly: value) else {
                throw NNGError(code: NNGError.Code.invalidArgument.rawValue, operation: "nng_socket_set_int", subject: name)
            }
            result = nng_socket_set_int(handle, name, value)
        case .duration(let value):
            result = nng_socket_set_ms(handle, name, Duration.nngMilliseconds(value))
        case .size(let value):
            guard let value = Int(exactly: value), value >= 0 else {
                throw NNGError(code: NNGError.Code.invalidArgument.rawValue, operation: "nng_socket_set_size", subject: name)
            }
            result = nng_socket_set_size(handle, name, value)
        case .bool(let value):
            result = nng_socket_set_bool(handle, name, value)
        case .string(let value):
            result = nng_socket_set_string(handle, name, value)
        }
        try NNGError.check(result, "nng_socket_set", name)
    }

    /// Reads an `int` option by name.
    public func intOption(_ name: String) throws(NNGError) -> Int {
        var value: Int32 = 0
        try NNGError.check(nng_socket_get_int(handle, name, &value), "nng_socket_get_int", name)
        return Int(value)
    }

    /// Reads a `size_t` option by name.
    public func sizeOption(_ name: String) throws(NNGError) -> Int {
        var value = 0
        try NNGError.check(nng_socket_get_size(handle, name, &value), "nng_socket_get_size", name)
        return value
    }

    /// Reads a millisecond option by name; `nil` means no limit.
    public func durationOption(_ name: String) throws(NNGError) -> Duration? {
        var value: nng_duration = 0
        try NNGError.check(nng_socket_get_ms(handle, name, &value), "nng_socket_get_ms", name)
        return Duration(nngMilliseconds: value)
    }

    /// Reads a `bool` option by name.
    public func boolOption(_ name: String) throws(NNGError) -> Bool {
        var value = false
        try NNGError.check(nng_socket_get_bool(handle, name, &value), "nng_socket_get_bool", name)
        return value
    }

    /// Reads a string option by name.
    public func stringOption(_ name: String) throws(NNGError) -> String {
        var value: UnsafeMutablePointer<CChar>?
        try NNGError.check(nng_socket_get_string(handle, name, &value), "nng_socket_get_string", name)
        defer { nng_strfree(value) }
        return String(cString: value!)
    }

    /// How many messages nng queues for receiving (`NNG_OPT_RECVBUF`, 0 to 8192).
    public func setReceiveBufferSize(_ messages: Int) throws(NNGError) {
        try setOption(NNG_OPT_RECVBUF, to: .int(messages))
    }

    /// How many messages nng queues for sending (`NNG_OPT_SENDBUF`, 0 to 8192).
    public func setSendBufferSize(_ messages: Int) throws(NNGError) {
        try setOption(NNG_OPT_SENDBUF, to: .int(messages))
    }

    /// How long a receive may wait before failing with ``NNGError/Code/timedOut``; `nil` waits forever.
    public func setReceiveTimeout(_ timeout: Duration?) throws(NNGError) {
        try setOption(NNG_OPT_RECVTIMEO, to: .duration(timeout))
    }

    /// How long a send may wait before failing with ``NNGError/Code/timedOut``; `nil` waits forever.
    public func setSendTimeout(_ timeout: Duration?) throws(NNGError) {
        try setOption(NNG_OPT_SENDTIMEO, to: .duration(timeout))
    }

    /// The largest message accepted from a peer (`NNG_OPT_RECVMAXSZ`); a larger one drops
    /// the connection. 0 means no limit. Applies to dialers and listeners created afterwards.
    public func setMaxReceiveSize(_ bytes: Int) throws(NNGError) {
        try setOption(NNG_OPT_RECVMAXSZ, to: .size(bytes))
    }

    /// Default reconnect back-off for dialers created afterwards (`NNG_OPT_RECONNMINT`,
    /// `NNG_OPT_RECONNMAXT`); see ``ReconnectPolicy``.
    public func setReconnectPolicy(_ policy: ReconnectPolicy) throws(NNGError) {
        try setOption(NNG_OPT_RECONNMINT, to: .duration(policy.minimum))
        try setOption(NNG_OPT_RECONNMAXT, to: .duration(policy.maximum ?? .zero))
    }

    /// Subscribes to messages whose body starts with `prefix`; an empty prefix matches all.
    ///
    /// The prefix is matched byte for byte with its exact length (no NUL terminator).
    public func subscribe(to prefix: [UInt8]) throws(NNGError) {
        try setBytes(NNG_OPT_SUB_SUBSCRIBE, prefix)
    }

    /// Subscribes to messages whose body starts with the UTF-8 bytes of `prefix`.
    public func subscribe(to prefix: String) throws(NNGError) {
        try subscribe(to: Array(prefix.utf8))
    }

    /// Removes a subscription made with the same prefix; unknown prefixes throw ``NNGError/Code/notFound``.
    public func unsubscribe(from prefix: [UInt8]) throws(NNGError) {
        try setBytes(NNG_OPT_SUB_UNSUBSCRIBE, prefix)
    }

    /// Removes a subscription made with the same string prefix.
    public func unsubscribe(from prefix: String) throws(NNGError) {
        try unsubscribe(from: Array(prefix.utf8))
    }

    private func setBytes(_ name: String, _ bytes: [UInt8]) throws(NNGError) {
        let result = bytes.withUnsafeBytes { nng_socket_set(handle, name, $0.baseAddress, $0.count) }
        try NNGError.check(result, "nng_socket_set", name)
    }
}
