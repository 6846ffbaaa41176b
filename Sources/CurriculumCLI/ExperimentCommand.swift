import ArgumentParser
import Demo
import Foundation

/// `curriculum experiment`: the runs behind docs/results.md.
struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run the comparison experiments and write their tables as Markdown.",
        discussion: """
            sec-vs-random: SEC, random, DUMP and easy-to-hard with 8 synchronous workers. \
            scaling: 1 synchronous worker against 64 asynchronous ones, same total samples. \
            staleness: 16 asynchronous workers, 8 of them 10x slower, under each staleness weighting \
            and a hard bound. Every run goes over nng like `curriculum demo`.
            """
    )

    @Argument(help: "Experiments to run: \(Experiments.Name.allCases.map(\.rawValue).joined(separator: ", ")) (default: all).")
    var names: [String] = []

    @Option(help: "Seeds per configuration.")
    var seeds = 5

    @Option(help: "Training steps per run.")
    var steps = 200

    @Option(help: "Markdown file to write (default: print only).")
    var out: String?

    func run() async throws {
        let chosen = try names.isEmpty ? Experiments.Name.allCases : names.map { name in
            guard let experiment = Experiments.Name(rawValue: name) else {
                throw ValidationError("unknown experiment \(name)")
            }
            return experiment
        }
        let progress = ProgressLine()
        var sections: [String] = []
        for experiment in chosen {
            let started = ContinuousClock.now
            let section = try await Experiments.run(experiment, seeds: seeds, steps: steps) { progress.show($0) }
            progress.finish()
            print(section)
            FileHandle.standardError.write(Data(String(
                format: "%@: %.0f s\n", experiment.rawValue, (ContinuousClock.now - started) / .seconds(1)).utf8))
            sections.append(section)
        }
        if let out {
            let document = """
                # Results

                Written by `scripts/experiments.sh` (`curriculum experiment --seeds \(seeds) --steps \(steps)`), \
                release build, on a 2-core machine. Every run is a coordinator and worker agents talking over \
                real nng sockets around one shared simulated student (3 domains x 5 difficulty levels, GRPO \
                groups of 8); the student, the curricula and the meaning of every column are in \
                [simulation.md](simulation.md). Accuracy is the student's expected success rate, averaged \
                over domains; the numbers are whatever the runs gave.

                \(sections.joined(separator: "\n"))
                """
            try document.write(to: URL(fileURLWithPath: out), atomically: true, encoding: .utf8)
            print("wrote \(out)")
        }
    }
}
