/// The step size of an exponential-moving-average update (SEC's TD(0) rule
/// `Q <- (1 - alpha) Q + alpha r`, Chen et al., 2025, arXiv 2505.14970) made to depend on the
/// worker's share of the batch and on the report's staleness weight.
///
/// A report with share f = b/B and staleness weight w updates with
///
///     a(f, w) = 1 - (1 - alpha * w)^f,      Q <- (1 - a) Q + a r.
///
/// Why this form:
/// * f = 1 gives `a = alpha * w`, which is FedAsync's mixing weight `a_t = a * w(s)`
///   (Xie et al., 2019, arXiv 1903.03934), and with w = 1 it is exactly SEC's alpha.
/// * Reports whose shares add to 1 multiply the old Q by `prod (1 - alpha w)^(f_i) =
///   (1 - alpha w)^(sum f_i) = 1 - alpha w`: the same contraction as one report of the whole
///   step, whatever the number of workers. ``SECPolicy`` also pools the step's samples, so
///   its Q equals the one-report value up to rounding. ``LearningProgressPolicy`` moves
///   toward each report's own reward, so a split step lands within
///   `alpha * w * (max r_i - min r_i)` of the one-report value (both are `alpha * w` times a
///   convex combination of the r_i, plus the same contracted old value).
/// * The alternative `1 - (1 - alpha)^(w f)` is just as split-invariant, but it does not
///   reduce to FedAsync's weighting for a whole-batch report.
enum ShareAwareStep {
    /// `a(f, w)`. Exactly `alpha * weight` when `share == 1`, so a single worker reproduces SEC
    /// bit for bit; otherwise computed with `expm1`/`log1p`, which stay accurate when
    /// `alpha * w * f` is tiny.
    @inline(__always) static func rate(alpha: Double, weight: Double, share: Double) -> Double {
        let full = alpha * weight
        if share == 1 { return full }
        if full >= 1 { return 1 }
        return -Math.expm1(share * Math.log1p(-full))
    }
}
