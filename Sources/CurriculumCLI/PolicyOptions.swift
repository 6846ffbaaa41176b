import ArgumentParser
import Curriculum

/// The `--policy` flag and its parameters. A parameter that the chosen policy does not
/// have is an error rather than silently ignored.
struct PolicyOptions: ParsableArguments {
    enum Name: String, ExpressibleByArgument, CaseIterable {
        case sec, dump, ducb, swucb, exp3s, thompson, lp, learnability, informative, bandpass, mixture, schedule, uniform
    }

    enum Sampling: String, ExpressibleByArgument, CaseIterable {
        case boltzmann
        case normalizedQ = "normalized-q"
        case epsilonGreedy = "epsilon-greedy"
    }

    @Option(help: "The policy: \(Name.allCases.map(\.rawValue).joined(separator: ", ")).")
    var policy: Name = .sec

    @Option(help: "sec, lp: learning rate (default 0.5); exp3s: share-back per step (default 0.005).")
    var alpha: Double?

    @Option(help: "sec: Boltzmann temperature (default 1.0).")
    var tau: Double?

    @Option(help: "sec: boltzmann, normalized-q or epsilon-greedy (default boltzmann).")
    var sampling: Sampling?

    @Option(help: "sec with epsilon-greedy (default 0.1), lp: uniform mix (default 0.1).")
    var epsilon: Double?

    @Flag(help: "sec: decay arms absent from a step toward 0, as SEC's reference code does.")
    var decayAbsent = false

    @Option(help: "sec, ducb, swucb, exp3s, thompson: the reward, adv or progress (default adv).")
    var objective: RewardObjective?

    @Option(help: "dump, ducb, swucb: exploration coefficient (default 1.0).")
    var c: Double?

    @Option(help: "ducb, swucb: the xi in sqrt(xi ln N / n) (default 2.0).")
    var xi: Double?

    @Option(help: "dump, ducb, swucb: softmax temperature (default 0.1).")
    var temperature: Double?

    @Option(help: "ducb, thompson: discount per step (default 0.99); exp3s: exploration (default 0.01).")
    var gamma: Double?

    @Option(help: """
        dump: window in samples (default 300); swucb: window in samples (default 2048); \
        learnability, informative, bandpass: pass-rate window in samples per category (default 256).
        """)
    var window: Int?

    @Option(help: "exp3s, thompson: reward mapped to 0; learnability, informative, bandpass: pass rate 0 (default 0).")
    var rewardLower: Double?

    @Option(help: "exp3s, thompson: reward mapped to 1; learnability, informative, bandpass: pass rate 1 (default 1).")
    var rewardUpper: Double?

    @Option(help: "informative: G, responses per prompt group (default 8).")
    var groupSize: Int?

    @Option(help: "bandpass: the lowest pass rate admitted (default 0.1).")
    var bandLow: Double?

    @Option(help: "bandpass: the highest pass rate admitted (default 0.9).")
    var bandHigh: Double?

    @Option(help: "mixture: CATEGORY=WEIGHT,... relative weights, e.g. math/easy=3,math/hard=1.")
    var mixture: String?

    @Option(help: "schedule: STEP:CATEGORY=WEIGHT,...;STEP:... weights interpolated over training steps.")
    var schedule: String?

    @Option(help: """
        Every policy: no category's probability below this; the others scale down to pay for it \
        (default 0.01 for thompson, 0 otherwise; at most 1/K for K categories).
        """)
    var minProbability: Double?

    @Option(help: "thompson: Monte Carlo draws per distribution (default 256).")
    var draws: Int?

    @Option(help: "Seed of every random choice (thompson's posterior draws).")
    var seed: UInt64 = 0

    /// The configuration the flags describe, or a validation error naming the bad flag.
    func configuration() throws -> PolicyConfiguration {
        try rejectInapplicable()
        let scale = RewardScale(lower: rewardLower ?? 0, upper: rewardUpper ?? 1)
        let configuration: PolicyConfiguration
        switch policy {
        case .sec:
            let mode: SECPolicy.Sampling =
                switch sampling ?? .boltzmann {
                case .boltzmann: .boltzmann
                case .normalizedQ: .normalizedQ
                case .epsilonGreedy: .epsilonGreedy(epsilon: epsilon ?? SECPolicy.defaultEpsilon)
                }
            configuration = .sec(
                .init(alpha: alpha ?? 0.5, tau: tau ?? 1.0, sampling: mode, decayAbsent: decayAbsent,
                      objective: objective ?? .advantage))
        case .dump:
            configuration = .dump(.init(c: c ?? 1.0, temperature: temperature ?? 0.1, window: window ?? 300))
        case .ducb:
            configuration = .discountedUCB(
                .init(gamma: gamma ?? 0.99, c: c ?? 1.0, xi: xi ?? 2.0, temperature: temperature ?? 0.1,
                      objective: objective ?? .advantage))
        case .swucb:
            configuration = .slidingWindowUCB(
                .init(window: window ?? 2048, c: c ?? 1.0, xi: xi ?? 2.0, temperature: temperature ?? 0.1,
                      objective: objective ?? .advantage))
        case .exp3s:
            configuration = .exp3s(
                .init(gamma: gamma ?? 0.01, alpha: alpha ?? 0.005, scale: scale, objective: objective ?? .advantage))
        case .thompson:
            configuration = .discountedThompson(
                .init(gamma: gamma ?? 0.99, scale: scale, draws: draws ?? 256, seed: seed,
                      objective: objective ?? .advantage))
        case .lp:
            configuration = .learningProgress(.init(alpha: alpha ?? 0.5, epsilon: epsilon ?? 0.1))
        case .learnability:
            configuration = .learnability(.init(window: window ?? PassRatePolicyDefaults.window, scale: scale))
        case .informative:
            configuration = .groupInformative(
                .init(groupSize: groupSize ?? 8, window: window ?? PassRatePolicyDefaults.window, scale: scale))
        case .bandpass:
            configuration = .bandPass(
                .init(low: bandLow ?? 0.1, high: bandHigh ?? 0.9, window: window ?? PassRatePolicyDefaults.window,
                      scale: scale))
        case .mixture:
            guard let mixture else { throw ValidationError("--policy mixture needs --mixture CATEGORY=WEIGHT,...") }
            configuration = try validated { () throws(ConfigurationError) in
                .fixedMixture(.init(weights: try MixtureWeights.parse(mixture[...], parameter: "mixture")))
            }
        case .schedule:
            guard let schedule else {
                throw ValidationError("--policy schedule needs --schedule STEP:CATEGORY=WEIGHT,...;STEP:...")
            }
            configuration = try validated { () throws(ConfigurationError) in
                .scheduledMixture(try ScheduledMixturePolicy.Configuration.parse(schedule))
            }
        case .uniform:
            configuration = .uniform
        }
        let floored = configuration.withMinimumProbability(minProbability ?? (policy == .thompson ? 0.01 : 0))
        _ = try validated { () throws(ConfigurationError) in try floored.makePolicy() }
        return floored
    }

    /// Checks that the floor fits `categoryCount` categories known beforehand.
    func requireFloorFits(_ configuration: PolicyConfiguration, categoryCount: Int) throws {
        _ = try validated { () throws(ConfigurationError) in
            try configuration.requireFloorFits(categoryCount: categoryCount)
        }
    }

    /// The result of `body`, a configuration error turned into one naming the flag.
    private func validated<T>(_ body: () throws(ConfigurationError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw ValidationError("--\(error.parameter) must be \(error.expected), got \(error.value)")
        }
    }

    private static let passRatePolicies: Set<Name> = [.learnability, .informative, .bandpass]

    private func rejectInapplicable() throws {
        let given: [(flag: String, set: Bool, policies: Set<Name>)] = [
            ("alpha", alpha != nil, [.sec, .lp, .exp3s]),
            ("tau", tau != nil, [.sec]),
            ("sampling", sampling != nil, [.sec]),
            ("epsilon", epsilon != nil, [.sec, .lp]),
            ("decay-absent", decayAbsent, [.sec]),
            ("objective", objective != nil, [.sec, .ducb, .swucb, .exp3s, .thompson]),
            ("c", c != nil, [.dump, .ducb, .swucb]),
            ("xi", xi != nil, [.ducb, .swucb]),
            ("temperature", temperature != nil, [.dump, .ducb, .swucb]),
            ("gamma", gamma != nil, [.ducb, .exp3s, .thompson]),
            ("window", window != nil, Self.passRatePolicies.union([.dump, .swucb])),
            ("reward-lower", rewardLower != nil, Self.passRatePolicies.union([.exp3s, .thompson])),
            ("reward-upper", rewardUpper != nil, Self.passRatePolicies.union([.exp3s, .thompson])),
            ("draws", draws != nil, [.thompson]),
            ("group-size", groupSize != nil, [.informative]),
            ("band-low", bandLow != nil, [.bandpass]),
            ("band-high", bandHigh != nil, [.bandpass]),
            ("mixture", mixture != nil, [.mixture]),
            ("schedule", schedule != nil, [.schedule]),
        ]
        for option in given where option.set && !option.policies.contains(policy) {
            let users = Name.allCases.filter(option.policies.contains).map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--\(option.flag) does not apply to --policy \(policy.rawValue) (only to \(users))")
        }
        if epsilon != nil, policy == .sec, sampling != .epsilonGreedy {
            throw ValidationError("--epsilon needs --sampling epsilon-greedy with --policy sec")
        }
    }
}

extension RewardObjective: ExpressibleByArgument {}
