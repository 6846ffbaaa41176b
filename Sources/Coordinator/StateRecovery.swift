/// What the coordinator found in its state directory when it started.
public struct StateRecovery: Sendable, Hashable {
    /// False when the directory was new and a fresh state was saved into it.
    public var resumed: Bool
    /// The journal generation in use.
    public var generation: UInt64
    /// Journal records applied on top of the snapshot.
    public var changesReplayed: Int
    /// Bytes of a torn last record (a write cut short by the crash), dropped.
    public var tornBytes: Int
}
