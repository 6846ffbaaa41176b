/// The 4-byte ASCII prefix of every frame. Subscribers filter on it, so a
/// worker can take policies and acknowledgements without the status traffic,
/// and an outside peer such as `nngcat --subscribe POLI` can watch one kind.
public enum Topic: String, Sendable, CaseIterable {
    // Worker -> coordinator.
    case join = "JOIN"
    case report = "REPT"
    case heartbeat = "BEAT"
    case leave = "LEAV"
    // Coordinator -> workers.
    case policy = "POLI"
    case acks = "ACKS"
    case control = "CTRL"
    case status = "STAT"

    public static let byteCount = 4

    /// The prefix as bytes, for `subscribe(to:)`.
    public var bytes: [UInt8] { Array(rawValue.utf8) }

    init?(prefix: some Collection<UInt8>) {
        // Compared as bytes: decoding the prefix as a Foundation string first cost more
        // than the rest of a small frame's decode.
        guard prefix.count == Self.byteCount,
            let topic = Self.allCases.first(where: { $0.rawValue.utf8.elementsEqual(prefix) })
        else { return nil }
        self = topic
    }

    /// The topic a body must travel under.
    public init(for body: Wire.Envelope.OneOf_Body) {
        switch body {
        case .join: self = .join
        case .report, .reportBatch: self = .report
        case .heartbeat: self = .heartbeat
        case .leave: self = .leave
        case .policy: self = .policy
        case .acks: self = .acks
        case .control: self = .control
        case .status: self = .status
        }
    }
}
