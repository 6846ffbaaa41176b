import Curriculum

/// The tests' seeded generator, so a failing randomised test can be repeated.
public typealias TestRandom = SplitMix64
