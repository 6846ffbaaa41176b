/// How a dialer retries a lost or refused connection.
///
/// nng waits `minimum` before the first retry; with a `maximum` it doubles the wait after
/// each failure up to that bound, without one it retries every `minimum` (nng's default
/// is one second).
public struct ReconnectPolicy: Sendable, Hashable {
    /// The first (and, without a maximum, every) wait before redialling.
    public var minimum: Duration
    /// The cap for exponential back-off; `nil` disables back-off.
    public var maximum: Duration?

    public init(minimum: Duration, maximum: Duration? = nil) {
        self.minimum = minimum
        self.maximum = maximum
    }
}
