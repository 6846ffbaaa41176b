import Foundation
import Testing

@testable import CurriculumCLI

/// `--auth-keys`, `--auth-key-id` and `--auth-max-clock-skew-ms`, from the command line
/// and from a config file, and the errors a bad key file gives.
struct AuthenticationOptionsTests {
    static let secret = String(repeating: "5a", count: 32)

    func write(_ text: String, mode: Int = 0o600, suffix: String = "") throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "auth-\(UUID().uuidString)\(suffix)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func aConfigFileNamesTheKeyFileAndTheSkewForTheCoordinator() throws {
        let keys = try write("k1:\(Self.secret)\nk2:\(Self.secret)\n")
        let config = try write(#"{"auth-keys": "\#(keys)", "auth-max-clock-skew-ms": 5000}"#, suffix: ".json")
        defer { for path in [keys, config] { try? FileManager.default.removeItem(atPath: path) } }
        let expanded = try ConfigFile.expand(["coordinator", "--config", config])
        let command = try CoordinatorCommand.parse(Array(expanded.dropFirst()))
        let authentication = try #require(try command.authentication.configuration())
        #expect(authentication.keyring.keys.map(\.id) == ["k1", "k2"])
        #expect(authentication.maximumClockSkew == .seconds(5))
        #expect(try CoordinatorCommand.parse([]).authentication.configuration() == nil)
    }

    @Test func aWorkerSignsWithTheNamedKeyOrTheFirst() throws {
        let keys = try write("# rotation\nk1:\(Self.secret)\nk2:\(Self.secret)\n")
        let config = try write(#"{"auth-keys": "\#(keys)", "auth-key-id": "k2"}"#, suffix: ".json")
        defer { for path in [keys, config] { try? FileManager.default.removeItem(atPath: path) } }
        let expanded = try ConfigFile.expand(["worker", "--config", config])
        #expect(try WorkerCommand.parse(Array(expanded.dropFirst())).authentication.signingKey()?.id == "k2")
        #expect(try WorkerCommand.parse(["--auth-keys", keys]).authentication.signingKey()?.id == "k1")
        #expect(try WorkerCommand.parse([]).authentication.signingKey() == nil)
    }

    @Test func badKeyFilesAndFlagsAreRefusedWithTheFlagAndTheFixNamed() throws {
        let short = try write("k:abcd\n")
        let open = try write("k:\(Self.secret)\n", mode: 0o644)
        let good = try write("k:\(Self.secret)\n")
        defer { for path in [short, open, good] { try? FileManager.default.removeItem(atPath: path) } }
        let cases: [(arguments: [String], worker: Bool, message: String)] = [
            (["--auth-keys", short], false, "--auth-keys: the secret of key k is 2 bytes; at least 16"),
            (["--auth-keys", open], true, "chmod 600 \(open)"),
            (["--auth-keys", "/nonexistent/keys"], true, "key file /nonexistent/keys cannot be read: no such file"),
            (["--auth-key-id", "k"], true, "--auth-key-id needs --auth-keys"),
            (["--auth-keys", good, "--auth-key-id", "other"], true, "no key other in the key file; it holds k"),
            (["--auth-keys", good, "--auth-max-clock-skew-ms", "0"], false, "--auth-max-clock-skew-ms must be positive"),
        ]
        for (arguments, worker, message) in cases {
            do {
                if worker { _ = try WorkerCommand.parse(arguments) } else { _ = try CoordinatorCommand.parse(arguments) }
                Issue.record("\(arguments) was accepted")
            } catch {
                let text = worker ? WorkerCommand.message(for: error) : CoordinatorCommand.message(for: error)
                #expect(text.contains(message), "\(arguments): \(text)")
            }
        }
    }
}
