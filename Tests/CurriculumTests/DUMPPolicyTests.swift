import Curriculum
import Testing

/// DUMP (Wang et al., 2025, arXiv 2504.09710): score `mu_j + c sqrt(2 ln(N + 1) / (n_j + 1))`,
/// `p = softmax(score / 0.1)`, uniform before any data.
@Suite struct DUMPPolicyTests {
    @Test func uniformBeforeData() throws {
        var dump = try DUMPPolicy()
        dump.register("a")
        dump.register("b")
        dump.merge(report("c", n: 0, abs: 0), weight: 1)
        #expect(closeAll(dump.distribution().probabilities, [1.0 / 3, 1.0 / 3, 1.0 / 3]))
    }

    @Test func scoresAndSoftmax() throws {
        var dump = try DUMPPolicy()
        dump.merge(report("a", n: 2, abs: 1.0), weight: 1)  // mu_a = 0.5, n_a = 2
        dump.merge(report("b", n: 1, abs: 0.2), weight: 1)  // mu_b = 0.2, n_b = 1; N = 3
        // ln(N + 1) = ln 4 = 1.3862943611198906.
        // a: 0.5 + sqrt(2 * 1.3862943611198906 / 3) = 0.5 + 0.9613512577339218 = 1.4613512577339218
        // b: 0.2 + sqrt(2 * 1.3862943611198906 / 2) = 0.2 + 1.1774100225154747 = 1.3774100225154746
        #expect(closeAll(dump.scores, [1.4613512577339218, 1.3774100225154746]))
        // p_a = 1 / (1 + e^(-(1.4613512577339218 - 1.3774100225154746) / 0.1)) = 0.6983414361479419
        #expect(closeAll(dump.distribution().probabilities, [0.6983414361479419, 1 - 0.6983414361479419], 1e-14))
    }

    @Test func windowKeepsTheLastSamples() throws {
        var dump = try DUMPPolicy(.init(c: 0, window: 4))
        dump.merge(report("a", n: 3, abs: 3), weight: 1)  // three samples of |A| = 1
        dump.merge(report("a", n: 3, abs: 0), weight: 1)  // three of 0
        // The last 4 samples: one 1 and three 0s, mu = 0.25 (c = 0 leaves only mu).
        #expect(dump.scores == [0.25])
        dump.merge(report("a", n: 4, abs: 2), weight: 1)  // four of 0.5 fill the window
        #expect(dump.scores == [0.5])
    }

    @Test func stalenessWeightScalesCounts() throws {
        var dump = try DUMPPolicy(.init(window: 300))
        dump.merge(report("a", n: 4, abs: 2), weight: 0.5)  // counts as 2 samples of 0.5
        // N = 2, n_a = 2: 0.5 + sqrt(2 ln 3 / 3) = 0.5 + 0.8558862754..., computed:
        // 2 * ln 3 = 2.1972245773362196; / 3 = 0.7324081924454065; sqrt = 0.8558085...
        #expect(close(dump.scores[0], 0.5 + (2 * 1.0986122886681098 / 3).squareRoot()))
    }
}

/// Discounted UCB (Garivier and Moulines, arXiv 0805.3415): index
/// `S/N + c sqrt(xi ln(sum N) / N)`, discounted by gamma per step.
@Suite struct DiscountedUCBPolicyTests {
    @Test func indexDiscountAndUnplayedArms() throws {
        var ucb = try DiscountedUCBPolicy(.init(gamma: 0.5, c: 1, xi: 2, temperature: 0.1))
        ucb.merge(report("a", n: 2, abs: 1.0), weight: 1)  // N_a = 2, S_a = 1
        ucb.merge(report("b", n: 1, abs: 0.2), weight: 1)  // N_b = 1, S_b = 0.2; sum N = 3
        // a: 0.5 + sqrt(2 ln 3 / 2) = 0.5 + 1.0481470739682052 = 1.548147073968205
        // b: 0.2 + sqrt(2 ln 3)     = 0.2 + 1.4823038073675112 = 1.6823038073675112
        #expect(closeAll(ucb.indices, [1.548147073968205, 1.6823038073675112], 1e-14))
        // p_a = 1 / (1 + e^((1.6823038073675112 - 1.548147073968205) / 0.1)) = 0.20725242921548861
        #expect(close(ucb.distribution().probabilities[0], 0.20725242921548861, 1e-14))
        ucb.advance(by: 1)  // N = [1, 0.5], S = [0.5, 0.1], sum N = 1.5
        // a: 0.5 + sqrt(2 ln 1.5 / 1) = 1.4005166385005492; b: 0.2 + sqrt(2 ln 1.5 / 0.5) = 1.4735228433101062
        #expect(closeAll(ucb.indices, [1.4005166385005492, 1.4735228433101062], 1e-14))
        // An arm never played has index +infinity and takes all the mass until played.
        ucb.register("c")
        #expect(ucb.distribution().probabilities == [0, 0, 1])
        #expect(ucb.distribution().values[2] == .greatestFiniteMagnitude)
    }
}

/// Sliding-window UCB (Garivier and Moulines, arXiv 0805.3415).
@Suite struct SlidingWindowUCBPolicyTests {
    @Test func windowOverAllPlays() throws {
        var ucb = try SlidingWindowUCBPolicy(.init(window: 4, c: 1, xi: 2, temperature: 0.1))
        ucb.merge(report("a", n: 3, abs: 3), weight: 1)  // three plays of a, reward 1
        ucb.merge(report("b", n: 2, abs: 0), weight: 1)  // two plays of b, reward 0
        // The window keeps 2 plays of a (sum 2) and 2 of b (sum 0); t = 5, ln(min(5, 4)) = ln 4.
        // a: 1 + sqrt(2 ln 4 / 2) = 2.177410022515475; b: 0 + 1.1774100225154747
        #expect(closeAll(ucb.indices, [2.177410022515475, 1.1774100225154747], 1e-14))
        // Four plays of b push a out of the window: a is unplayed again, index +infinity.
        ucb.merge(report("b", n: 4, abs: 2), weight: 1)
        #expect(ucb.indices[0] == .infinity)
        #expect(ucb.distribution().probabilities == [1, 0])
    }
}

/// EXP3.S (Auer et al., 2002): `p_k = (1 - gamma) w_k / sum w + gamma / K`,
/// `w_k <- w_k exp(gamma x / (K p_k))` per play, share-back `w_k += (e alpha / K) sum w`.
@Suite struct EXP3SPolicyTests {
    @Test func importanceWeightedUpdates() throws {
        var exp3 = try EXP3SPolicy(.init(gamma: 0.1, alpha: 0))
        exp3.register("a")
        exp3.register("b")
        #expect(exp3.distribution().probabilities == [0.5, 0.5])
        // a: one play, x = 0.5, p_a = 0.5: ln w_a += 0.1 * 0.5 / (2 * 0.5) = 0.05.
        exp3.merge(report("a", n: 1, abs: 0.5), weight: 1)
        // p_b = 0.9 / (e^0.05 + 1) + 0.05 = 0.4887523431642106.
        #expect(close(exp3.distribution().probabilities[1], 0.4887523431642106))
        // b: two plays, x = 1: ln w_b += 0.1 * 2 / (2 * 0.4887523431642106) = 0.2046025996573117.
        exp3.merge(report("b", n: 2, abs: 2), weight: 1)
        let d = exp3.distribution()
        // values = ln w - max ln w = [0.05 - 0.2046025996573117, 0]
        #expect(closeAll(d.values, [-0.1546025996573117, 0], 1e-15))
        #expect(closeAll(d.probabilities, [0.46528353684988627, 0.5347164631501138], 1e-15))
    }

    @Test func shareBack() throws {
        var exp3 = try EXP3SPolicy(.init(gamma: 0.1, alpha: 0.1))
        exp3.register("a")
        exp3.register("b")
        exp3.merge(report("a", n: 1, abs: 0.5), weight: 1)  // ln w = [0.05, 0]
        exp3.advance(by: 1)
        // W = e^0.05 + 1; each w gains (e * 0.1 / 2) W: w_b / w_a = 0.9614448795... so
        // ln w_b - ln w_a = -0.03931035958513995 and p_a = 0.5088436920863171.
        let d = exp3.distribution()
        #expect(closeAll(d.values, [0, -0.03931035958513995], 1e-15))
        #expect(close(d.probabilities[0], 0.5088436920863171, 1e-15))
    }

    @Test func rewardScale() {
        let scale = RewardScale(lower: -1, upper: 1)
        #expect(scale.unit(0) == 0.5)
        #expect(scale.unit(-3) == 0)
        #expect(scale.unit(7) == 1)
    }
}

/// Discounted Thompson sampling (Raj and Kalyani, arXiv 1707.09727): Beta(S + 1, F + 1).
@Suite struct DiscountedThompsonPolicyTests {
    @Test func posteriorAndWinProbabilities() throws {
        var ts = try DiscountedThompsonPolicy(.init(gamma: 0.5, draws: 40_000, seed: 3))
        ts.merge(report("a", n: 4, abs: 2), weight: 1)  // x = 0.5: S = 2, F = 2, mean 3/6
        ts.merge(report("b", n: 2, abs: 2), weight: 1)  // x = 1: S = 2, F = 0, mean 3/4
        #expect(closeAll(ts.posteriorMeans, [0.5, 0.75]))
        ts.advance(by: 1)  // S_a = F_a = 1 -> Beta(2, 2); S_b = 1 -> Beta(2... no: S_b = 1, F_b = 0 -> Beta(2, 1)
        #expect(closeAll(ts.posteriorMeans, [0.5, 2.0 / 3]))
        // P(Beta(2, 1) > Beta(2, 2)) = int_0^1 2x (3x^2 - 2x^3) dx = 3/2 - 4/5 = 0.7.
        // With 40,000 draws the standard error is sqrt(0.21 / 40000) = 0.0023; allow 4.5 of them.
        let p = ts.distribution().probabilities
        #expect(abs(p[1] - 0.7) < 0.0103)
        #expect(p == ts.distribution().probabilities)  // a pure function of the state
    }
}

/// Absolute learning progress (Portelas et al., arXiv 1910.07224).
@Suite struct LearningProgressPolicyTests {
    @Test func progressDrivesSampling() throws {
        var lp = try LearningProgressPolicy(.init(alpha: 0.5, epsilon: 0.1))
        lp.merge(report("a", n: 5, abs: 1, reward: 1), weight: 1)  // first: m_a = 0.2
        lp.merge(report("a", n: 5, abs: 1, reward: 3), weight: 1)  // r = 0.6: g = 0.5 * 0.4 = 0.2, lp = 0.1, m = 0.4
        lp.merge(report("b", n: 2, abs: 1, reward: 1.8), weight: 1)  // first: m_b = 0.9, lp_b = 0
        #expect(closeAll(lp.distribution().values, [0.1, 0]))
        // p = 0.9 * [1, 0] + 0.1 / 2
        #expect(closeAll(lp.distribution().probabilities, [0.95, 0.05]))
        lp.merge(report("b", n: 2, abs: 1, reward: 1), weight: 1)  // r = 0.5: g = 0.5 * 0.4 = 0.2, lp_b = 0.1
        #expect(closeAll(lp.distribution().probabilities, [0.5, 0.5]))
    }
}

@Suite struct UniformPolicyTests {
    @Test func equalProbabilities() throws {
        var u = UniformPolicy()
        u.merge(report("a", n: 3, abs: 9), weight: 1)
        u.register("b")
        u.register("c")
        u.register("d")
        #expect(u.distribution().probabilities == [0.25, 0.25, 0.25, 0.25])
    }
}
