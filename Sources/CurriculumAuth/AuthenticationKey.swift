/// One shared secret of a keyring, under the name frames carry in `Authentication.key_id`.
public struct AuthenticationKey: Sendable, Equatable, CustomStringConvertible {
    /// The shortest secret accepted: 128 bits. `openssl rand -hex 32` makes 256.
    public static let minimumSecretLength = 16
    /// Key ids travel in every frame: short, and safe to print in a log line.
    public static let maximumIDLength = 64

    public let id: String
    /// Raw bytes rather than a `SymmetricKey`, which is not `Sendable` in swift-crypto 3.
    let secret: [UInt8]
    /// Worker ids this key may sign for: nil for any, else exact ids or prefixes ending in `*`.
    public let allowedWorkers: [String]?

    public init(id: String, secret: [UInt8], allowedWorkers: [String]? = nil) throws(KeyringError) {
        guard Self.isValidID(id) else { throw .invalidKeyID(id) }
        guard secret.count >= Self.minimumSecretLength else {
            throw .secretTooShort(keyID: id, byteCount: secret.count)
        }
        if let allowedWorkers {
            guard !allowedWorkers.isEmpty, allowedWorkers.allSatisfy({ !$0.isEmpty }) else {
                throw .invalidWorkerPattern(keyID: id, pattern: allowedWorkers.joined(separator: ","))
            }
        }
        self.id = id
        self.secret = secret
        self.allowedWorkers = allowedWorkers
    }

    /// Whether a frame signed with this key may speak for `workerID`.
    public func allows(workerID: String) -> Bool {
        guard let allowedWorkers else { return true }
        return allowedWorkers.contains { pattern in
            pattern.hasSuffix("*") ? workerID.hasPrefix(pattern.dropLast()) : workerID == pattern
        }
    }

    /// 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maximumIDLength
            && id.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
    }

    /// Never the secret.
    public var description: String { "key \(id)" }
}
