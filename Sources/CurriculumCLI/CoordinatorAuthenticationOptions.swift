import ArgumentParser
import Coordinator
import CurriculumAuth

/// `curriculum coordinator --auth-keys FILE`: require workers to sign their frames.
struct CoordinatorAuthenticationOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Key file (lines KEY_ID:HEX_SECRET[:WORKERS]): accept only frames signed with one of its keys.",
        valueName: "file"))
    var authKeys: String?

    @Option(help: ArgumentHelp("Milliseconds a signed frame's time may differ from this host's clock.", valueName: "ms"))
    var authMaxClockSkewMs = 30_000

    func validate() throws {
        guard authMaxClockSkewMs > 0 else {
            throw ValidationError("--auth-max-clock-skew-ms must be positive, got \(authMaxClockSkewMs)")
        }
        _ = try configuration()
    }

    /// The check to apply, or nil when no key file is given.
    func configuration() throws -> IngestAuthentication? {
        guard let authKeys else { return nil }
        return IngestAuthentication(
            keyring: try loadKeyring(authKeys), maximumClockSkew: .milliseconds(authMaxClockSkewMs))
    }
}

/// Reads a key file, turning its faults into a usage error that names the flag.
func loadKeyring(_ path: String) throws -> Keyring {
    do {
        return try Keyring(contentsOfFile: path)
    } catch {
        throw ValidationError("--auth-keys: \(error)")
    }
}
