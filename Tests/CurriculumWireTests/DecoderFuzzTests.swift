import CurriculumTestSupport
import CurriculumWire
import Foundation
import Testing

/// A seeded mutation fuzzer for the frame decoder: a million inputs derived from valid
/// frames of every message type by bit flips, boundary bytes, insertions, deletions,
/// truncations, huge varints and splices. None may crash; every refusal must be a
/// `WireError`; whatever decodes must re-encode to a frame that decodes and re-encodes
/// to the same bytes.
@Suite struct DecoderFuzzTests {
    static let inputs = 1_000_000

    static func seeds() -> [[UInt8]] {
        let identity = Wire.WorkerIdentity(workerID: "worker-7", incarnation: 0xDEAD_BEEF)
        var stats = Wire.CategoryStats()
        stats.category = "math/level-3"
        stats.count = 12
        stats.sumAbsAdvantage = 3.25
        stats.sumSquaredAdvantage = 1.5
        stats.sumReward = 6
        var report = Wire.Report()
        report.worker = identity
        report.sequence = 41
        report.policyVersion = 9
        report.stepShare = 0.125
        report.categories = [stats, stats]
        report.resendFloor = 40
        var join = Wire.Join()
        join.worker = identity
        join.supportedVersions = [1, 2]
        join.stepShare = 0.5
        join.hostname = "gpu-3"
        join.categories = ["a", "b", "c"]
        var heartbeat = Wire.Heartbeat()
        heartbeat.worker = identity
        heartbeat.policyVersion = 9
        heartbeat.unacknowledged = 3
        var leave = Wire.Leave()
        leave.worker = identity
        leave.lastSequence = 41
        var policy = Wire.Policy()
        policy.version = 9
        policy.categories = ["a", "b"]
        policy.probabilities = [0.25, 0.75]
        policy.values = [0.1, 0.3]
        policy.policyName = "sec"
        var ack = Wire.WorkerAck()
        ack.worker = identity
        ack.contiguousThrough = 40
        ack.selective = [42, 44]
        var acks = Wire.Acks()
        acks.workers = [ack, ack]
        var accepted = Wire.JoinAccepted()
        accepted.worker = identity
        accepted.policy = policy
        var control = Wire.Control()
        control.kind = .joinAccepted(accepted)
        var status = Wire.Status()
        status.policy = policy
        status.reportsAccepted = 100
        let bodies: [Wire.Envelope.OneOf_Body] = [
            .report(report), .join(join), .heartbeat(heartbeat), .leave(leave), .policy(policy), .acks(acks),
            .control(control), .status(status),
        ]
        return bodies.map(WireCodec.encode)
    }

    struct Mutator {
        var random: TestRandom
        static let boundaryBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x0A, 0x12]

        mutating func mutate(_ input: [UInt8], corpus: [[UInt8]], rounds: ClosedRange<Int> = 1...4) -> [UInt8] {
            var bytes = input
            for _ in 0..<Int.random(in: rounds, using: &random) {
                let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<8, using: &random) {
                case 0 where !bytes.isEmpty:
                    bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 1 where !bytes.isEmpty:
                    bytes[position] = Self.boundaryBytes.randomElement(using: &random)!
                case 2:
                    let count = Int.random(in: 1...8, using: &random)
                    bytes.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }, at: position)
                case 3 where !bytes.isEmpty:
                    let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                    bytes.removeSubrange(position..<end)
                case 4:
                    bytes = Array(bytes.prefix(position))
                case 5:
                    // A varint of ten bytes: lengths and counts near 2^64.
                    bytes.insert(contentsOf: [UInt8](repeating: 0xFF, count: 9) + [0x01], at: position)
                case 6 where !bytes.isEmpty:
                    let end = min(bytes.count, position + Int.random(in: 1...32, using: &random))
                    bytes.insert(contentsOf: bytes[position..<end], at: end)
                default:
                    let other = corpus.randomElement(using: &random)!
                    let cut = Int.random(in: 0...other.count, using: &random)
                    bytes = Array(bytes.prefix(position)) + other.suffix(from: cut)
                }
            }
            return bytes
        }
    }

    struct Outcome: Sendable {
        var byLabel: [String: Int] = [:]
        var decoded = 0
        var roundTripFailures: [[UInt8]] = []
    }

    /// Runs `count` inputs from its own seed, growing its corpus with inputs that decode.
    static func fuzz(seed: UInt64, count: Int) -> Outcome {
        var corpus = seeds()
        var mutator = Mutator(random: TestRandom(seed: seed))
        var outcome = Outcome()
        for _ in 0..<count {
            let input = mutator.mutate(corpus.randomElement(using: &mutator.random)!, corpus: corpus)
            let result = input.withUnsafeBytes { bytes in
                Result { () throws(WireError) in try WireCodec.decode(bytes) }
            }
            switch result {
            case .success(let body):
                outcome.decoded += 1
                // Compared as bytes, not values: a mutated double may be NaN, never equal to itself.
                let again = WireCodec.encode(body)
                let third = (try? WireCodec.decode(again)).map(WireCodec.encode)
                if third != again, outcome.roundTripFailures.count < 5 {
                    outcome.roundTripFailures.append(input)
                }
                if corpus.count < 4_096 { corpus.append(input) }
            case .failure(let error):
                outcome.byLabel[error.label, default: 0] += 1
            }
        }
        return outcome
    }

    @Test func aMillionMutatedFramesNeverCrashTheDecoder() async {
        // Two halves from two seeds on threads of their own (see onBackgroundThreads).
        let halves = await onBackgroundThreads(seeds: [0x5EED_0001, 0x5EED_0002]) { seed in
            Self.fuzz(seed: seed, count: Self.inputs / 2)
        }
        let decoded = halves.reduce(0) { $0 + $1.decoded }
        let byLabel = halves.reduce(into: [String: Int]()) { $0.merge($1.byLabel, uniquingKeysWith: +) }
        let refused = byLabel.values.reduce(0, +)
        #expect(decoded + refused == Self.inputs)
        #expect(halves.flatMap(\.roundTripFailures).isEmpty, "\(halves.flatMap(\.roundTripFailures).prefix(2))")
        // The mutations reach every layer: some inputs still decode, and the refusals
        // span the decoder's distinct checks.
        #expect(decoded > Self.inputs / 100)
        for label in ["truncated", "unknown_topic", "malformed", "topic_mismatch", "unknown_message_type"] {
            #expect(byLabel[label, default: 0] > 0, "no input was refused as \(label): \(byLabel)")
        }
        print("decoder fuzz: \(Self.inputs) inputs, \(decoded) decoded, refused by reason: "
            + byLabel.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
    }
}
