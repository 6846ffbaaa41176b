/// When finished worker incarnations leave the membership, and how long the record that
/// keeps their resends exactly-once is kept.
///
/// Bounds (Protocols/README.md section 5, README "Reliability"):
/// - an incarnation that left or was replaced is retired `grace` after it was last heard;
///   one marked lost, `grace` after its lease ran out; one whose ledger still has a gap,
///   `4 * grace` after (its final sequence is then the highest it sent: a gap it never
///   filled stays unmerged, and nothing is counted twice);
/// - a retired record is forgotten `expiry` after retirement. Only a process still alive
///   could resend after that: one that left had drained, one that was replaced is gone;
///   a lost one that is still running, cut off for longer than `expiry`, is the one case
///   this does not cover, so `expiry` is far above any partition a run survives;
/// - so the membership holds live workers plus those finished within `grace`, and the
///   retired set those finished within `expiry`: rate of finishing times `expiry` records.
public struct RetirementPolicy: Sendable, Equatable {
    public var grace: Duration
    public var expiry: Duration

    /// Five minutes: longer than twice the default 30 s clock-skew bound of signed frames,
    /// so a signed frame of a retired incarnation can no longer pass the skew check when
    /// its replay window is dropped with it.
    public static let defaultGrace: Duration = .seconds(300)
    /// A day: far beyond any worker's retransmission (it backs off to 5 s and resends
    /// until acknowledged, so only a process alive and cut off for a day is left out).
    public static let defaultExpiry: Duration = .seconds(86_400)

    public init(grace: Duration = defaultGrace, expiry: Duration = defaultExpiry) {
        self.grace = grace
        self.expiry = max(expiry, grace)
    }

    /// How long a finished incarnation whose ledger still has a gap waits for it to fill.
    var abandonment: Duration { grace * 4 }
}
