/// What one fault scenario delivered, as README's reliability section quotes it.
struct ReliabilityFigures: Sendable, CustomStringConvertible {
    var scenario: String
    /// Reports the workers made (each sent at least once).
    var sent: UInt64
    /// Reports the coordinator merged.
    var merged: UInt64
    /// Copies the coordinator's ledger recognised and did not merge again.
    var duplicatesIgnored: UInt64
    /// Reports the workers sent again after their acknowledgement timed out.
    var resends: UInt64
    /// Reports a worker made that the coordinator never merged.
    var lost: UInt64
    /// Reports the coordinator merged more often than a worker made them.
    var doubleCounted: UInt64

    var description: String {
        "reliability: \(scenario): reports sent \(sent), merged \(merged), duplicates ignored \(duplicatesIgnored), "
            + "resends \(resends), lost \(lost), double-counted \(doubleCounted)"
    }
}
