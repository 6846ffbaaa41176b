import Foundation

/// The shared secrets a coordinator accepts, or a worker signs with, by key id.
///
/// The key file has one key per line, `KEY_ID:HEX_SECRET`, optionally followed by
/// `:WORKERS`, a comma-separated list of the worker ids the key may sign for (an id, or
/// a prefix ending in `*`). Blank lines and lines starting with `#` are ignored. Secrets
/// are at least 16 bytes (32 hex digits). Several keys allow rotation: the coordinator
/// accepts any of them, a worker signs with one (the first unless it names another).
public struct Keyring: Sendable, Equatable {
    /// In file order.
    public let keys: [AuthenticationKey]
    private let byID: [String: Int]

    public init(_ keys: [AuthenticationKey]) throws(KeyringError) {
        var byID: [String: Int] = [:]
        for (index, key) in keys.enumerated() {
            guard byID.updateValue(index, forKey: key.id) == nil else { throw .duplicateKeyID(key.id) }
        }
        self.keys = keys
        self.byID = byID
    }

    public subscript(id: String) -> AuthenticationKey? {
        byID[id].map { keys[$0] }
    }

    /// The key to sign with: the one named `id`, or the first.
    public func signingKey(id: String? = nil) throws(KeyringError) -> AuthenticationKey {
        guard let id else { return keys[0] }
        guard let key = self[id] else { throw .noSuchKey(id, available: keys.map(\.id)) }
        return key
    }

    /// Parses a key file's text. `path` only names the source in errors.
    public init(parsing text: String, path: String) throws(KeyringError) {
        var keys: [AuthenticationKey] = []
        // isNewline: "\r\n" is one Character, which a split on "\n" would not see.
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == 2 || fields.count == 3 else {
                throw .malformedLine(path: path, line: offset + 1, reason: "\(fields.count) colon-separated fields")
            }
            guard let secret = Self.bytes(fromHex: fields[1]) else {
                throw .malformedLine(path: path, line: offset + 1, reason: "the secret is not an even number of hex digits")
            }
            let workers = fields.count == 3
                ? fields[2].split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                : nil
            keys.append(try AuthenticationKey(id: fields[0], secret: secret, allowedWorkers: workers))
        }
        guard !keys.isEmpty else { throw .empty(path: path) }
        try self.init(keys)
    }

    /// Reads a key file, refusing one that users other than its owner and group may read or write.
    public init(contentsOfFile path: String) throws(KeyringError) {
        let attributes: [FileAttributeKey: Any]
        let data: Data
        guard FileManager.default.fileExists(atPath: path) else { throw .unreadable(path: path, reason: "no such file") }
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value, mode & 0o007 != 0 {
            throw .insecurePermissions(path: path, mode: mode)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        try self.init(parsing: text, path: path)
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.value(ofHexDigit: digits[index]), let low = Self.value(ofHexDigit: digits[index + 1])
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func value(ofHexDigit digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x41...0x46: digit - 0x41 + 10
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }
}
