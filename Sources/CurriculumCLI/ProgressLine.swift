import Demo
import Foundation
import Synchronization

/// The demo's live status line on stderr: rewritten in place on a terminal (at most ten
/// times a second), one line per 50 steps otherwise so logs stay readable.
final class ProgressLine: Sendable {
    private let lastDrawn = Mutex<ContinuousClock.Instant?>(nil)
    private let interactive = isatty(STDERR_FILENO) != 0

    func show(_ progress: Comparison.Progress) {
        let record = progress.record
        let final = record.step == progress.steps
        if interactive {
            let now = ContinuousClock.now
            let due = lastDrawn.withLock { last in
                guard final || last.map({ now - $0 >= .milliseconds(100) }) ?? true else { return false }
                last = now
                return true
            }
            guard due else { return }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + describe(progress)).utf8))
        } else if record.step % 50 == 0 || final {
            FileHandle.standardError.write(Data((describe(progress) + "\n").utf8))
        }
    }

    func finish() {
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// `[sec seed 1/3] step 120/200  p(level) .02 .10 .55 .30 .03  acc .61  hardest .12`
    private func describe(_ progress: Comparison.Progress) -> String {
        let record = progress.record
        let levels = record.accuracyByLevel.count
        var byLevel = [Double](repeating: 0, count: levels)
        for (c, p) in record.probabilities.enumerated() { byLevel[c % levels] += p }
        let distribution = byLevel.map { String(format: "%.2f", $0) }.joined(separator: " ")
        return String(
            format: "[%@ seed %d/%d] step %d/%d  p(level) %@  acc %.2f  hardest %.2f",
            progress.curriculum, progress.seedIndex + 1, progress.seeds, record.step, progress.steps,
            distribution, record.meanAccuracy, record.accuracyByLevel.last ?? 0)
    }
}
