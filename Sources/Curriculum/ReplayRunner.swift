/// The logic of `curriculum replay`, free of I/O: feeds events to a ``Curriculum`` and
/// describes the result of each. The caller decodes lines and prints records.
public struct ReplayRunner: Sendable {
    public private(set) var curriculum: Curriculum

    public init(curriculum: Curriculum) {
        self.curriculum = curriculum
    }

    /// Applies one event read from line `line` (1-based).
    public mutating func handle(_ event: ReplayEvent, line: Int) -> ReplayRecord {
        switch event {
        case .report(let report):
            do {
                let outcome = try curriculum.apply(report)
                return ReplayRecord(
                    line: line, version: curriculum.version, category: report.category, outcome: outcome,
                    distribution: curriculum.distribution())
            } catch {
                return ReplayRecord(line: line, error: error.code, reason: error.description)
            }
        case .step(let version):
            do {
                try curriculum.advance(to: version)
                return ReplayRecord(line: line, version: curriculum.version, distribution: curriculum.distribution())
            } catch {
                return ReplayRecord(line: line, error: "version_regression", reason: error.description)
            }
        }
    }

    /// The record for a line that could not be decoded.
    public func malformed(line: Int, reason: String) -> ReplayRecord {
        ReplayRecord(line: line, error: "malformed_line", reason: reason)
    }
}
