/// One input line of `curriculum replay`: a report, or the end of training steps up to a
/// new version.
///
/// A JSON object with a `step` key (`{"step": 4}`) moves the current version to 4; any other
/// object is decoded as a ``CategoryReport``.
public enum ReplayEvent: Sendable, Hashable, Decodable {
    case report(CategoryReport)
    case step(Int)

    private enum CodingKeys: String, CodingKey {
        case step
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let version = try c.decodeIfPresent(Int.self, forKey: .step) {
            self = .step(version)
        } else {
            self = .report(try CategoryReport(from: decoder))
        }
    }
}
