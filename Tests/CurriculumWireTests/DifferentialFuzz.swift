import CurriculumTestSupport
import Testing

/// What a suite made of one mutated frame: how its fast decoder took the frame and, where
/// the two decoders disagree, what each made of it.
enum FuzzVerdict {
    /// The fast decoder read the frame. `noteworthy` marks a rarer reading the suite wants
    /// to see reached (an entry for the chosen worker, say).
    case handled(noteworthy: Bool, disagreement: String?)
    /// The fast decoder refused the frame, or found another kind of message in it.
    case refused(disagreement: String?)
    /// The fast decoder left the frame to the general one: there is nothing to compare.
    case deferred

    /// The verdict on `input` where the fast decoder did not defer: it either `handled` the
    /// frame or refused it, and `agree` compares its outcome with the general decoder's.
    static func compared<Outcome>(
        _ input: some CustomStringConvertible, fast: Outcome, general: Outcome, agree: (Outcome, Outcome) -> Bool,
        handled: Bool, noteworthy: Bool = false
    ) -> FuzzVerdict {
        let disagreement = agree(fast, general) ? nil : "\(input): fast \(fast), general \(general)"
        guard handled else { return .refused(disagreement: disagreement) }
        return .handled(noteworthy: noteworthy, disagreement: disagreement)
    }
}

struct FuzzCounts: Sendable {
    var handled = 0
    var noteworthy = 0
    var refused = 0
    var deferred = 0
    var disagreements: [String] = []

    /// Keeps five per seed at most: one is enough to fail, and more would flood the log.
    mutating func record(_ disagreement: String?) {
        if let disagreement, disagreements.count < 5 { disagreements.append(disagreement) }
    }

    mutating func add(_ other: FuzzCounts) {
        handled += other.handled
        noteworthy += other.noteworthy
        refused += other.refused
        deferred += other.deferred
        disagreements += other.disagreements
    }
}

/// Differential fuzzing of a hand-written fast decoder against the general one.
///
/// Each seed runs its share of `inputs` on a thread of its own (see `onBackgroundThreads`):
/// it mutates a random corpus member, with one round for about half the inputs and up to
/// four for the rest, and `judge` runs both decoders on the mutant. The corpus starts as
/// `startingCorpus` and takes in the frames the fast decoder read, up to `corpusCap`, so
/// that mutations pile up on frames that get through. Expects no disagreement, and both
/// readings and refusals in good numbers: a fuzz that rarely gets either tests little.
func differentialFuzz(
    inputs: Int,
    seeds: [UInt64],
    corpusCap: Int,
    startingCorpus: @escaping @Sendable (inout TestRandom) -> [[UInt8]],
    judge: @escaping @Sendable (_ input: [UInt8], _ random: inout TestRandom) -> FuzzVerdict,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> FuzzCounts {
    let shares = await onBackgroundThreads(seeds: seeds) { seed in
        var mutator = FrameMutator(random: TestRandom(seed: seed))
        var corpus = startingCorpus(&mutator.random)
        var counts = FuzzCounts()
        for _ in 0..<inputs / seeds.count {
            let input = mutator.mutate(
                corpus.randomElement(using: &mutator.random)!, corpus: corpus,
                rounds: Bool.random(using: &mutator.random) ? 1...1 : 1...4)
            switch judge(input, &mutator.random) {
            case .deferred:
                counts.deferred += 1
            case .handled(let noteworthy, let disagreement):
                counts.handled += 1
                if noteworthy { counts.noteworthy += 1 }
                if corpus.count < corpusCap { corpus.append(input) }
                counts.record(disagreement)
            case .refused(let disagreement):
                counts.refused += 1
                counts.record(disagreement)
            }
        }
        return counts
    }
    let counts = shares.reduce(into: FuzzCounts()) { $0.add($1) }
    #expect(counts.handled + counts.refused + counts.deferred == inputs, sourceLocation: sourceLocation)
    #expect(counts.disagreements.isEmpty, "\(counts.disagreements)", sourceLocation: sourceLocation)
    #expect(counts.handled > inputs / 20, sourceLocation: sourceLocation)
    #expect(counts.refused > inputs / 4, sourceLocation: sourceLocation)
    return counts
}
