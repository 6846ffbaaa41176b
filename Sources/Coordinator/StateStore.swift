import Foundation
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The coordinator's state directory: `snapshot.json` plus the journal of every change
/// since, `journal-<generation>.log`.
///
/// Why a journal and snapshots rather than SQLite: every change is already a small
/// record produced in order by one writer (the coordinator actor), recovery is "load the
/// snapshot, replay the journal" through the same code the live path runs, and a batch
/// of reports becomes durable with one `write` and one `fdatasync` before any of them is
/// acknowledged. A database would add a schema mapping for the policy's state and a
/// dependency, and buy nothing this access pattern needs.
///
/// When the journal outgrows ``compactionBytes`` a new snapshot is written atomically
/// (temporary file, `fsync`, `rename`, directory `fsync`) with the next generation, and
/// the old journal is removed. A crash at any point leaves a snapshot whose generation
/// names the only journal that applies to it.
final class StateStore {
    static let snapshotName = "snapshot.json"

    let directory: String
    let compactionBytes: Int
    private(set) var journal: StateJournal
    /// The refused commits since the last one the disk took.
    var writeFailures = StateWriteFailureStreak()
    /// The newest policy frame sent while every change it reflects was durable: what the
    /// coordinator repeats while the disk refuses commits.
    var lastDurablePolicyFrame: [UInt8]?

    private init(directory: String, journal: StateJournal, compactionBytes: Int) {
        self.directory = directory
        self.journal = journal
        self.compactionBytes = compactionBytes
    }

    /// Opens `directory`, creating it if needed, and returns the state to serve from:
    /// the saved one with its journal replayed, or `fresh()` saved as the first snapshot.
    static func open(
        directory: String,
        compactionBytes: Int = 64 << 20,
        fresh: () throws -> CoordinatorState,
        restore: (CoordinatorSnapshot) -> CoordinatorState,
        at now: ContinuousClock.Instant
    ) throws -> (StateStore, CoordinatorState, StateRecovery) {
        try createDirectory(directory)
        let snapshotPath = directory + "/" + snapshotName
        guard let snapshot = try readSnapshot(snapshotPath) else {
            let state = try fresh()
            let generation: UInt64 = 1
            try writeSnapshot(state.snapshot(journalGeneration: generation), directory: directory)
            let journal = try StateJournal(
                path: journalPath(directory, generation), generation: generation, validBytes: nil, records: 0)
            try removeJournals(in: directory, except: generation)
            let store = StateStore(directory: directory, journal: journal, compactionBytes: compactionBytes)
            return (store, state, StateRecovery(resumed: false, generation: generation, changesReplayed: 0, tornBytes: 0))
        }
        var state = restore(snapshot)
        let generation = snapshot.journalGeneration
        let path = journalPath(directory, generation)
        let contents = try StateJournal.read(path: path)
        for change in contents?.changes ?? [] {
            do {
                try state.apply(change, at: now)
            } catch {
                throw StateStoreError.corrupt(path: path, reason: "\(error)")
            }
        }
        let journal = try StateJournal(
            path: path, generation: generation, validBytes: contents?.validBytes,
            records: contents?.changes.count ?? 0)
        try removeJournals(in: directory, except: generation)
        let store = StateStore(directory: directory, journal: journal, compactionBytes: compactionBytes)
        let recovery = StateRecovery(
            resumed: true, generation: generation, changesReplayed: contents?.changes.count ?? 0,
            tornBytes: contents.map { $0.fileBytes - $0.validBytes } ?? 0)
        return (store, state, recovery)
    }

    func append(_ change: StateChange) {
        journal.append(change)
    }

    var hasPending: Bool { journal.hasPending }

    /// Makes every appended change durable, then compacts if the journal grew too long.
    func commit(_ state: @autoclosure () -> CoordinatorState) throws(StateStoreError) {
        try journal.commit()
        if journal.committedBytes >= compactionBytes {
            try compact(state())
        }
    }

    /// Saves `state` as the next generation's snapshot and starts its empty journal.
    /// Nothing may be pending: the snapshot must contain every committed change.
    func compact(_ state: CoordinatorState) throws(StateStoreError) {
        try journal.commit()
        let generation = journal.generation + 1
        try Self.writeSnapshot(state.snapshot(journalGeneration: generation), directory: directory)
        journal = try StateJournal(
            path: Self.journalPath(directory, generation), generation: generation, validBytes: nil, records: 0)
        try Self.removeJournals(in: directory, except: generation)
    }

    // MARK: - Reading without writing

    /// The state a directory holds, its journal replayed, without changing any file:
    /// safe while a coordinator is writing to it.
    static func load(directory: String, lease: Duration = .seconds(10)) throws -> CoordinatorSnapshot {
        let snapshotPath = directory + "/" + snapshotName
        // A compaction between reading the snapshot and its journal would pair a snapshot
        // with a journal that is gone; read again until the generation holds still.
        for _ in 0..<10 {
            guard let snapshot = try readSnapshot(snapshotPath) else {
                throw StateStoreError.corrupt(path: snapshotPath, reason: "no snapshot: not a coordinator state directory")
            }
            let now = ContinuousClock.now
            var state = CoordinatorState(restoring: snapshot, lease: lease, sequenceWindow: SequenceLedger().window, at: now)
            let path = journalPath(directory, snapshot.journalGeneration)
            for change in try StateJournal.read(path: path)?.changes ?? [] {
                do {
                    try state.apply(change, at: now)
                } catch {
                    throw StateStoreError.corrupt(path: path, reason: "\(error)")
                }
            }
            if try readSnapshot(snapshotPath)?.journalGeneration == snapshot.journalGeneration {
                return state.snapshot(journalGeneration: snapshot.journalGeneration)
            }
        }
        throw StateStoreError.corrupt(path: directory, reason: "the state kept changing while it was read")
    }

    /// Replaces whatever `directory` holds with `snapshot`, for `curriculum snapshot import`.
    static func install(_ snapshot: CoordinatorSnapshot, directory: String) throws(StateStoreError) {
        try createDirectory(directory)
        var installed = snapshot
        let generation = (try? readSnapshot(directory + "/" + snapshotName))?.journalGeneration ?? 0
        installed.journalGeneration = max(generation, snapshot.journalGeneration) + 1
        try writeSnapshot(installed, directory: directory)
        try removeJournals(in: directory, except: installed.journalGeneration)
    }

    // MARK: - Files

    static func journalPath(_ directory: String, _ generation: UInt64) -> String {
        "\(directory)/journal-\(generation).log"
    }

    private static func readSnapshot(_ path: String) throws(StateStoreError) -> CoordinatorSnapshot? {
        switch readFile(path) {
        case .success(let bytes): return try CoordinatorSnapshot.decode(Data(bytes), path: path)
        case .failure(.system(_, _, let code)) where code == ENOENT: return nil
        case .failure(let error): throw error
        }
    }

    private static func writeSnapshot(_ snapshot: CoordinatorSnapshot, directory: String) throws(StateStoreError) {
        let data = try snapshot.encoded()
        let path = directory + "/" + snapshotName
        let temporary = path + ".tmp"
        let descriptor = openFile(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .system("open", path: temporary, errno: errno) }
        let failure: (call: String, errno: Int32)?
        do {
            try FileDescriptor(rawValue: descriptor).writeAll(data)
            failure = fsync(descriptor) == 0 ? nil : ("fsync", errno)
        } catch {
            failure = ("write", (error as? Errno)?.rawValue ?? EIO)
        }
        close(descriptor)
        if let failure { throw .system(failure.call, path: temporary, errno: failure.errno) }
        guard rename(temporary, path) == 0 else { throw .system("rename", path: path, errno: errno) }
        try syncDirectory(directory)
    }

    private static func removeJournals(in directory: String, except generation: UInt64) throws(StateStoreError) {
        let keep = "journal-\(generation).log"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix("journal-") && name.hasSuffix(".log") && name != keep {
            guard unlink(directory + "/" + name) == 0 || errno == ENOENT else {
                throw .system("unlink", path: directory + "/" + name, errno: errno)
            }
        }
        try syncDirectory(directory)
    }

    private static func syncDirectory(_ directory: String) throws(StateStoreError) {
        let descriptor = openFile(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .system("open", path: directory, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .system("fsync", path: directory, errno: errno) }
    }

    private static func createDirectory(_ directory: String) throws(StateStoreError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .corrupt(path: directory, reason: "exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .corrupt(path: directory, reason: "cannot create it: \(error)")
        }
    }
}
