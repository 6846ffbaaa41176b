import ArgumentParser
import Coordinator
import Foundation

/// `curriculum snapshot`: moves a coordinator's state in and out of its state directory,
/// so a curriculum can be checkpointed and restored together with the trainer.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Export, import or show a coordinator's curriculum state.",
        discussion: """
            Save the curriculum with each trainer checkpoint: \
            `curriculum snapshot export --state DIR --trainer-step N --output ckpt-N/curriculum.json` \
            (safe while the coordinator runs). To resume training from checkpoint N: \
            `curriculum snapshot import ckpt-N/curriculum.json --state DIR`, then start \
            `curriculum coordinator --state DIR`.
            """,
        subcommands: [Export.self, Import.self, Show.self]
    )

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the state a state directory holds as one JSON snapshot.")

        @Option(help: ArgumentHelp("The coordinator's state directory.", valueName: "dir"))
        var state: String

        @Option(help: ArgumentHelp("Where to write the snapshot; - for standard output.", valueName: "file"))
        var output = "-"

        @Option(help: "The trainer step this snapshot belongs to, recorded in it.")
        var trainerStep: Int?

        func run() throws {
            var snapshot = try CoordinatorSnapshot(stateDirectory: state)
            snapshot.trainerStep = trainerStep
            let data = try snapshot.encoded()
            if output == "-" {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            } else {
                try data.write(to: URL(fileURLWithPath: output), options: Data.WritingOptions.atomic)
                print("exported policy version \(snapshot.policyVersion) of \(state) to \(output)")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a snapshot the state a coordinator started with --state DIR resumes from.")

        @Argument(help: ArgumentHelp("A snapshot written by `curriculum snapshot export`.", valueName: "file"))
        var snapshot: String

        @Option(help: ArgumentHelp("The coordinator's state directory; its current state is replaced.", valueName: "dir"))
        var state: String

        func run() throws {
            guard let data = FileManager.default.contents(atPath: snapshot) else {
                throw ValidationError("cannot read \(snapshot)")
            }
            let decoded = try CoordinatorSnapshot.decode(data, path: snapshot)
            try decoded.install(stateDirectory: state)
            let step = decoded.trainerStep.map { " (trainer step \($0))" } ?? ""
            print("imported policy version \(decoded.policyVersion)\(step) into \(state)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the policy version, categories and workers of a state directory or snapshot file.")

        @Argument(help: ArgumentHelp("A state directory or a snapshot file.", valueName: "path"))
        var path: String

        func run() throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("\(path) does not exist")
            }
            let snapshot: CoordinatorSnapshot
            if isDirectory.boolValue {
                snapshot = try CoordinatorSnapshot(stateDirectory: path)
            } else {
                snapshot = try CoordinatorSnapshot.decode(FileManager.default.contents(atPath: path) ?? Data(), path: path)
            }
            var curriculum = snapshot.curriculum
            let distribution = curriculum.distribution()
            print("policy \(snapshot.curriculum.policy.snapshot.name), version \(snapshot.policyVersion)"
                + (snapshot.trainerStep.map { ", trainer step \($0)" } ?? ""))
            let totals = snapshot.curriculum.totals
            for (index, category) in distribution.categories.enumerated() {
                let samples = totals[category]?.count ?? 0
                print("  \(category): p=\(format(distribution.probabilities[index])) "
                    + "value=\(format(distribution.values[index])) samples=\(samples)")
            }
            for worker in snapshot.workers {
                print("  worker \(worker.workerID)#\(worker.incarnation) \(worker.state.rawValue): "
                    + "\(worker.reportsAccepted) reports, \(worker.samplesAccepted) samples, "
                    + "acknowledged through \(worker.ledger?.contiguousThrough ?? 0)")
            }
        }

        private func format(_ value: Double) -> String { String(format: "%.4f", value) }
    }
}
