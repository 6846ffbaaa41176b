import Coordinator
import CurriculumAuth
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads `--auth-keys` on SIGHUP, so keys can be rotated without restarting the coordinator
/// (and losing its state). A file that fails to load leaves the keys as they were.
struct KeyReloadService: Service {
    let path: String
    let coordinator: Coordinator
    let logger: Logger
    /// Made before the coordinator says it is ready: the sequence's initializer returns once its
    /// Dispatch source is registered, so a SIGHUP sent the moment a script reads that line is caught.
    let hangups: UnixSignalsSequence

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            do {
                let keyring = try Keyring(contentsOfFile: path)
                await coordinator.replaceKeyring(keyring)
                logger.notice("reloaded the key file", metadata: [
                    "path": "\(path)", "keys": "\(keyring.keys.map(\.id).joined(separator: ","))",
                ])
            } catch {
                logger.error("key file not reloaded; the previous keys stay in force", metadata: [
                    "path": "\(path)", "error": "\(error)",
                ])
            }
        }
    }
}
