import Coordinator
import CurriculumAuth
import CurriculumWire
import Testing

/// Signature checks against the wall-clock time the engine is given, not one it reads.
@Suite struct CoordinatorEngineAuthenticationTests {
    static let key = try! AuthenticationKey(id: "k", secret: Array(repeating: 0x5A, count: 32))
    static let stranger = try! AuthenticationKey(id: "k", secret: Array(repeating: 0x01, count: 32))
    let worker = EngineHarness.worker("signer")

    func harness() throws -> EngineHarness {
        try EngineHarness(EngineHarness.configuration(
            authentication: IngestAuthentication(keyring: try Keyring([Self.key]), maximumClockSkew: .seconds(30))))
    }

    @Test func aSignedReportIsTakenInOnceAndItsCopyRefused() throws {
        var harness = try harness()
        var signer = FrameSigner(key: Self.key)
        let frame = signer.sign(
            WireCodec.encode(EngineHarness.report(worker, sequence: 1)), sentAtMs: harness.now.wallClockMs)
        #expect(harness.send(frame).changes.count == 1)
        #expect(harness.engine.counters.framesAuthenticated == 1)
        let copy = harness.send(frame)
        #expect(copy.changes.isEmpty && copy.rejections == ["replayed"])
        // A signed join takes the general decoder; it is authenticated too.
        let join = signer.sign(WireCodec.encode(EngineHarness.join(worker)), sentAtMs: harness.now.wallClockMs)
        #expect(harness.send(join).controls.count == 1)
        #expect(harness.engine.counters.framesAuthenticated == 2)
    }

    @Test func unsignedForgedAndSkewedFramesAreRefused() throws {
        var harness = try harness()
        let report = WireCodec.encode(EngineHarness.report(worker, sequence: 1))
        let now = harness.now.wallClockMs
        var signer = FrameSigner(key: Self.key)
        let refused: [(label: String, frame: [UInt8])] = [
            ("unsigned", report),
            ("bad_mac", FrameSignature.sign(report, key: Self.stranger, counter: 1, sentAtMs: now)),
            ("clock_skew", signer.sign(report, sentAtMs: now - 60_000)),
        ]
        for (label, frame) in refused {
            let effects = harness.send(frame)
            #expect(effects.changes.isEmpty)
            #expect(effects.rejections == [label])
        }
        // The same frame signed a minute ahead is fine once the engine's clock is there.
        let ahead = signer.sign(report, sentAtMs: now + 60_000)
        harness.advance(milliseconds: 60_000)
        #expect(harness.send(ahead).changes.count == 1)
        #expect(harness.engine.counters.authenticationFailures == 3)
    }
}
