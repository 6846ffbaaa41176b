/// Why a keyring or one of its keys was refused. Each message names the file, line
/// or flag to fix, and never shows a secret.
public enum KeyringError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// Readable or writable by users other than the owner (and group).
    case insecurePermissions(path: String, mode: UInt16)
    case malformedLine(path: String, line: Int, reason: String)
    case invalidKeyID(String)
    case secretTooShort(keyID: String, byteCount: Int)
    case invalidWorkerPattern(keyID: String, pattern: String)
    case duplicateKeyID(String)
    case empty(path: String)
    /// A signing key was asked for by id and the keyring has none of that name.
    case noSuchKey(String, available: [String])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "key file \(path) cannot be read: \(reason)"
        case .insecurePermissions(let path, let mode):
            "key file \(path) is accessible to other users (mode \(String(mode, radix: 8))): run chmod 600 \(path)"
        case .malformedLine(let path, let line, let reason):
            "key file \(path), line \(line): \(reason); expected KEY_ID:HEX_SECRET or KEY_ID:HEX_SECRET:WORKERS"
        case .invalidKeyID(let id):
            "key id \"\(id.prefix(80))\" is not 1 to \(AuthenticationKey.maximumIDLength) characters of A-Z a-z 0-9 . _ -"
        case .secretTooShort(let id, let count):
            "the secret of key \(id) is \(count) bytes; at least \(AuthenticationKey.minimumSecretLength) are required "
                + "(openssl rand -hex 32 makes 32)"
        case .invalidWorkerPattern(let id, let pattern):
            "key \(id): \"\(pattern)\" is not a comma-separated list of worker ids or id prefixes ending in *"
        case .duplicateKeyID(let id):
            "key id \(id) appears twice"
        case .empty(let path):
            "key file \(path) holds no key"
        case .noSuchKey(let id, let available):
            "no key \(id) in the key file; it holds \(available.joined(separator: ", "))"
        }
    }
}
