import CNNG

/// An error reported by libnng, with the call and the URL or option it concerned.
///
/// `description` reads like nng's own diagnostics, for example
/// `nng_listen("tcp://127.0.0.1:99999"): Invalid argument (code 3)`.
/// Match on ``code`` to react to specific failures:
///
/// ```swift
/// do { _ = try await socket.receive() }
/// catch NNGError.Code.closed { /* the socket was closed */ }
/// ```
public struct NNGError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An nng error number (`nng_errno_enum`).
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int32

        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        init(_ value: nng_errno_enum) {
            self.rawValue = Int32(bitPattern: value.rawValue)
        }

        /// The socket (or the dialer, listener or pipe) was closed.
        public static let closed = Code(NNG_ECLOSED)
        /// The operation did not complete within its timeout.
        public static let timedOut = Code(NNG_ETIMEDOUT)
        /// The operation would block and was asked not to.
        public static let tryAgain = Code(NNG_EAGAIN)
        /// The address is already bound by another listener.
        public static let addressInUse = Code(NNG_EADDRINUSE)
        /// The URL or address is malformed or unusable.
        public static let addressInvalid = Code(NNG_EADDRINVAL)
        /// An argument was invalid (for example a port out of range).
        public static let invalidArgument = Code(NNG_EINVAL)
        /// The operation or option is not supported by this socket.
        public static let notSupported = Code(NNG_ENOTSUP)
        /// The option value has the wrong type for the option.
        public static let badType = Code(NNG_EBADTYPE)
        /// The operation is not valid in the socket's current state (e.g. a reply without a request).
        public static let badState = Code(NNG_ESTATE)
        /// The remote peer refused the connection.
        public static let connectionRefused = Code(NNG_ECONNREFUSED)
        /// The connection was reset or shut down by the peer.
        public static let connectionShutdown = Code(NNG_ECONNSHUT)
        /// The operation was cancelled.
        public static let canceled = Code(NNG_ECANCELED)
        /// A message exceeded the receiver's maximum size.
        public static let messageTooLarge = Code(NNG_EMSGSIZE)
        /// The peer could not be authenticated (TLS).
        public static let peerAuthentication = Code(NNG_EPEERAUTH)
        /// A cryptographic failure, such as a malformed certificate or key.
        public static let crypto = Code(NNG_ECRYPTO)
        /// The item does not exist.
        public static let notFound = Code(NNG_ENOENT)

        public var description: String { String(cString: nng_strerror(rawValue)) }

        /// Lets `catch NNGError.Code.closed` match any `NNGError` with that code.
        public static func ~= (pattern: Code, error: any Error) -> Bool {
            (error as? NNGError)?.code == pattern
        }
    }

    /// The nng error number, as returned by the failing call.
    public let code: Code
    /// nng's own text for the error (`nng_strerror`).
    public let message: String
    /// The nng call that failed, e.g. `nng_listen`.
    public let operation: String
    /// The URL or option name the call concerned, if any.
    public let subject: String?

    /// Creates an error from an nng return value.
    public init(code: Int32, operation: String, subject: String? = nil) {
        self.code = Code(rawValue: code)
        self.message = String(cString: nng_strerror(code))
        self.operation = operation
        self.subject = subject
    }

    public var description: String {
        let call = subject.map { "\(operation)(\"\($0)\")" } ?? operation
        return "\(call): \(message) (code \(code.rawValue))"
    }
}

extension NNGError {
    /// Throws an `NNGError` when an nng call returned non-zero.
    @inline(__always)
    static func check(_ result: Int32, _ operation: @autoclosure () -> String, _ subject: @autoclosure () -> String? = nil) throws(NNGError) {
        if result != 0 {
            throw NNGError(code: result, operation: operation(), subject: subject())
        }
    }
}
