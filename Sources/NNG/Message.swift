/// A message: its body bytes, its protocol header and the pipe it arrived on.
///
/// A received message reads its body in place from nng's buffer; use ``withUnsafeBytes(_:)``
/// or ``count`` to inspect it without copying. ``bytes`` copies it into an array.
/// Copies of a `Message` share one body, which is never modified in place.
public struct Message: Sendable, Hashable {
    private enum Body: Sendable {
        /// Built in Swift with ``Message/init(bytes:pipe:)``.
        case array([UInt8])
        /// Received from nng and read where it lies.
        case received(ReceivedBody)
    }

    private var body: Body
    /// The connection the message arrived on.
    public var pipe: PipeID

    /// Creates a message, for example to compare against a received one.
    public init(bytes: [UInt8], pipe: PipeID = PipeID(rawValue: 0)) {
        self.body = .array(bytes)
        self.pipe = pipe
    }

    /// Wraps a received nng message without copying it; the caller must own `msg`.
    init(taking msg: OpaquePointer) {
        let received = ReceivedBody(taking: msg)
        self.body = .received(received)
        self.pipe = received.pipe
    }

    /// The message body, copied into a new array for a received message.
    public var bytes: [UInt8] {
        get {
            switch body {
            case .array(let bytes): bytes
            case .received(let received): received.withUnsafeBytes { Array($0) }
            }
        }
        set { body = .array(newValue) }
    }

    /// The body's length in bytes.
    public var count: Int {
        switch body {
        case .array(let bytes): bytes.count
        case .received(let received): received.count
        }
    }

    /// Calls `body` with the message body in place; the pointer is valid only during the call.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch self.body {
        case .array(let bytes): try bytes.withUnsafeBytes(body)
        case .received(let received): try received.withUnsafeBytes(body)
        }
    }

    /// The protocol header nng keeps apart from the body, copied: on a raw REP socket the
    /// request's backtrace (the pipes it came through and its request ID), which a reply
    /// must carry to find its way back. Empty for a message built in Swift and for
    /// protocols without one.
    public var header: [UInt8] {
        switch body {
        case .array: []
        case .received(let received): received.header
        }
    }

    /// The body decoded as UTF-8, repairing invalid sequences.
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    // Equality and hashing go by content, so a received body equals the same bytes built in Swift.
    public static func == (lhs: Message, rhs: Message) -> Bool {
        lhs.pipe == rhs.pipe && lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { left.elementsEqual($0) } }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pipe)
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
