/// A connection of a socket was added or removed (`nng_pipe_notify`).
public struct PipeEvent: Sendable, Hashable {
    /// What happened to the pipe.
    public enum Kind: Sendable, Hashable {
        /// The pipe is connected and ready (`NNG_PIPE_EV_ADD_POST`).
        case added
        /// The pipe was closed and removed (`NNG_PIPE_EV_REM_POST`).
        case removed
    }

    /// The connection concerned.
    public let pipe: PipeID
    /// Whether it was added or removed.
    public let kind: Kind

    public init(pipe: PipeID, kind: Kind) {
        self.pipe = pipe
        self.kind = kind
    }
}
