/// The trainer side of a simulated RL run: one student (the policy model) shared by every
/// rollout worker, updated by this actor alone.
///
/// Workers take a ``snapshot()`` of the student, roll out their part of a step's batch
/// against it and ``submit(_:)`` the rollouts. A training step consumes `promptsPerStep`
/// prompts: in synchronous mode `submit` returns only once the step holding the rollout
/// has been trained, so every worker's next batch sees the new student (a barrier, as in
/// synchronous GRPO); in asynchronous mode it returns at once and the trainer steps
/// whenever enough rollouts have piled up, however old the student they were generated
/// with (as in AReaL-style asynchronous RL).
public actor SimulatedTrainer {
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        case synchronous = "sync"
        case asynchronous = "async"
    }

    /// One worker's part of a step.
    public struct Rollout: Sendable {
        public var statistics: [RolloutStatistics]
        public var prompts: Int
        /// The student's step when the rollout's snapshot was taken.
        public var studentStep: Int
        /// The probabilities the batch was drawn from, in the student's category order.
        public var probabilities: [Double]

        public init(statistics: [RolloutStatistics], prompts: Int, studentStep: Int, probabilities: [Double]) {
            self.statistics = statistics
            self.prompts = prompts
            self.studentStep = studentStep
            self.probabilities = probabilities
        }
    }

    /// The student after one training step, and what the step was made of.
    public struct StepRecord: Sendable, Hashable, Codable {
        public var step: Int
        public var accuracyByLevel: [Double]
        public var meanAccuracy: Double
        /// The sampling distribution the step's batch was drawn from (the prompt-weighted
        /// mean over its rollouts), in the student's category order.
        public var probabilities: [Double]
        /// Training steps between a rollout's snapshot and this step, averaged over prompts.
        public var meanStaleness: Double
        /// The stalest rollout of the step, in training steps.
        public var maxStaleness: Int
    }

    public nonisolated let promptsPerStep: Int
    public nonisolated let steps: Int
    public nonisolated let mode: Mode
    private var student: SimulatedStudent
    private var pending: [Rollout] = []
    private var pendingPrompts = 0
    private var stopped = false
    private var waiters: [(step: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private let onStep: @Sendable (StepRecord) -> Void
    public private(set) var records: [StepRecord] = []

    public init(
        student: SimulatedStudent, promptsPerStep: Int, steps: Int, mode: Mode,
        onStep: @escaping @Sendable (StepRecord) -> Void = { _ in }
    ) {
        precondition(promptsPerStep > 0 && steps >= 0)
        self.student = student
        self.promptsPerStep = promptsPerStep
        self.steps = steps
        self.mode = mode
        self.onStep = onStep
    }

    /// The student as it is now; rollouts are generated against a copy.
    public func snapshot() -> SimulatedStudent { student }

    public var isFinished: Bool { stopped || student.step >= steps }

    /// Ends the run early (a worker failed): releases every worker waiting at the barrier.
    public func stop() {
        stopped = true
        resumeWaiters(through: Int.max)
    }

    /// Hands over a worker's rollouts. Rollouts arriving after the last step are dropped.
    public func submit(_ rollout: Rollout) async {
        guard !isFinished else { return }
        pending.append(rollout)
        pendingPrompts += rollout.prompts
        let step = student.step
        if pendingPrompts >= promptsPerStep {
            train()
        } else if mode == .synchronous {
            await withCheckedContinuation { waiters.append((step, $0)) }
        }
    }

    private func train() {
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        pendingPrompts = 0
        let prompts = Double(batch.reduce(0) { $0 + $1.prompts })
        var probabilities = [Double](repeating: 0, count: student.categories.count)
        var staleness = 0.0
        var maxStaleness = 0
        for rollout in batch {
            maxStaleness = max(maxStaleness, student.step - rollout.studentStep)
            let weight = Double(rollout.prompts) / prompts
            for i in probabilities.indices where i < rollout.probabilities.count {
                probabilities[i] += weight * rollout.probabilities[i]
            }
            staleness += weight * Double(student.step - rollout.studentStep)
        }
        student.train(on: batch.flatMap(\.statistics))
        let record = StepRecord(
            step: student.step, accuracyByLevel: student.accuracyByLevel, meanAccuracy: student.meanAccuracy,
            probabilities: probabilities, meanStaleness: staleness, maxStaleness: maxStaleness)
        records.append(record)
        onStep(record)
        resumeWaiters(through: student.step - 1)
    }

    private func resumeWaiters(through step: Int) {
        let ready = waiters.filter { $0.step <= step }
        waiters.removeAll { $0.step <= step }
        for waiter in ready { waiter.continuation.resume() }
    }
}
