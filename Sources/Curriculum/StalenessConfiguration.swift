/// How stale reports are weighted and which are refused.
///
/// Staleness is s = current version - report version. A report from the future (s < 0) is
/// rejected rather than treated as fresh: it means the worker and the coordinator disagree
/// about the version, and counting it would hide that bug. A report with s above `maximum`
/// is rejected as well, like AReaL's bound on policy-version lag.
public struct StalenessConfiguration: Sendable, Hashable, Codable {
    public var weighting: StalenessWeighting
    /// The largest accepted staleness; nil accepts any.
    public var maximum: Int?

    public init(weighting: StalenessWeighting = .constant, maximum: Int? = nil) {
        self.weighting = weighting
        self.maximum = maximum
    }

    func validate() throws(ConfigurationError) {
        try weighting.validate()
        if let maximum {
            try ConfigurationError.require(maximum >= 0, "max-staleness", maximum, "non-negative")
        }
    }

    /// The weight of a report of `version` at `current`, or the reason it is refused.
    @inline(__always)
    public func weight(reportVersion version: Int, current: Int) throws(ReportRejection) -> (staleness: Int, weight: Double) {
        if version > current { throw .futureVersion(report: version, current: current) }
        // Versions far apart can overflow Int; such a report is as stale as can be.
        let (difference, overflow) = current.subtractingReportingOverflow(version)
        let s = overflow ? Int.max : difference
        if let maximum, s > maximum { throw .tooStale(staleness: s, maximum: maximum) }
        return (s, weighting.weight(staleness: s))
    }
}
