import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file of ``StateChange`` records.
///
/// Each record is `length (u32) | CRC-32 of the payload (u32) | payload`, little-endian,
/// after a header naming the format and the journal's generation. Records are buffered
/// by ``append(_:)`` and made durable together by ``commit()`` (one `write` and one
/// `fdatasync`), so a batch of reports costs one disk flush. A crash mid-write leaves a
/// torn last record, which the CRC exposes; recovery drops it and truncates the file.
final class StateJournal {
    static let magic: [UInt8] = Array("CURJ".utf8)
    static let formatVersion: UInt32 = 1
    static let headerSize = 16

    let path: String
    let generation: UInt64
    private let descriptor: Int32
    private var pending = RecordWriter()
    private(set) var pendingRecords = 0
    /// Bytes in the file, header included, as of the last commit.
    private(set) var committedBytes: Int
    private(set) var committedRecords: Int

    /// Opens the journal for appending, creating it if missing. `validBytes` (from
    /// ``read(path:)``) cuts off a torn tail first.
    init(path: String, generation: UInt64, validBytes: Int?, records: Int) throws(StateStoreError) {
        self.path = path
        self.generation = generation
        descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .system("open", path: path, errno: errno) }
        committedRecords = records
        if let validBytes {
            committedBytes = validBytes
            guard ftruncate(descriptor, off_t(validBytes)) == 0 else {
                let code = errno
                close(descriptor)
                throw .system("ftruncate", path: path, errno: code)
            }
        } else {
            var header = RecordWriter()
            header.bytes.append(contentsOf: Self.magic)
            header.write(Self.formatVersion)
            header.write(generation)
            committedBytes = 0
            guard ftruncate(descriptor, 0) == 0 else {
                let code = errno
                close(descriptor)
                throw .system("ftruncate", path: path, errno: code)
            }
            pending = header
        }
        guard lseek(descriptor, off_t(committedBytes), SEEK_SET) >= 0 else {
            let code = errno
            close(descriptor)
            throw .system("lseek", path: path, errno: code)
        }
        if validBytes == nil { try commit() }
    }

    deinit {
        close(descriptor)
    }

    var hasPending: Bool { !pending.bytes.isEmpty }

    func append(_ change: StateChange) {
        let start = pending.bytes.count
        pending.write(UInt32(0))
        pending.write(UInt32(0))
        change.encode(into: &pending)
        let length = UInt32(pending.bytes.count - start - 8)
        // Read and patched in place: a slice of `pending` alive across the patch would make
        // it copy the whole pending buffer, every record, quadratic in a commit's size.
        let crc = pending.bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + 8)...])) }
        pending.bytes.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: length.littleEndian, toByteOffset: start, as: UInt32.self)
            bytes.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
        pendingRecords += 1
    }

    /// Writes everything appended since the last commit and waits until it is on disk.
    /// On failure the records stay pending and the file is cut back to its last
    /// committed length, so a later commit writes them whole.
    func commit() throws(StateStoreError) {
        guard hasPending else { return }
        do {
            try FileDescriptor(rawValue: descriptor).writeAll(pending.bytes)
        } catch {
            rollBack()
            throw .system("write", path: path, errno: (error as? Errno)?.rawValue ?? EIO)
        }
        guard fdatasync(descriptor) == 0 else {
            let code = errno
            rollBack()
            throw .system("fdatasync", path: path, errno: code)
        }
        committedBytes += pending.bytes.count
        committedRecords += pendingRecords
        pending.bytes.removeAll(keepingCapacity: true)
        pendingRecords = 0
    }

    private func rollBack() {
        _ = ftruncate(descriptor, off_t(committedBytes))
        _ = lseek(descriptor, off_t(committedBytes), SEEK_SET)
    }

    /// What a journal file holds: its changes in order, and how many of its bytes are
    /// whole records (less than the file when the last write was torn).
    struct Contents {
        var generation: UInt64
        var changes: [StateChange]
        var validBytes: Int
        var fileBytes: Int
    }

    /// Reads a journal; nil if the file does not exist.
    static func read(path: String) throws(StateStoreError) -> Contents? {
        let bytes: [UInt8]
        switch readFile(path) {
        case .success(let contents): bytes = contents
        case .failure(let error):
            if case .system(_, _, let code) = error, code == ENOENT { return nil }
            throw error
        }
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == magic else {
            // A crash between creating the file and writing its header leaves it short.
            if bytes.count < headerSize, magic.starts(with: bytes.prefix(4)) {
                return nil
            }
            throw .corrupt(path: path, reason: "not a curriculum journal")
        }
        var header = RecordReader(bytes[4..<headerSize])
        let version: UInt32
        let generation: UInt64
        do {
            version = try header.read()
            generation = try header.read()
        } catch {
            throw .corrupt(path: path, reason: "\(error)")
        }
        guard version == formatVersion else {
            throw .corrupt(path: path, reason: "journal format \(version), this build reads \(formatVersion)")
        }
        var changes: [StateChange] = []
        var offset = headerSize
        while bytes.count - offset >= 8 {
            var prefix = RecordReader(bytes[offset..<offset + 8])
            guard let length = try? Int(prefix.read() as UInt32), let crc: UInt32 = try? prefix.read(),
                bytes.count - offset - 8 >= length
            else { break }
            let payload = bytes[offset + 8..<offset + 8 + length]
            guard CRC32.checksum(payload) == crc else { break }
            var reader = RecordReader(payload)
            do {
                changes.append(try StateChange(from: &reader))
            } catch {
                throw .corrupt(path: path, reason: "record at byte \(offset): \(error)")
            }
            offset += 8 + length
        }
        return Contents(generation: generation, changes: changes, validBytes: offset, fileBytes: bytes.count)
    }
}

/// `open(2)`, callable where a method named `open` hides it.
func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}

/// Reads a whole file with POSIX calls, reporting errno on failure.
func readFile(_ path: String) -> Result<[UInt8], StateStoreError> {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return .failure(.system("open", path: path, errno: errno)) }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            return .failure(.system("read", path: path, errno: errno))
        }
        if count == 0 { return .success(bytes) }
        bytes.append(contentsOf: chunk[0..<count])
    }
}
