import ArgumentParser
import Curriculum

/// `--staleness` and its parameters.
struct StalenessOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case constant, polynomial, exponential, hinge
    }

    @Option(help: "Staleness weighting: constant, polynomial, exponential or hinge.")
    var staleness: Kind = .constant

    @Option(help: "polynomial, hinge: the a of (s+1)^-a and 1/(a(s-b)+1) (default 0.5).")
    var stalenessA: Double?

    @Option(help: "hinge: full weight up to this staleness (default 4).")
    var stalenessB: Int?

    @Option(help: "exponential: the lambda of exp(-lambda s) (default 0.5).")
    var stalenessLambda: Double?

    @Option(help: "Refuse reports more than this many versions old (default: accept any).")
    var maxStaleness: Int?

    func configuration() throws -> StalenessConfiguration {
        let users: [(flag: String, set: Bool, kinds: Set<Kind>)] = [
            ("staleness-a", stalenessA != nil, [.polynomial, .hinge]),
            ("staleness-b", stalenessB != nil, [.hinge]),
            ("staleness-lambda", stalenessLambda != nil, [.exponential]),
        ]
        for option in users where option.set && !option.kinds.contains(staleness) {
            throw ValidationError("--\(option.flag) does not apply to --staleness \(staleness.rawValue)")
        }
        let weighting: StalenessWeighting =
            switch staleness {
            case .constant: .constant
            case .polynomial: .polynomial(a: stalenessA ?? 0.5)
            case .exponential: .exponential(lambda: stalenessLambda ?? 0.5)
            case .hinge: .hinge(a: stalenessA ?? 0.5, b: stalenessB ?? 4)
            }
        let configuration = StalenessConfiguration(weighting: weighting, maximum: maxStaleness)
        do {
            _ = try Curriculum(policy: .uniform, staleness: configuration)
        } catch {
            throw ValidationError("--\(error.parameter) must be \(error.expected), got \(error.value)")
        }
        return configuration
    }
}
