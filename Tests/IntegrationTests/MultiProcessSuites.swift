import Testing

/// The suites that run fleets of `curriculum` processes and hold them to timing bounds
/// (publication gaps, drains, reconnections). On a 2-core machine two of them at once
/// starve each other's coordinators, so they run one after another.
@Suite(.serialized) enum MultiProcessSuites {}
