import ArgumentParser

@main
struct CurriculumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curriculum",
        abstract: "A distributed self-evolving curriculum for RL post-training.",
        discussion: """
            A coordinator owns a non-stationary bandit over problem categories and publishes \
            the sampling distribution over nng; rollout workers draw batches from it and report \
            advantage statistics back.
            """,
        version: CurriculumVersion.string,
        subcommands: []
    )
}
