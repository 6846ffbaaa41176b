import Coordinator
import Curriculum
import CurriculumWire
import Foundation

/// A coordinator engine driven without sockets or clocks: frames are built with the
/// wire codec, time is a number of milliseconds since the harness began.
struct EngineHarness {
    static let categories = ["easy", "medium", "hard"]
    static let origin = ContinuousClock.now
    /// Where wall-clock time starts, for signatures and `issued_at_ms`.
    static let wallClockOrigin: UInt64 = 1_800_000_000_000

    var engine: CoordinatorEngine
    /// Milliseconds since `origin`.
    var elapsedMs: Int64 = 0

    static func configuration(
        staleness: StalenessConfiguration = .init(), publishEveryReports: Int = 1000,
        policyCopiesPerSecond: Double = 20_000, lease: Duration = .seconds(10),
        sequenceWindow: UInt64 = 1 << 16, authentication: IngestAuthentication? = nil
    ) -> CoordinatorConfiguration {
        CoordinatorConfiguration(
            broadcastURL: "inproc://unused-broadcast", requestsURL: "inproc://unused-requests", statusURL: "inproc://unused-status", reportsURL: "inproc://unused-reports",
            staleness: staleness, categories: categories, publishEveryReports: publishEveryReports,
            policyCopiesPerSecond: policyCopiesPerSecond, lease: lease, sequenceWindow: sequenceWindow, authentication: authentication)
    }

    init(_ configuration: CoordinatorConfiguration = Self.configuration()) throws {
        engine = CoordinatorEngine(
            configuration: configuration, state: try CoordinatorEngine.freshState(for: configuration),
            startedAt: Self.origin)
    }

    init(_ configuration: CoordinatorConfiguration, state: CoordinatorState) {
        engine = CoordinatorEngine(configuration: configuration, state: state, startedAt: Self.origin)
    }

    var now: CoordinatorEngine.Moment {
        .init(instant: Self.origin + .milliseconds(elapsedMs), wallClockMs: Self.wallClockOrigin + UInt64(elapsedMs))
    }

    mutating func advance(milliseconds: Int64) { elapsedMs += milliseconds }

    /// Hands one frame to the engine as a batch of its own.
    mutating func send(_ frame: [UInt8]) -> CoordinatorEffects {
        engine.receive(frame: frame, at: now)
    }

    mutating func send(_ body: Wire.Envelope.OneOf_Body) -> CoordinatorEffects {
        send(WireCodec.encode(body))
    }

    /// Hands frames to the engine as requests of one batch, each with its own route.
    mutating func request(_ requests: [(body: Wire.Envelope.OneOf_Body, route: [UInt8])]) -> CoordinatorEffects {
        let now = now
        for (body, route) in requests {
            WireCodec.encode(body).withUnsafeBytes { engine.receive($0, from: .request(route), at: now) }
        }
        return engine.finishBatch(at: now)
    }

    mutating func request(_ body: Wire.Envelope.OneOf_Body, route: [UInt8] = Self.route(1)) -> CoordinatorEffects {
        request([(body, route)])
    }

    /// Lets the acknowledgement interval pass: the replies acknowledging what came since.
    mutating func acknowledgementReplies() -> CoordinatorEffects {
        advance(milliseconds: 10)
        return engine.tick(at: now)
    }

    /// A backtrace as a raw REP socket would hand it over: a pipe, then a request ID.
    static func route(_ id: UInt8) -> [UInt8] { [0, 0, 0, 1, 0x80, 0, 0, id] }

    /// Lets the acknowledgement interval pass and returns the acknowledgement of `worker`.
    mutating func acknowledgement(of worker: WorkerKey) -> Wire.WorkerAck? {
        advance(milliseconds: 10)
        return engine.tick(at: now).acks.first { WorkerKey($0.worker) == worker }
    }

    static func worker(_ id: String, _ incarnation: UInt64 = 1) -> WorkerKey {
        WorkerKey(workerID: id, incarnation: incarnation)
    }

    static func join(_ worker: WorkerKey, share: Double = 0.5) -> Wire.Envelope.OneOf_Body {
        var join = Wire.Join()
        join.worker = worker.identity
        join.supportedVersions = WireCodec.supportedVersions
        join.stepShare = share
        join.hostname = "host-\(worker.workerID)"
        return .join(join)
    }

    static func report(
        _ worker: WorkerKey, sequence: UInt64, version: UInt64 = 0, category: String = "easy", count: UInt64 = 4,
        resendFloor: UInt64 = 0
    ) -> Wire.Envelope.OneOf_Body {
        var stats = Wire.CategoryStats()
        stats.category = category
        stats.count = count
        stats.sumAbsAdvantage = Double(count) / 2
        stats.sumSquaredAdvantage = Double(count) / 4
        stats.sumReward = Double(count) / 3
        var report = Wire.Report()
        report.worker = worker.identity
        report.sequence = sequence
        report.policyVersion = version
        report.stepShare = 0.5
        report.categories = [stats]
        report.resendFloor = resendFloor
        return .report(report)
    }
}

extension CoordinatorEffects {
    var acks: [Wire.WorkerAck] {
        messages.flatMap { message -> [Wire.WorkerAck] in
            if case .acks(let acks) = message { acks.workers } else { [] }
        }
    }

    var policies: [Wire.Policy] {
        messages.compactMap { if case .policy(let policy) = $0 { policy } else { nil } }
    }

    var controls: [Wire.Control.OneOf_Kind] {
        messages.compactMap { if case .control(let control) = $0 { control.kind } else { nil } }
    }

    /// The replies routed to `route`.
    func replies(to route: [UInt8]) -> [Wire.Envelope.OneOf_Body] {
        replies.filter { $0.route == route }.map(\.body)
    }

    var rejections: [String] {
        events.compactMap { if case .rejected(let rejection) = $0 { rejection.label } else { nil } }
    }
}
