/// Appends fixed-width little-endian values and length-prefixed strings to a byte buffer.
struct RecordWriter {
    var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Double) { write(value.bitPattern) }

    mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            write(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func write(_ worker: WorkerKey) {
        write(worker.workerID)
        write(worker.incarnation)
    }
}

/// Reads what ``RecordWriter`` wrote, refusing to run past the end.
struct RecordReader {
    struct Malformed: Error, Sendable, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var isAtEnd: Bool { position == bytes.endIndex }
    var remaining: Int { bytes.endIndex - position }

    mutating func read() throws(Malformed) -> UInt8 {
        guard position < bytes.endIndex else { throw Malformed(reason: "record ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func read<T: FixedWidthInteger>() throws(Malformed) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw Malformed(reason: "record ends early") }
        var value = T.zero
        for offset in 0..<size {
            value |= T(truncatingIfNeeded: bytes[position + offset]) << (8 * offset)
        }
        position += size
        return value
    }

    mutating func read() throws(Malformed) -> Double {
        Double(bitPattern: try read() as UInt64)
    }

    mutating func read() throws(Malformed) -> String {
        let length = Int(try read() as UInt32)
        guard remaining >= length else { throw Malformed(reason: "string of \(length) bytes past the record's end") }
        defer { position += length }
        return String(decoding: bytes[position..<position + length], as: UTF8.self)
    }

    mutating func read() throws(Malformed) -> WorkerKey {
        WorkerKey(workerID: try read(), incarnation: try read())
    }
}

/// CRC-32 (IEEE 802.3, the zlib polynomial), guarding each journal record against torn writes.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
        return crc
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return ~crc
    }
}
