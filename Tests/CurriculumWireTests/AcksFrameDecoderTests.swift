import CurriculumTestSupport
import Foundation
import SwiftProtobuf
import Testing

@testable import CurriculumWire

/// The agents' ACKS reader against the general decoder: for every frame it handles and
/// every worker, the same acknowledgements (`acks.workers` filtered by `worker == identity`)
/// or the same `WireError`.
@Suite struct AcksFrameDecoderTests {
    enum Outcome: Equatable, CustomStringConvertible {
        case acknowledgements([Acknowledgement])
        case refused(WireError)
        case deferred
        case other(Topic)

        var description: String {
            switch self {
            case .acknowledgements(let found): "acknowledgements \(found)"
            case .refused(let error): "refused \(error)"
            case .deferred: "deferred"
            case .other(let topic): "a \(topic.rawValue) message"
            }
        }
    }

    /// Workers to look for: ASCII, a precomposed non-ASCII name, and the empty identity
    /// that an entry without `worker` names.
    static let workers = [
        ReportFrame.Worker(workerID: "worker-7", incarnation: 0xDEAD_BEEF),
        ReportFrame.Worker(workerID: "\u{E9}quipe", incarnation: 3),
        ReportFrame.Worker(workerID: "", incarnation: 0),
    ]

    static func fast(_ frame: [UInt8], for worker: ReportFrame.Worker) -> Outcome {
        let result = frame.withUnsafeBytes { bytes in
            Result { () throws(WireError) in try AcksFrameDecoder.acknowledgements(in: bytes, for: worker) }
        }
        switch result {
        case .success(let found?): return .acknowledgements(found)
        case .success(nil): return .deferred
        case .failure(let error): return .refused(error)
        }
    }

    static func general(_ frame: [UInt8], for worker: ReportFrame.Worker) -> Outcome {
        let result = frame.withUnsafeBytes { bytes in Result { () throws(WireError) in try WireCodec.decode(bytes) } }
        let identity = Wire.WorkerIdentity(workerID: worker.workerID, incarnation: worker.incarnation)
        switch result {
        case .success(.acks(let acks)):
            return .acknowledgements(acks.workers.filter { $0.worker == identity }.map(Acknowledgement.init))
        case .success(let body): return .other(Topic(for: body))
        case .failure(let error): return .refused(error)
        }
    }

    static func agree(_ fast: Outcome, _ general: Outcome) -> Bool {
        if case .deferred = fast { return true }
        return fast == general
    }

    // MARK: - Frames

    static let tag = ReportFrameDecoderTests.tag
    static let field = ReportFrameDecoderTests.field

    static func ack(_ worker: Wire.WorkerIdentity?, through: UInt64, selective: [UInt64] = [], rejected: UInt64 = 0)
        -> Wire.WorkerAck
    {
        var ack = Wire.WorkerAck()
        if let worker { ack.worker = worker }
        ack.contiguousThrough = through
        ack.selective = selective
        ack.rejected = rejected
        return ack
    }

    static func frame(_ acks: [Wire.WorkerAck]) -> [UInt8] {
        var body = Wire.Acks()
        body.workers = acks
        return WireCodec.encode(.acks(body))
    }

    /// An ACKS frame of this version around `acks`, the serialized Acks message.
    static func frame(acks: [UInt8]) -> [UInt8] {
        Topic.acks.bytes + tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + field(21, acks)
    }

    static func randomAcks(using random: inout TestRandom) -> [UInt8] {
        let names = ["worker-7", "worker-8", "\u{E9}quipe", "e\u{301}quipe", "", "w"]
        let acks = (0..<Int.random(in: 0...6, using: &random)).map { _ in
            ack(
                Int.random(in: 0..<6, using: &random) == 0 ? nil : Wire.WorkerIdentity(
                    workerID: names.randomElement(using: &random)!,
                    incarnation: [0, 3, 0xDEAD_BEEF, RandomReport.integer(using: &random)].randomElement(using: &random)!),
                through: RandomReport.integer(using: &random),
                selective: (0..<Int.random(in: 0...3, using: &random)).map { _ in RandomReport.integer(using: &random) },
                rejected: RandomReport.integer(using: &random))
        }
        return frame(acks)
    }

    static func seeds() -> [[UInt8]] {
        let seven = Wire.WorkerIdentity(workerID: "worker-7", incarnation: 0xDEAD_BEEF)
        let equipe = Wire.WorkerIdentity(workerID: "\u{E9}quipe", incarnation: 3)
        let decomposed = Wire.WorkerIdentity(workerID: "e\u{301}quipe", incarnation: 3)
        let sevenBytes: [UInt8] = try! seven.serializedBytes()
        let unknowns = ReportFrameDecoderTests.unknownFields
        let handMade = [
            // Our worker with an unknown field: not equal to the identity.
            field(1, field(1, sevenBytes + tag(9, 0) + [1]) + tag(2, 0) + [5]),
            // Our worker in two halves, which merge; selective packed and not.
            field(1, field(1, field(1, Array("worker-7".utf8))) + tag(3, 0) + [7] + field(3, [8, 9])
                + field(1, tag(2, 0) + [0xEF, 0xFD, 0xB6, 0xF5, 0x0D]) + unknowns + tag(2, 0) + [6]),
            // Incarnation as another wire type: an unknown field.
            field(1, field(1, field(1, Array("worker-7".utf8)) + tag(2, 1) + [0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0, 0])),
            unknowns + field(1, tag(2, 0) + [1]),
        ]
        return [
            frame([ack(seven, through: 41, selective: [43, 45]), ack(equipe, through: 2), ack(nil, through: 9)]),
            frame([ack(decomposed, through: 12, rejected: 1), ack(seven, through: 1 << 40)]),
            frame([]),
            WireCodec.encode(.report(ReportFrameDecoderTests.sampleReport)),
        ] + handMade.map { frame(acks: $0) }
    }

    // MARK: - Tests

    @Test func seedsDecodeAlike() {
        for seed in Self.seeds() {
            for worker in Self.workers {
                let fast = Self.fast(seed, for: worker)
                #expect(Self.agree(fast, Self.general(seed, for: worker)), "\(seed) for \(worker): fast \(fast)")
            }
        }
        // The decomposed name matches the precomposed one, as String equality has it.
        let decomposed = Self.frame([Self.ack(Wire.WorkerIdentity(workerID: "e\u{301}quipe", incarnation: 3), through: 12)])
        #expect(Self.fast(decomposed, for: Self.workers[1]) == .acknowledgements([Acknowledgement(contiguousThrough: 12)]))
    }

    @Test func anythingElseInTheEnvelopeIsLeftToTheGeneralDecoder() {
        var body = Wire.Acks()
        body.workers = [Self.ack(Wire.WorkerIdentity(workerID: "worker-7", incarnation: 0xDEAD_BEEF), through: 4)]
        let acks: [UInt8] = try! body.serializedBytes()
        for frame in [
            Topic.acks.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)] + Self.field(2, []) + Self.field(21, acks),
            Topic.acks.bytes + Self.tag(1, 0) + [3] + Self.field(21, acks),
            Topic.acks.bytes + Self.tag(1, 0) + [UInt8(WireCodec.protocolVersion)],
            WireCodec.encode(.policy(Wire.Policy())),
        ] {
            #expect(Self.fast(frame, for: Self.workers[0]) == .deferred, "\(frame)")
        }
    }

    @Test func randomAcksDecodeAlike() {
        var random = TestRandom(seed: 0xAC45_0001)
        for _ in 0..<5_000 {
            let frame = Self.randomAcks(using: &random)
            for worker in Self.workers {
                let fast = Self.fast(frame, for: worker)
                #expect(fast != .deferred)
                #expect(Self.agree(fast, Self.general(frame, for: worker)), "\(frame) for \(worker): fast \(fast)")
            }
        }
    }

    static let inputs = 300_000

    /// Both decoders on one mutated frame for a random worker; the general one only where
    /// the fast one did not defer. Noteworthy: the frame has an entry for that worker.
    static func judge(_ input: [UInt8], using random: inout TestRandom) -> FuzzVerdict {
        let worker = workers.randomElement(using: &random)!
        let fast = fast(input, for: worker)
        if case .deferred = fast { return .deferred }
        let found: [Acknowledgement]? = if case .acknowledgements(let entries) = fast { entries } else { nil }
        return .compared(
            "\(input) for \(worker)", fast: fast, general: general(input, for: worker), agree: agree,
            handled: found != nil, noteworthy: found?.isEmpty == false)
    }

    @Test func mutatedAcksDecodeAlike() async {
        let counts = await differentialFuzz(
            inputs: Self.inputs, seeds: [0xAC45_1001, 0xAC45_1002], corpusCap: 3_000,
            startingCorpus: { random in Self.seeds() + (0..<500).map { _ in Self.randomAcks(using: &random) } },
            judge: Self.judge)
        let matched = counts.noteworthy
        #expect(matched > Self.inputs / 100)
        print("acks decoder fuzz: \(Self.inputs) inputs, read \(counts.handled) frames (\(matched) with an entry "
            + "for the worker), refused \(counts.refused), deferred \(counts.deferred)")
    }
}
