/// Identifies one connection (an nng pipe) of a socket; shared by messages and pipe events.
public struct PipeID: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public var description: String { "pipe \(rawValue)" }
}
