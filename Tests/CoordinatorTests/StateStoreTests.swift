@testable import Coordinator
import Curriculum
import CurriculumTestSupport
import Foundation
import Testing

/// The state directory: what is committed comes back exactly, what is not does not,
/// a torn write is dropped, and snapshots move state between directories.
@Suite struct StateStoreTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "curriculum-state-\(UUID().uuidString)").path
    }

    static let lease = Duration.seconds(10)
    static let categories = ["easy", "medium", "hard"]

    static func fresh() throws -> CoordinatorState {
        var state = CoordinatorState(
            curriculum: try Curriculum(policy: .sec(.init(alpha: 0.3, tau: 0.5))), lease: lease,
            sequenceWindow: 1 << 16)
        for category in categories { state.register(category) }
        return state
    }

    func open(compactionBytes: Int = 64 << 20) throws -> (StateStore, CoordinatorState, StateRecovery) {
        try StateStore.open(
            directory: directory, compactionBytes: compactionBytes, fresh: Self.fresh,
            restore: { CoordinatorState(restoring: $0, lease: Self.lease, sequenceWindow: 1 << 16, at: .now) },
            at: .now)
    }

    /// The state as JSON, the form in which two states are compared.
    static func document(_ state: CoordinatorState, generation: UInt64 = 0) throws -> String {
        var snapshot = state.snapshot(journalGeneration: generation, savedAt: Date(timeIntervalSince1970: 0))
        snapshot.journalGeneration = generation
        return String(decoding: try snapshot.encoded(), as: UTF8.self)
    }

    /// Drives a state the way the coordinator does, journaling every change: reports from
    /// a few workers (some resent, some out of order, some too stale or invalid), heartbeats,
    /// joins, leaves, new categories and version advances.
    struct Driver {
        var random: TestRandom
        var next: [WorkerKey: UInt64] = [:]
        let workers = (0..<4).map { WorkerKey(workerID: "w\($0 % 3)", incarnation: UInt64($0 + 1)) }

        mutating func step(_ state: inout CoordinatorState, _ store: StateStore) {
            let worker = workers[Int.random(in: 0..<workers.count, using: &random)]
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<70:
                let fresh = next[worker, default: 1]
                // Now and then a resend of an old number, or one that skips ahead.
                let sequence = Bool.random(using: &random) && fresh > 3
                    ? UInt64.random(in: 1..<fresh, using: &random)
                    : fresh + (Int.random(in: 0..<10, using: &random) == 0 ? 2 : 0)
                next[worker] = max(fresh, sequence + 1)
                let version = max(0, state.curriculum.version - Int.random(in: 0..<4, using: &random))
                let category = Int.random(in: 0..<10, using: &random) == 0
                    ? "new-\(Int.random(in: 0..<3, using: &random))"
                    : StateStoreTests.categories[Int.random(in: 0..<3, using: &random)]
                let count = Int.random(in: 0..<20, using: &random)
                let sum = Double(count) * Double.random(in: 0..<1, using: &random)
                let report = MergedReport(
                    worker: worker, sequence: sequence, resendFloor: 0, policyVersion: version, stepShare: 0.25,
                    categories: [CategoryReport(
                        category: category, count: count,
                        sumAbsAdvantage: Int.random(in: 0..<25, using: &random) == 0 ? -1 : sum,
                        sumSquaredAdvantage: sum, sumReward: sum / 2, version: version, share: 0.25)])
                guard state.preview(worker, sequence: sequence, settlingBelow: 0).admission == .new else { return }
                if (try? state.apply(.merged(report), acceptingNewCategories: true, at: .now)) != nil {
                    store.append(.merged(report))
                } else {
                    Self.record(.rejected(worker, sequence: sequence, resendFloor: 0), &state, store)
                }
            case 70..<78:
                let floor = next[worker, default: 1]
                if state.preview(worker, sequence: floor, settlingBelow: floor).watermarkMoves {
                    Self.record(.settled(worker, floor: floor), &state, store)
                }
            case 78..<90:
                Self.record(.advanced(version: state.curriculum.version + 1), &state, store)
            case 90..<94:
                let category = "joined-\(Int.random(in: 0..<5, using: &random))"
                if !state.knownCategories.contains(category) {
                    Self.record(.registered(category: category), &state, store)
                }
            case 94..<98:
                Self.record(.joined(worker, hostname: "host", stepShare: 0.25), &state, store)
            default:
                Self.record(.left(worker), &state, store)
            }
        }

        /// Applies a change the state cannot refuse and journals it, as the engine does.
        static func record(_ change: StateChange, _ state: inout CoordinatorState, _ store: StateStore) {
            try! state.apply(change, acceptingNewCategories: true, at: .now)
            store.append(change)
        }
    }

    @Test(arguments: [64 << 20, 2048])
    func reopeningGivesBackEveryCommittedChange(compactionBytes: Int) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (store, state, recovery) = try open(compactionBytes: compactionBytes)
        #expect(!recovery.resumed)
        var driver = Driver(random: TestRandom(seed: 7))
        for round in 0..<2_000 {
            driver.step(&state, store)
            if round % 17 == 0 { try store.commit(state) }
        }
        try store.commit(state)
        let live = try Self.document(state)

        let (_, reopened, second) = try open(compactionBytes: compactionBytes)
        #expect(second.resumed)
        #expect(try Self.document(reopened) == live)
        if compactionBytes < 64 << 20 {
            #expect(second.generation > 2, "the small journal limit should have compacted several times")
        }
        #expect(state.curriculum.totals.values.reduce(0) { $0 + $1.reports } > 500)
        withExtendedLifetime(store) {}
    }

    @Test func uncommittedChangesDoNotSurviveAndTheStateStaysConsistent() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (store, state, _) = try open()
        var driver = Driver(random: TestRandom(seed: 11))
        for _ in 0..<300 { driver.step(&state, store) }
        try store.commit(state)
        let committed = try Self.document(state)
        for _ in 0..<300 { driver.step(&state, store) }
        #expect(try Self.document(state) != committed)

        // As after a crash: the pending changes never reached the file.
        let (_, reopened, _) = try open()
        #expect(try Self.document(reopened) == committed)
        withExtendedLifetime(store) {}
    }

    @Test func aTornLastRecordIsDroppedAndAppendingContinuesAfterIt() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (store, state, _) = try open()
        var driver = Driver(random: TestRandom(seed: 3))
        for _ in 0..<200 { driver.step(&state, store) }
        try store.commit(state)
        let committed = try Self.document(state)
        let journal = StateStore.journalPath(directory, store.journal.generation)
        let records = store.journal.committedRecords

        // Half a record, as a crash in the middle of write(2) leaves it.
        var torn = RecordWriter()
        StateChange.advanced(version: 1_000).encode(into: &torn)
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: [UInt8(torn.bytes.count + 4), 0, 0, 0, 1, 2] + torn.bytes.prefix(3))
        try handle.close()

        var (reopenedStore, reopened, recovery) = try open()
        #expect(recovery.changesReplayed == records)
        #expect(recovery.tornBytes == 9)
        #expect(try Self.document(reopened) == committed)

        for _ in 0..<100 { driver.step(&reopened, reopenedStore) }
        try reopenedStore.commit(reopened)
        let (_, again, _) = try open()
        #expect(try Self.document(again) == Self.document(reopened))
        withExtendedLifetime((store, reopenedStore)) {}
    }

    @Test func aDamagedSnapshotIsRefusedWithItsPath() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try open()
        let path = directory + "/" + StateStore.snapshotName
        try Data("{\"format\": 1, \"curriculum\": ".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try open()
        } throws: { error in
            guard case .corrupt(let where_, _) = error as? StateStoreError else { return false }
            return where_ == path
        }
    }

    @Test func exportedSnapshotsImportIntoAnotherDirectory() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (store, state, _) = try open()
        var driver = Driver(random: TestRandom(seed: 5))
        for _ in 0..<500 { driver.step(&state, store) }
        try store.commit(state)

        // Exported from the live directory, uncompacted journal included.
        var exported = try CoordinatorSnapshot(stateDirectory: directory)
        exported.trainerStep = 120
        let file = try CoordinatorSnapshot.decode(exported.encoded(), path: "export.json")
        #expect(file.trainerStep == 120)
        #expect(file.policyVersion == state.curriculum.version)

        let other = directory + "-imported"
        defer { try? FileManager.default.removeItem(atPath: other) }
        try file.install(stateDirectory: other)
        let (_, imported, recovery) = try StateStore.open(
            directory: other, fresh: Self.fresh,
            restore: { CoordinatorState(restoring: $0, lease: Self.lease, sequenceWindow: 1 << 16, at: .now) },
            at: .now)
        #expect(recovery.resumed)
        #expect(try Self.document(imported) == Self.document(state))
        var a = imported, b = state
        #expect(a.distribution() == b.distribution())
        withExtendedLifetime(store) {}
    }

    @Test func everyKindOfChangeSurvivesItsBinaryForm() throws {
        let worker = WorkerKey(workerID: "wörker-ü", incarnation: .max)
        let changes: [StateChange] = [
            .merged(MergedReport(
                worker: worker, sequence: 9, resendFloor: 4, policyVersion: 12, stepShare: 0.125,
                categories: [
                    CategoryReport(category: "a", count: 3, sumAbsAdvantage: 1.5, sumSquaredAdvantage: .ulpOfOne,
                                   sumReward: -2, version: 12, share: 0.125),
                    CategoryReport(category: "", count: 0, sumAbsAdvantage: 0, sumSquaredAdvantage: 0,
                                   sumReward: 0, version: 12, share: 0.125),
                ])),
            // Group counts present (one of them 0), absent, or only one of the two.
            .merged(MergedReport(
                worker: worker, sequence: 11, resendFloor: 4, policyVersion: 12, stepShare: 0.5,
                categories: [
                    CategoryReport(category: "a", count: 16, sumAbsAdvantage: 1.5, sumSquaredAdvantage: 1,
                                   sumReward: 8, version: 12, share: 0.5, groups: 2, zeroVarianceGroups: 0),
                    CategoryReport(category: "b", count: 8, sumAbsAdvantage: 1, sumSquaredAdvantage: 1,
                                   sumReward: 2, version: 12, share: 0.5),
                    CategoryReport(category: "c", count: 8, sumAbsAdvantage: 1, sumSquaredAdvantage: 1,
                                   sumReward: 2, version: 12, share: 0.5, groups: 1),
                ])),
            .rejected(worker, sequence: 10, resendFloor: 0),
            .settled(worker, floor: 77),
            .advanced(version: 1 << 40),
            .registered(category: "level/5"),
            .joined(worker, hostname: "gpu-node-17", stepShare: 1),
            .left(worker),
        ]
        // A report without group counts keeps the format journals had before them (kind 1).
        var plain = RecordWriter()
        changes[0].encode(into: &plain)
        #expect(plain.bytes.first == 1)
        for change in changes {
            var writer = RecordWriter()
            change.encode(into: &writer)
            var reader = RecordReader(writer.bytes[...])
            #expect(try StateChange(from: &reader) == change)
            // Any cut short is refused, never misread.
            for length in 0..<writer.bytes.count {
                var short = RecordReader(writer.bytes[..<length])
                #expect(throws: RecordReader.Malformed.self) { try StateChange(from: &short) }
            }
        }
    }
}
