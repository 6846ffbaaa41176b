import Coordinator
import CurriculumWire
import Synchronization

/// The coordinator of the run in progress, for a dashboard that follows a demo from run
/// to run: each run attaches its coordinator when it starts, replacing the last one, whose
/// final state stays on show until then.
public final class RunObserver: Sendable {
    private let current = Mutex<Coordinator?>(nil)

    public init() {}

    func attach(_ coordinator: Coordinator) {
        current.withLock { $0 = coordinator }
    }

    /// The newest run's coordinator's status; nil before the first run listens.
    public func status() async -> Wire.Status? {
        guard let coordinator = current.withLock({ $0 }) else { return nil }
        return await coordinator.statusIfReady()
    }
}
