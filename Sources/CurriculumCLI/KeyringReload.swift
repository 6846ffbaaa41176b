import Coordinator
import CurriculumAuth
import Foundation
import Logging

/// Reloads `--auth-keys` on SIGHUP, so keys can be rotated without restarting the
/// coordinator (and losing its state). A file that fails to load leaves the keys as they were.
enum KeyringReload {
    /// Handles SIGHUP, caught from this call on, until the returned task is cancelled.
    static func onHangup(path: String, coordinator: Coordinator, logger: Logger) throws -> Task<Void, Never> {
        let hangups = try CaughtSignals.stream(of: [SIGHUP])
        return Task {
            for await _ in hangups {
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
}
