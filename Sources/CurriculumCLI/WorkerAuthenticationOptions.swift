import ArgumentParser
import CurriculumAuth

/// `curriculum worker --auth-keys FILE [--auth-key-id ID]`: sign every frame.
struct WorkerAuthenticationOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Key file (lines KEY_ID:HEX_SECRET[:WORKERS]): sign every frame with one of its keys.", valueName: "file"))
    var authKeys: String?

    @Option(help: ArgumentHelp("The key of --auth-keys to sign with (default: the file's first).", valueName: "id"))
    var authKeyID: String?

    func validate() throws {
        if authKeyID != nil, authKeys == nil {
            throw ValidationError("--auth-key-id needs --auth-keys")
        }
        _ = try signingKey()
    }

    /// The key to sign with, or nil when no key file is given.
    func signingKey() throws -> AuthenticationKey? {
        guard let authKeys else { return nil }
        do {
            return try loadKeyring(authKeys).signingKey(id: authKeyID)
        } catch let error as KeyringError {
            throw ValidationError("--auth-key-id: \(error)")
        }
    }
}
