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
        let stats = Wire.CategoryStats(
            category: "math/level-3", count: 12, sumAbsAdvantage: 3.25, sumSquaredAdvantage: 1.5, sumReward: 6)
        let report = Wire.Report(
            worker: identity, sequence: 41, policyVersion: 9, stepShare: 0.125, resendFloor: 40,
            categories: [stats, stats])
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

    struct Outcome: Sendable {
        var byLabel: [String: Int] = [:]
        var decoded = 0
        var roundTripFailures: [[UInt8]] = []
    }

    /// Runs `count` inputs from its own seed, growing its corpus with inputs that decode.
    static func fuzz(seed: UInt64, count: Int) -> Outcome {
        var corpus = seeds()
        var mutator = FrameMutator(random: TestRandom(seed: seed))
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
