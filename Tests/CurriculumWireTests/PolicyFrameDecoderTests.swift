import CurriculumTestSupport
import Foundation
import SwiftProtobuf
import Testing

@testable import CurriculumWire

/// The agents' POLI reader against the general decoder: for every frame it handles, the
/// same policy (doubles by bit pattern) or the same `WireError`.
@Suite struct PolicyFrameDecoderTests {
    enum Outcome: CustomStringConvertible {
        case policy(PolicyFrame)
        case refused(WireError)
        case deferred
        case other(Topic)

        var description: String {
            switch self {
            case .policy(let policy): "policy \(policy)"
            case .refused(let error): "refused \(error)"
            case .deferred: "deferred"
            case .other(let topic): "a \(topic.rawValue) message"
            }
        }
    }

    static func fast(_ frame: [UInt8]) -> Outcome {
        let result = frame.withUnsafeBytes { bytes in
            Result { () throws(WireError) in try PolicyFrameDecoder.decode(bytes) }
        }
        switch result {
        case .success(let policy?): return .policy(policy)
        case .success(nil): return .deferred
        case .failure(let error): return .refused(error)
        }
    }

    static func general(_ frame: [UInt8]) -> Outcome {
        let result = frame.withUnsafeBytes { bytes in Result { () throws(WireError) in try WireCodec.decode(bytes) } }
        switch result {
        case .success(.policy(let policy)): return .policy(PolicyFrame(policy))
        case .success(let body): return .other(Topic(for: body))
        case .failure(let error): return .refused(error)
        }
    }

    static func same(_ a: PolicyFrame, _ b: PolicyFrame) -> Bool {
        a.version == b.version && a.categories == b.categories && a.policyName == b.policyName
            && a.issuedAtMs == b.issuedAtMs && a.probabilities.map(\.bitPattern) == b.probabilities.map(\.bitPattern)
            && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
    }

    static func agree(_ fast: Outcome, _ general: Outcome) -> Bool {
        switch (fast, general) {
        case (.deferred, _): true
        case (.policy(let a), .policy(let b)): same(a, b)
        case (.refused(let a), .refused(let b)): a == b
        default: false
        }
    }

    static let tag = ReportFrameDecoderTests.tag
    static let field = ReportFrameDecoderTests.field

    static func randomPolicy(using random: inout TestRandom) -> Wire.Policy {
        var policy = Wire.Policy()
        policy.version = RandomReport.integer(using: &random)
        let count = Int.random(in: 0...12, using: &random)
        policy.categories = (0..<count).map { _ in RandomReport.string(using: &random) }
        // Usually parallel arrays, sometimes not: the decoder must not care.
        let skew = Int.random(in: 0..<8, using: &random) == 0 ? Int.random(in: -1...1, using: &random) : 0
        policy.probabilities = (0..<max(0, count + skew)).map { _ in RandomReport.double(using: &random) }
        policy.values = (0..<count).map { _ in RandomReport.double(using: &random) }
        policy.policyName = RandomReport.string(using: &random)
        policy.issuedAtMs = RandomReport.integer(using: &random)
        return policy
    }

    /// A POLI frame of this version around `policy`, the serialized Policy message.
    static func frame(policy: [UInt8]) -> [UInt8] {
        Topic.policy.bytes + tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + field(20, policy)
    }

    static func seeds() -> [[UInt8]] {
        var policy = Wire.Policy()
        policy.version = 1_000
        policy.categories = (0..<64).map { String(format: "arm-%02d", $0) }
        policy.probabilities = (0..<64).map { 1 / 64 + Double($0) * 1e-9 }
        policy.values = (0..<64).map { Double($0) / 7 }
        policy.policyName = "sec"
        policy.issuedAtMs = 1_780_000_000_000
        let one = [UInt8](repeating: 0, count: 6) + [0xF0, 0x3F]
        // Doubles one at a time (not packed), an empty packed run, unknown fields, a policy in two halves.
        let unpacked = tag(1, 0) + [9] + field(2, Array("a".utf8)) + tag(3, 1) + one + tag(3, 1) + one
            + field(3, []) + tag(4, 1) + one + field(4, one) + ReportFrameDecoderTests.unknownFields + field(5, Array("é".utf8))
        return [
            WireCodec.encode(.policy(policy)), WireCodec.encode(.policy(Wire.Policy())), frame(policy: unpacked),
            Topic.policy.bytes + field(20, unpacked) + tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + field(20, field(2, Array("b".utf8)) + field(3, one)),
            WireCodec.encode(.report(ReportFrameDecoderTests.sampleReport)),
        ]
    }

    @Test func seedsDecodeAlike() {
        for seed in Self.seeds() {
            let fast = Self.fast(seed)
            #expect(Self.agree(fast, Self.general(seed)), "\(seed): fast \(fast), general \(Self.general(seed))")
        }
    }

    @Test func anythingElseInTheEnvelopeIsLeftToTheGeneralDecoder() {
        let policy: [UInt8] = try! Wire.Policy.with { $0.version = 3 }.serializedBytes()
        for frame in [
            Topic.policy.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + Self.field(2, []) + Self.field(20, policy),
            Topic.policy.bytes + Self.tag(1, 0) + [3] + Self.field(20, policy),
            Topic.policy.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)],
        ] {
            guard case .deferred = Self.fast(frame) else {
                Issue.record("handled \(frame): \(Self.fast(frame))")
                continue
            }
        }
    }

    @Test func randomPoliciesDecodeAlike() {
        var random = TestRandom(seed: 0x9011_0001)
        for _ in 0..<5_000 {
            let frame = WireCodec.encode(.policy(Self.randomPolicy(using: &random)))
            let fast = Self.fast(frame)
            guard case .policy = fast else {
                Issue.record("fast decoder: \(fast)")
                continue
            }
            #expect(Self.agree(fast, Self.general(frame)), "\(frame): fast \(fast)")
        }
    }

    static let inputs = 300_000

    /// Both decoders on one mutated frame; the general one only where the fast one did not defer.
    static func judge(_ input: [UInt8]) -> FuzzVerdict {
        let fast = fast(input)
        if case .deferred = fast { return .deferred }
        let handled = if case .policy = fast { true } else { false }
        return .compared(input, fast: fast, general: general(input), agree: agree, handled: handled)
    }

    @Test func mutatedPoliciesDecodeAlike() async {
        let counts = await differentialFuzz(
            inputs: Self.inputs, seeds: [0x9011_1001, 0x9011_1002], corpusCap: 3_000,
            startingCorpus: { random in
                Self.seeds() + (0..<500).map { _ in WireCodec.encode(.policy(Self.randomPolicy(using: &random))) }
            },
            judge: { input, _ in Self.judge(input) })
        print("policy decoder fuzz: \(Self.inputs) inputs, read \(counts.handled) policies, "
            + "refused \(counts.refused), deferred \(counts.deferred)")
    }
}
