import CurriculumAuth

/// What the coordinator demands of the frames it takes in when workers must sign them.
public struct IngestAuthentication: Sendable {
    /// The keys a frame may be signed with.
    public var keyring: Keyring
    /// How far `sent_at_ms` may be from the coordinator's clock, either way. Bounds how
    /// long a captured frame can be replayed to a coordinator that has forgotten its
    /// replay windows (after a restart), and must cover the hosts' clock differences.
    public var maximumClockSkew: Duration
    /// Signature counters tracked below each worker's highest, for frames reordered in flight.
    public var replayWindowSize: Int

    public init(
        keyring: Keyring,
        maximumClockSkew: Duration = .seconds(30),
        replayWindowSize: Int = ReplayWindow.defaultSize
    ) {
        self.keyring = keyring
        self.maximumClockSkew = maximumClockSkew
        self.replayWindowSize = replayWindowSize
    }
}
