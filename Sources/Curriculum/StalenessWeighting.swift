/// How much a report drawn s versions ago counts, w(s) in [0, 1], non-increasing in s.
///
/// The forms are FedAsync's (Xie et al., 2019, arXiv 1903.03934), where the mixing weight
/// is `a * w(s)`; exponential decay is from later federated work.
public enum StalenessWeighting: Sendable, Hashable, Codable {
    /// w(s) = 1.
    case constant
    /// w(s) = (s + 1)^(-a); FedAsync's default a = 0.5.
    case polynomial(a: Double)
    /// w(s) = exp(-lambda s).
    case exponential(lambda: Double)
    /// w(s) = 1 if s <= b, else 1 / (a (s - b) + 1); FedAsync's defaults a = 0.5, b = 4.
    case hinge(a: Double, b: Int)

    /// FedAsync's polynomial weighting with a = 0.5.
    public static let polynomial = Self.polynomial(a: 0.5)
    /// Exponential weighting with lambda = 0.5.
    public static let exponential = Self.exponential(lambda: 0.5)
    /// FedAsync's hinge weighting with a = 0.5, b = 4.
    public static let hinge = Self.hinge(a: 0.5, b: 4)

    /// w(s) for s >= 0.
    @inline(__always) public func weight(staleness s: Int) -> Double {
        let x = Double(s)
        switch self {
        case .constant:
            return 1
        case .polynomial(let a):
            return Math.pow(x + 1, -a)
        case .exponential(let lambda):
            return Math.exp(-lambda * x)
        case .hinge(let a, let b):
            return s <= b ? 1 : 1 / (a * Double(s - b) + 1)
        }
    }

    func validate() throws(ConfigurationError) {
        switch self {
        case .constant:
            break
        case .polynomial(let a):
            try ConfigurationError.require(a >= 0 && a.isFinite, "staleness-a", a, "non-negative and finite")
        case .exponential(let lambda):
            try ConfigurationError.require(
                lambda >= 0 && lambda.isFinite, "staleness-lambda", lambda, "non-negative and finite")
        case .hinge(let a, let b):
            try ConfigurationError.require(a >= 0 && a.isFinite, "staleness-a", a, "non-negative and finite")
            try ConfigurationError.require(b >= 0, "staleness-b", b, "non-negative")
        }
    }
}
