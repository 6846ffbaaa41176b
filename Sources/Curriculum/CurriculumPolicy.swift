/// A non-stationary bandit over categories that learns from merged reports and yields a
/// sampling distribution.
///
/// Categories are registered by the first report naming them and start at the policy's
/// initial value. Implementations are value types whose whole state is `Codable` through
/// ``snapshot``; encoding and decoding a snapshot reproduces the policy bit for bit.
public protocol CurriculumPolicy: Sendable {
    /// The short name `--policy` takes and snapshots record.
    static var name: String { get }

    /// The known categories, in order of first appearance.
    var categories: [String] { get }

    /// Registers `category` if it is new, at the policy's initial value.
    mutating func register(_ category: String)

    /// Merges one report and returns the position of its arm in ``categories`` (registering
    /// it if it is new), so that a caller keeping per-arm state of its own need not look the
    /// category up again.
    ///
    /// - Parameters:
    ///   - report: a report that passed ``CategoryReport/validate()``. Its `share` scales
    ///     exponential-moving-average steps (see ``ShareAwareStep``); count-based policies
    ///     ignore it, because the report's `count` already is the worker's part of the batch.
    ///   - weight: the staleness weight in [0, 1]. It scales the step of averaging policies
    ///     and the counts of count-based ones.
    @discardableResult
    mutating func merge(_ report: CategoryReport, weight: Double) -> Int

    /// Tells the policy that `steps` training steps ended (the policy version advanced).
    /// Discounting policies decay here; the others ignore it.
    mutating func advance(by steps: Int)

    /// The current distribution and arm values: a pure function of the state.
    func distribution() -> CurriculumDistribution

    /// The whole state, tagged with the policy's kind.
    var snapshot: PolicySnapshot { get }
}
