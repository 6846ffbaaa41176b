import CNNG

/// A value for an nng option set by name with ``Socket/setOption(_:to:)``.
///
/// The case chooses which typed nng setter is used (`nng_socket_set_int`, `_ms`,
/// `_size`, `_bool`, `_string`); nng rejects a mismatch with ``NNGError/Code/badType``.
public enum OptionValue: Sendable, Hashable {
    /// An `int` option, such as `NNG_OPT_RECVBUF`.
    case int(Int)
    /// A millisecond option, such as `NNG_OPT_RECVTIMEO`; `nil` means no limit.
    case duration(Duration?)
    /// A `size_t` option, such as `NNG_OPT_RECVMAXSZ`.
    case size(Int)
    /// A `bool` option, such as `NNG_OPT_TCP_NODELAY`.
    case bool(Bool)
    /// A string option, such as `NNG_OPT_SOCKNAME`.
    case string(String)
}

extension Duration {
    /// nng's millisecond duration; `nil` maps to `NNG_DURATION_INFINITE`.
    static func nngMilliseconds(_ duration: Duration?) -> nng_duration {
        guard let duration else { return nng_duration(NNG_DURATION_INFINITE) }
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return seconds < 0 ? 0 : .max }
        // Negative values other than -1 mean nothing to nng; clamp to "immediately".
        return nng_duration(clamping: max(0, milliseconds.partialValue + attoseconds / 1_000_000_000_000_000))
    }

    init?(nngMilliseconds milliseconds: nng_duration) {
        guard milliseconds >= 0 else { return nil }
        self = .milliseconds(milliseconds)
    }
}
