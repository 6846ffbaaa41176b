import Foundation
import Testing

@testable import CurriculumAuth

struct KeyringTests {
    static let secretHex = String(repeating: "ab", count: 32)

    @Test func aFileOfKeysWithCommentsBlankLinesAndWorkerBindings() throws {
        let keyring = try Keyring(parsing: """
            # rotation: the newest key first
            2026-05:\(Self.secretHex)

            2026-04 : \(String(repeating: "cd", count: 16))
            rollout-7:\(String(repeating: "01", count: 16)):rollout-7\r
            fleet-a:\(String(repeating: "02", count: 16)):rollout-a-*, eval
            """, path: "keys")
        #expect(keyring.keys.map(\.id) == ["2026-05", "2026-04", "rollout-7", "fleet-a"])
        #expect(keyring["2026-05"]?.secret == [UInt8](repeating: 0xAB, count: 32))
        #expect(keyring["nope"] == nil)
        #expect(try keyring.signingKey().id == "2026-05")
        #expect(try keyring.signingKey(id: "2026-04").id == "2026-04")
        #expect(throws: KeyringError.noSuchKey("x", available: ["2026-05", "2026-04", "rollout-7", "fleet-a"])) {
            try keyring.signingKey(id: "x")
        }
        let any = try #require(keyring["2026-05"])
        #expect(any.allows(workerID: "whoever"))
        let bound = try #require(keyring["rollout-7"])
        #expect(bound.allows(workerID: "rollout-7") && !bound.allows(workerID: "rollout-70"))
        let fleet = try #require(keyring["fleet-a"])
        #expect(fleet.allows(workerID: "rollout-a-3") && fleet.allows(workerID: "eval"))
        #expect(!fleet.allows(workerID: "rollout-b-3") && !fleet.allows(workerID: "eval-2"))
    }

    @Test func theSecretNeverAppearsInADescription() throws {
        let key = try AuthenticationKey(id: "k", secret: [UInt8](repeating: 0xAB, count: 16))
        #expect(!"\(key)".lowercased().contains("abab"))
    }

    @Test(arguments: [
        ("k:abcd", KeyringError.secretTooShort(keyID: "k", byteCount: 2)),
        ("k:", KeyringError.secretTooShort(keyID: "k", byteCount: 0)),
        ("k:abc", KeyringError.malformedLine(path: "f", line: 1, reason: "the secret is not an even number of hex digits")),
        ("k:\(String(repeating: "zz", count: 16))",
         KeyringError.malformedLine(path: "f", line: 1, reason: "the secret is not an even number of hex digits")),
        ("\n\njust-a-name", KeyringError.malformedLine(path: "f", line: 3, reason: "1 colon-separated fields")),
        ("k:\(secretHex):w:extra", KeyringError.malformedLine(path: "f", line: 1, reason: "4 colon-separated fields")),
        ("bad id:\(secretHex)", KeyringError.invalidKeyID("bad id")),
        (":\(secretHex)", KeyringError.invalidKeyID("")),
        ("k:\(secretHex):", KeyringError.invalidWorkerPattern(keyID: "k", pattern: "")),
        ("k:\(secretHex):a,,b", KeyringError.invalidWorkerPattern(keyID: "k", pattern: "a,,b")),
        ("k:\(secretHex)\nk:\(secretHex)", KeyringError.duplicateKeyID("k")),
        ("# only a comment\n\n", KeyringError.empty(path: "f")),
    ])
    func badKeyFilesAreRefusedWithTheReason(text: String, expected: KeyringError) {
        #expect(throws: expected) { try Keyring(parsing: text, path: "f") }
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect("\(KeyringError.secretTooShort(keyID: "k", byteCount: 8))".contains("openssl rand -hex 32"))
        #expect("\(KeyringError.insecurePermissions(path: "/k", mode: 0o644))".contains("chmod 600 /k"))
        #expect("\(KeyringError.malformedLine(path: "/k", line: 3, reason: "x"))".contains("/k, line 3"))
    }

    @Test func aKeyFileOthersCanReadIsRefusedAndAPrivateOneLoads() throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "keys-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "k:\(Self.secretHex)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: KeyringError.insecurePermissions(path: path, mode: 0o644)) {
            try Keyring(contentsOfFile: path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(try Keyring(contentsOfFile: path).keys.map(\.id) == ["k"])
        #expect {
            try Keyring(contentsOfFile: path + ".missing")
        } throws: { error in
            if case .unreadable(let missing, _) = error as? KeyringError { missing == path + ".missing" } else { false }
        }
    }
}
