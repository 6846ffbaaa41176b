import Foundation
import Testing

@testable import CurriculumCLI

struct ConfigFileTests {
    func write(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "config-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagsFromTheFileComeBeforeTheCommandLineSoTheCommandLineWins() throws {
        let path = try write(#"{"policy": "sec", "alpha": 0.4, "publish-every": 32, "strict-categories": true, "categories": ["a,b"]}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expanded = try ConfigFile.expand(["coordinator", "--config", path, "--alpha", "0.25"])
        #expect(expanded == [
            "coordinator", "--alpha", "0.4", "--categories", "a,b", "--policy", "sec", "--publish-every", "32",
            "--strict-categories", "--alpha", "0.25",
        ])
        let command = try CoordinatorCommand.parse(Array(expanded.dropFirst()))
        #expect(command.policy.alpha == 0.25)
        #expect(command.publishEvery == 32)
        #expect(command.strictCategories)
    }

    @Test func aFalseFlagIsLeftOut() throws {
        let path = try write(#"{"strict-categories": false}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ConfigFile.expand(["coordinator", "--config=\(path)"]) == ["coordinator"])
    }

    @Test func unreadableAndMalformedFilesAreReportedByName() throws {
        #expect(throws: ConfigFile.Invalid.self) { try ConfigFile.expand(["worker", "--config", "/nonexistent.json"]) }
        let path = try write(#"{"steps": {"nested": 1}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try ConfigFile.expand(["worker", "--config", path])
            Issue.record("a nested object was accepted")
        } catch let error as ConfigFile.Invalid {
            #expect(error.description.contains(path))
        }
    }

    @Test func everyPolicyFlagValueMakesThePolicyOfThatName() throws {
        let required = ["mixture": ["--mixture", "a=1"], "schedule": ["--schedule", "0:a=1;5:b=1"]]
        for name in PolicyOptions.Name.allCases.map(\.rawValue) {
            let command = try CoordinatorCommand.parse(["--policy", name] + (required[name] ?? []))
            #expect(try command.policy.configuration().name == name)
            #expect(try command.policy.configuration().makePolicy().snapshot.name == name)
        }
    }

    @Test func theFloorAppliesToEveryPolicyAndMustFitTheCategories() throws {
        let thompson = try CoordinatorCommand.parse(["--policy", "thompson"])
        #expect(try thompson.policy.configuration().minimumProbability == 0.01)
        let off = try CoordinatorCommand.parse(["--policy", "thompson", "--min-probability", "0"])
        #expect(try off.policy.configuration().minimumProbability == 0)
        let sec = try CoordinatorCommand.parse(["--policy", "sec", "--min-probability", "0.05"])
        #expect(try sec.policy.configuration().minimumProbability == 0.05)
        do {
            _ = try CoordinatorCommand.parse(["--categories", "a,b,c", "--min-probability", "0.4"])
            Issue.record("a floor of 0.4 over 3 categories was accepted")
        } catch {
            #expect(CoordinatorCommand.message(for: error).contains("at most 1/K"))
        }
    }

    @Test func badFlagValuesAreRejectedWithTheFlagNamed() {
        #expect(throws: (any Error).self) { try CoordinatorCommand.parse(["--publish-every", "0"]) }
        do {
            _ = try CoordinatorCommand.parse(["--max-reports-per-frame", "0"])
            Issue.record("a limit of 0 reports per frame was accepted")
        } catch {
            #expect(CoordinatorCommand.message(for: error).contains("--max-reports-per-frame must be positive, got 0"))
        }
        do {
            _ = try WorkerCommand.parse(["--share", "1.5"])
            Issue.record("a share of 1.5 was accepted")
        } catch {
            #expect(WorkerCommand.message(for: error).contains("--share must be in (0, 1]"))
        }
    }
}
