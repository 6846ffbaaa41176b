/// The simulated student's task structure and learning dynamics. The defaults follow
/// SEC's two-dimensional setups (a few domains x several difficulty levels) and are tuned
/// so that the hardest level is learnable only through the easier ones; equations and
/// the reasons for each number are in docs/simulation.md.
public struct StudentConfiguration: Sendable, Hashable, Codable {
    public var domains: [String]
    public var levels: Int
    /// Difficulty of level l is `levelSpacing * l`.
    public var levelSpacing: Double
    /// The a of `sigmoid(a * (skill - difficulty))`.
    public var sharpness: Double
    public var initialSkill: Double
    /// Responses per prompt (G).
    public var groupSize: Int
    public var learningRate: Double
    /// Share of a category's skill gain passed to the level k below (above) in the same
    /// domain: `transferDown^k` (`transferUp^k`). Down is larger: mastering hard
    /// problems helps with easy ones more than the reverse.
    public var transferDown: Double
    public var transferUp: Double
    /// Share of a category's gain passed to the same level of every other domain.
    public var transferAcrossDomains: Double
    /// Per step, every skill relaxes toward `initialSkill` by this fraction of the gap;
    /// categories that get no training drift back.
    public var forgetting: Double

    public init(
        domains: [String] = ["arith", "logic", "code"],
        levels: Int = 5,
        levelSpacing: Double = 1.0,
        sharpness: Double = 1.5,
        initialSkill: Double = 0.2,
        groupSize: Int = 8,
        learningRate: Double = 0.4,
        transferDown: Double = 0.6,
        transferUp: Double = 0.45,
        transferAcrossDomains: Double = 0.15,
        forgetting: Double = 0.001
    ) {
        self.domains = domains
        self.levels = levels
        self.levelSpacing = levelSpacing
        self.sharpness = sharpness
        self.initialSkill = initialSkill
        self.groupSize = groupSize
        self.learningRate = learningRate
        self.transferDown = transferDown
        self.transferUp = transferUp
        self.transferAcrossDomains = transferAcrossDomains
        self.forgetting = forgetting
    }

    /// Category names, `domain/level`, domain-major: category c is domain `c / levels`,
    /// level `c % levels`.
    public var categories: [String] {
        domains.flatMap { domain in (0..<levels).map { "\(domain)/\($0)" } }
    }
}
