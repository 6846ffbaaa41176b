/// Beta variates as `X / (X + Y)` with X, Y gamma variates drawn by Marsaglia and Tsang's
/// method (ACM TOMS 26(3), 2000), normals by Box–Muller. Only shapes >= 1 are needed: the
/// Thompson posterior adds a uniform prior's 1 to each count.
enum BetaSampler {
    static func sample<G: RandomNumberGenerator>(_ a: Double, _ b: Double, using rng: inout G) -> Double {
        let x = gamma(a, using: &rng)
        let y = gamma(b, using: &rng)
        let s = x + y
        return s > 0 ? x / s : 0.5
    }

    static func gamma<G: RandomNumberGenerator>(_ shape: Double, using rng: inout G) -> Double {
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal(using: &rng)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = rng.nextUnitDouble()
            if u < 1 - 0.0331 * (x * x) * (x * x) { return d * v }
            if u > 0, Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v)) { return d * v }
        }
    }

    private static func normal<G: RandomNumberGenerator>(using rng: inout G) -> Double {
        // 1 - u is in (0, 1], so the logarithm is finite.
        let u1 = 1 - rng.nextUnitDouble()
        let u2 = rng.nextUnitDouble()
        return (-2 * Math.log(u1)).squareRoot() * Math.cos(2 * Double.pi * u2)
    }
}
