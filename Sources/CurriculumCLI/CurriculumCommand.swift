import ArgumentParser

@main
struct CurriculumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curriculum",
        abstract: "A distributed self-evolving curriculum for RL post-training.",
        discussion: """
            A coordinator owns a non-stationary bandit over problem categories and publishes \
            the sampling distribution over nng; rollout workers draw batches from it and report \
            advantage statistics back. Subcommands that take many flags also read them from \
            --config FILE.json (keys are flag names); flags on the command line win.
            """,
        version: CurriculumVersion.string,
        subcommands: [
            CoordinatorCommand.self, WorkerCommand.self, RelayCommand.self, StatusCommand.self, SnapshotCommand.self, ReplayCommand.self,
            DemoCommand.self,
            ExperimentCommand.self,
        ]
    )

    static func main() async {
        do {
            var command = try parseAsRoot(ConfigFile.expand(Array(CommandLine.arguments.dropFirst())))
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
