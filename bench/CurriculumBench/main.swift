import Curriculum

// Release benchmark of the curriculum core: the cost of merging one report, and of
// computing the distribution and allocating a 256-sample batch, for 8, 64 and 1,024 arms,
// against a straightforward dictionary-based SEC measured in the same run.
//
//     CURRICULUM_BENCHMARKS=1 swift run -c release --scratch-path .build-core CurriculumBench

/// A deliberately plain SEC: a dictionary of Q values, a softmax over an array of
/// (name, Q) tuples sorted by name, and B linear-scan draws.
struct NaiveSEC {
    var alpha = 0.5
    var tau = 1.0
    var q: [String: Double] = [:]

    mutating func merge(_ r: CategoryReport) {
        let reward = r.sumAbsAdvantage / Double(r.count)
        q[r.category] = (1 - alpha) * (q[r.category] ?? 0) + alpha * reward
    }

    func allocate(batch: Int, using rng: inout Xoshiro256StarStar) -> [String: Int] {
        let arms: [(String, Double)] = q.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let top = arms.map(\.1).max() ?? 0
        let weights = arms.map { ($0.0, naiveExp(($0.1 - top) / tau)) }
        let total = weights.reduce(0) { $0 + $1.1 }
        var counts: [String: Int] = [:]
        for _ in 0..<batch {
            var u = Double.random(in: 0..<total, using: &rng)
            for (name, w) in weights {
                u -= w
                if u < 0 {
                    counts[name, default: 0] += 1
                    break
                }
            }
        }
        return counts
    }
}

/// exp by argument reduction and a Taylor series: keeps the baseline free of libm, so the
/// comparison is about data structures. Accurate to ~1e-15 on the range used here.
func naiveExp(_ x: Double) -> Double {
    let n = (x / 0.6931471805599453).rounded()
    let r = x - n * 0.6931471805599453
    var term = 1.0
    var sum = 1.0
    for k in 1...18 {
        term *= r / Double(k)
        sum += term
    }
    return sum * Double(sign: .plus, exponent: Int(n), significand: 1)
}

var sink = 0.0

func measure(iterations: Int, _ body: () -> Void) -> Duration {
    let clock = ContinuousClock()
    body()  // warm-up
    let start = clock.now
    for _ in 0..<iterations { body() }
    return (clock.now - start) / iterations
}

func nanoseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) * 1e-9
}

func reports(arms: Int, count: Int, seed: UInt64) -> [CategoryReport] {
    var rng = Xoshiro256StarStar(seed: seed)
    return (0..<count).map { i in
        let n = Int(rng.next() % 16) + 1
        return CategoryReport(
            category: "category-\(i % arms)", count: n,
            sumAbsAdvantage: Double(n) * Double(rng.next() % 1000) / 1000,
            sumSquaredAdvantage: Double(n) * 0.5, sumReward: Double(n) * 0.5, version: 0,
            share: 0.25)
    }
}

let policies: [(String, PolicyConfiguration)] = [
    ("sec", .sec(.init())),
    ("dump", .dump(.init())),
    ("ducb", .discountedUCB(.init())),
    ("exp3s", .exp3s(.init())),
    ("thompson", .discountedThompson(.init())),
]

print("CurriculumBench (release, ns per merge, µs per distribution + 256-sample allocation)")
print("")
let header = ["arms", "policy", "merge ns/op", "naive merge", "ratio", "dist+alloc µs/op", "naive alloc", "ratio"]
print(header.map { $0.padding(16) }.joined())
for arms in [8, 64, 1024] {
    let stream = reports(arms: arms, count: 8192, seed: UInt64(arms))
    var naive = NaiveSEC()
    for r in stream { naive.merge(r) }
    var cursor = 0
    let naiveMerge = nanoseconds(measure(iterations: 400_000) {
        naive.merge(stream[cursor & 8191])
        cursor &+= 1
    })
    var naiveRng = Xoshiro256StarStar(seed: 1)
    let naiveAlloc = nanoseconds(measure(iterations: arms > 100 ? 500 : 5_000) {
        sink += Double(naive.allocate(batch: 256, using: &naiveRng).count)
    }) / 1000

    for (name, configuration) in policies {
        var curriculum = try Curriculum(policy: configuration)
        for r in stream { try curriculum.apply(r) }
        let merge = nanoseconds(measure(iterations: 400_000) {
            do {
                sink += try curriculum.apply(stream[cursor & 8191]).weight
            } catch {
                fatalError("\(error)")
            }
            cursor &+= 1
        })
        let allocator = try BatchAllocator()
        var rng = Xoshiro256StarStar(seed: 2)
        let policy = curriculum.policy
        let iterations = name == "thompson" ? (arms > 100 ? 3 : 30) : (arms > 100 ? 2_000 : 20_000)
        let alloc = nanoseconds(measure(iterations: iterations) {
            // The policy's distribution, not the curriculum's cached one: the full cost.
            let d = policy.distribution()
            do {
                sink += Double(try allocator.allocate(batchSize: 256, distribution: d, using: &rng)[0])
            } catch {
                fatalError("\(error)")
            }
        }) / 1000
        let row = [
            "\(arms)", name, String(format1: merge), String(format1: naiveMerge),
            String(format2: naiveMerge / merge) + "x", String(format2: alloc), String(format2: naiveAlloc),
            String(format2: naiveAlloc / alloc) + "x",
        ]
        print(row.map { $0.padding(16) }.joined())
    }
}
print("")
print("Goals at 64 arms: merge < 1000 ns, distribution + allocation < 20 µs. (checksum \(sink > 0 ? "ok" : "0"))")

extension String {
    init(format1 x: Double) { self = String(Double(Int(x * 10)) / 10) }
    init(format2 x: Double) { self = String(Double(Int(x * 100)) / 100) }
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
