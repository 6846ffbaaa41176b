import Curriculum
import Simulation

/// One simulated training run: a coordinator, `workers` worker agents over real nng
/// sockets, and one shared student.
public struct RunConfiguration: Sendable, Hashable {
    public enum Transport: String, Sendable, Hashable, CaseIterable {
        /// Unix domain sockets in a fresh temporary directory.
        case ipc
        /// TCP on 127.0.0.1, ports chosen by the system.
        case tcp
    }

    public var curriculum: CurriculumChoice
    public var staleness: StalenessConfiguration
    public var student: StudentConfiguration
    public var workers: Int
    public var steps: Int
    /// The global batch B, in prompts. Each worker draws B / W per batch (at least 1).
    public var promptsPerStep: Int
    public var mode: SimulatedTrainer.Mode
    public var seed: UInt64
    /// Generation time of one worker batch; the first `slowWorkers` take `slowdown` times as long.
    public var generationDelay: Duration
    public var slowWorkers: Int
    public var slowdown: Double
    /// When set, rollout time grows with difficulty, as long responses to hard prompts take
    /// longer: each worker batch holds prompts of one category, drawn from the curriculum,
    /// and takes `generationDelay * rolloutTimeGrowth^level` (response lengths, and so
    /// rollout times, grow about geometrically with difficulty), so reports on hard
    /// categories arrive staler.
    public var rolloutTimeGrowth: Double?
    public var transport: Transport
    /// Accuracy on the hardest level that counts as reached.
    public var targetAccuracy: Double

    public init(
        curriculum: CurriculumChoice,
        staleness: StalenessConfiguration = .init(),
        student: StudentConfiguration = .init(),
        workers: Int = 8,
        steps: Int = 200,
        promptsPerStep: Int = 256,
        mode: SimulatedTrainer.Mode = .synchronous,
        seed: UInt64 = 0,
        generationDelay: Duration = .zero,
        slowWorkers: Int = 0,
        slowdown: Double = 10,
        rolloutTimeGrowth: Double? = nil,
        transport: Transport = .ipc,
        targetAccuracy: Double = 0.5
    ) {
        self.curriculum = curriculum
        self.staleness = staleness
        self.student = student
        self.workers = workers
        self.steps = steps
        self.promptsPerStep = promptsPerStep
        self.mode = mode
        self.seed = seed
        self.generationDelay = generationDelay
        self.slowWorkers = slowWorkers
        self.slowdown = slowdown
        self.rolloutTimeGrowth = rolloutTimeGrowth
        self.transport = transport
        self.targetAccuracy = targetAccuracy
    }

    /// Prompts per worker batch.
    public var promptsPerWorker: Int { max(1, promptsPerStep / workers) }
    /// The step's batch as the workers actually split it (B rounded down to a multiple of W).
    public var effectivePromptsPerStep: Int { promptsPerWorker * workers }
}
