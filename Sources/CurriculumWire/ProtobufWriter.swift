/// Writes protobuf binary data into a buffer sized beforehand, byte for byte as
/// SwiftProtobuf's `BinaryEncoder` writes it: minimal varints, doubles as their
/// little-endian bit pattern (NaN payloads and -0 included), strings as their UTF-8.
struct ProtobufWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// Bytes taken by `value` as a varint.
    static func varintSize(_ value: UInt64) -> Int {
        // 7 bits per byte; zero still takes one.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    /// Bytes taken by a length-delimited field of `length` bytes with a one-byte tag.
    static func lengthDelimitedFieldSize(_ length: Int) -> Int {
        1 + varintSize(UInt64(length)) + length
    }

    mutating func byte(_ value: UInt8) {
        buffer[count] = value
        count += 1
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value > 0x7F {
            byte(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        byte(UInt8(value))
    }

    mutating func double(_ value: Double) {
        buffer.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    mutating func bytes(_ values: some Collection<UInt8>) {
        for value in values { byte(value) }
    }

    /// A string's length and UTF-8 bytes.
    mutating func string(_ value: String) {
        varint(UInt64(value.utf8.count))
        let copied: Void? = value.utf8.withContiguousStorageIfAvailable { utf8 in
            UnsafeMutableRawBufferPointer(rebasing: buffer[count...]).copyMemory(from: UnsafeRawBufferPointer(utf8))
            count += utf8.count
        }
        if copied == nil { bytes(value.utf8) }
    }
}
