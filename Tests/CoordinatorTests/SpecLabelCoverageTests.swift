import Coordinator
import Curriculum
import CurriculumAuth
import CurriculumWire
import Foundation
import Testing

/// Every label the code refuses a frame or a report under is specified in
/// Protocols/README.md, so a worker written from the spec alone can read the
/// coordinator's logs and counters.
@Suite struct SpecLabelCoverageTests {
    /// One value of every case. The switches in `caseIndex` fail to compile when a case is
    /// added to one of the enums: add an example here then.
    static let reportRejections: [ReportRejection] = [
        .emptyCategory, .negativeCount(-1), .countTooLarge(1 << 40), .categoryTooLong(bytes: 2000),
        .nonFiniteValue(field: .sumReward, value: .nan), .negativeSum(field: .sumAbsAdvantage, value: -1),
        .sumsWithoutSamples(field: .sumReward, value: 1), .shareOutOfRange(2),
        .invalidGroupCounts(groups: 3, zeroVariance: 4, count: 8), .futureVersion(report: 3, current: 1),
        .tooStale(staleness: 9, maximum: 4),
    ]
    static let wireErrors: [WireError] = [
        .truncated(byteCount: 2), .oversized(byteCount: 2 << 20, limit: 1 << 20), .unknownTopic(prefix: [0, 1, 2, 3]),
        .malformedEnvelope(topic: .report, reason: "x"), .invalidUTF8(topic: .join), .unknownMessageType(topic: .join),
        .topicMismatch(topic: .join, body: .report), .invalidReportBatch(reason: "x"),
        .unsupportedProtocolVersion(received: 2, sender: nil),
    ]
    static let authenticationFailures: [AuthenticationFailure] = [
        .unsigned, .unknownKey(keyID: "k"), .badMAC(keyID: "k"), .forgedIdentity(keyID: "k", workerID: "w"),
        .clockSkew(sentAtMs: 0, receivedAtMs: 1), .replayed(counter: 1),
    ]
    static let ingestRejections: [IngestRejection] = {
        let worker = WorkerKey(workerID: "w", incarnation: 1)
        return [
            .missingWorkerIdentity(.report), .sequenceZero(worker: worker), .emptyReport(worker: worker, sequence: 1),
            .unknownCategory(worker: worker, sequence: 1, category: "c"), .outOfWindow(worker: worker, sequence: 1),
            .unexpectedTopic(.policy), .duplicate(worker: worker, sequence: 1),
            .retiredIncarnation(worker: worker, sequence: 2),
        ]
            + wireErrors.map(IngestRejection.wire)
            + reportRejections.map { .report(worker: worker, sequence: 1, category: "c", $0) }
            + authenticationFailures.map { .authentication($0, claimedWorker: nil) }
    }()

    @Test func everyCaseHasAnExample() {
        #expect(Set(Self.reportRejections.map(caseIndex)).count == 11)
        #expect(Set(Self.wireErrors.map(caseIndex)).count == 9)
        #expect(Set(Self.ingestRejections.map(caseIndex)).count == 11)
        #expect(Set(Self.authenticationFailures.map(\.label)) == AuthenticationFailure.labels)
    }

    @Test func everyLabelIsInTheSpecification() throws {
        let spec = try String(contentsOf: Self.specification, encoding: .utf8)
        let labels = Set(Self.ingestRejections.map(\.label))
        #expect(labels.count == 34)
        for label in labels.sorted() {
            #expect(spec.contains("`\(label)`"), "Protocols/README.md does not name the label \(label)")
        }
    }

    static let specification = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocols/README.md")

    private func caseIndex(_ r: ReportRejection) -> Int {
        switch r {
        case .emptyCategory: 0
        case .negativeCount: 1
        case .countTooLarge: 2
        case .categoryTooLong: 3
        case .nonFiniteValue: 4
        case .negativeSum: 5
        case .sumsWithoutSamples: 6
        case .shareOutOfRange: 7
        case .futureVersion: 8
        case .tooStale: 9
        case .invalidGroupCounts: 10
        }
    }

    private func caseIndex(_ e: WireError) -> Int {
        switch e {
        case .truncated: 0
        case .oversized: 1
        case .unknownTopic: 2
        case .malformedEnvelope: 3
        case .invalidUTF8: 4
        case .unknownMessageType: 5
        case .topicMismatch: 6
        case .invalidReportBatch: 7
        case .unsupportedProtocolVersion: 8
        }
    }

    private func caseIndex(_ r: IngestRejection) -> Int {
        switch r {
        case .wire: 0
        case .missingWorkerIdentity: 1
        case .sequenceZero: 2
        case .emptyReport: 3
        case .report: 4
        case .unknownCategory: 5
        case .outOfWindow: 6
        case .unexpectedTopic: 7
        case .duplicate: 8
        case .authentication: 9
        case .retiredIncarnation: 10
        }
    }
}
