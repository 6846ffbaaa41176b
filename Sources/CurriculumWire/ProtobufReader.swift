import SwiftProtobuf

/// A cursor over protobuf binary data that follows SwiftProtobuf's `BinaryDecoder`
/// (version 1.x) rule for rule, fault for fault: what it accepts, what it skips, and which
/// `BinaryDecodingError` it throws first for a bad input. ``ReportFrameDecoder``,
/// ``AcksFrameDecoder`` and ``PolicyFrameDecoder`` read frames with it and must refuse
/// exactly what the generated code refuses; their differential tests (a fuzzer against
/// `WireCodec.decode` each) check that.
///
/// The rules that matter, as SwiftProtobuf has them:
/// - A tag is read from at most 5 bytes (the fifth at most 15); a wire type of 6 or 7, field
///   number 0 or an end-group tag outside a group is `malformedProtobuf`.
/// - A varint is at most 10 bytes (bits beyond 64 are dropped); running out of input in its
///   first byte is `truncated`, in a later one `malformedProtobuf`.
/// - A known length-delimited field of 2^31 - 1 bytes or more is `malformedProtobuf`, one
///   longer than the input `truncated`; an unknown one is only checked against the input,
///   and a packed `double` field's length must also be a multiple of 8 (else `truncated`).
/// - Unknown fields, and known ones with another wire type, are skipped whole; a group is
///   skipped to its matching end-group tag, whose tags are read as plain varints.
/// - Messages and groups nest at most `BinaryDecodingOptions.messageDepthLimit` deep,
///   counting the outermost message (`messageDepthLimit`).
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0, fixed64, lengthDelimited, startGroup, endGroup, fixed32
    }

    struct Tag {
        var field: Int
        var wireType: WireType
    }

    /// SwiftProtobuf's default nesting limit; the decoders here have no way to change it.
    static let depthLimit = BinaryDecodingOptions().messageDepthLimit

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    /// How many more messages or groups may be entered below this point.
    private var depthBudget: Int

    /// A reader for the outermost message in `bytes`; entering it takes one level.
    static func outermost(_ bytes: UnsafeRawBufferPointer) throws(BinaryDecodingError) -> ProtobufReader {
        try ProtobufReader(bytes, depthBudget: depthLimit)
    }

    /// Enters a message in `bytes` with `depthBudget` levels left.
    private init(_ bytes: UnsafeRawBufferPointer, depthBudget: Int) throws(BinaryDecodingError) {
        guard depthBudget > 0 else { throw .messageDepthLimit }
        self.bytes = bytes
        self.depthBudget = depthBudget - 1
    }

    @inline(__always)
    var isAtEnd: Bool { position == bytes.count }

    /// The next field's tag. Call only when not at the end.
    @inline(__always)
    mutating func tag() throws(BinaryDecodingError) -> Tag {
        let available = bytes.count - position
        let first = bytes[position]
        guard let wireType = WireType(rawValue: first & 7) else { throw .malformedProtobuf }
        var field = Int(first & 0x7F) >> 3
        var length = 1
        if first & 0x80 != 0 {
            // Continuation bytes add 7 bits each from bit 4; the fifth may hold 4 bits only.
            var shift = 4
            while true {
                guard available > length else { throw .malformedProtobuf }
                let byte = bytes[position + length]
                length += 1
                if length == 5 {
                    guard byte <= 15 else { throw .malformedProtobuf }
                    field |= Int(byte) << 25
                    break
                }
                field |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
        }
        position += length
        // An end-group tag is only valid inside a group, and groups are only ever skipped.
        guard field != 0, wireType != .endGroup else { throw .malformedProtobuf }
        return Tag(field: field, wireType: wireType)
    }

    @inline(__always)
    mutating func varint() throws(BinaryDecodingError) -> UInt64 {
        guard position < bytes.count else { throw .truncated }
        var byte = bytes[position]
        position += 1
        if byte < 0x80 { return UInt64(byte) }
        var value = UInt64(byte & 0x7F)
        var shift: UInt64 = 7
        while true {
            guard position < bytes.count, shift <= 63 else { throw .malformedProtobuf }
            byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) &<< shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    @inline(__always)
    mutating func fixed64() throws(BinaryDecodingError) -> UInt64 {
        guard bytes.count - position >= 8 else { throw .truncated }
        defer { position += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    @inline(__always)
    mutating func double() throws(BinaryDecodingError) -> Double {
        try Double(bitPattern: fixed64())
    }

    /// The body of a known length-delimited field.
    @inline(__always)
    mutating func lengthDelimited() throws(BinaryDecodingError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length < 0x7FFF_FFFF else { throw .malformedProtobuf }
        guard length <= UInt64(bytes.count - position) else { throw .truncated }
        defer { position += Int(length) }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + Int(length)])
    }

    /// A string field's value, refused unless it is valid UTF-8.
    @inline(__always)
    mutating func string() throws(BinaryDecodingError) -> String {
        let body = try lengthDelimited()
        // Names are nearly always ASCII, which is valid UTF-8 as it is: checking that is a
        // fraction of what the general validation costs per string.
        if Self.isASCII(body) { return String(decoding: body, as: UTF8.self) }
        guard let string = String(validating: body, as: UTF8.self) else { throw .invalidUTF8 }
        return string
    }

    /// A string field's bytes, checked as `string()` checks them, without making a `String`
    /// of them when they are ASCII.
    mutating func utf8() throws(BinaryDecodingError) -> UnsafeRawBufferPointer {
        let body = try lengthDelimited()
        guard Self.isASCII(body) || String(validating: body, as: UTF8.self) != nil else { throw .invalidUTF8 }
        return body
    }

    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// A reader for an embedded message, one level deeper.
    @inline(__always)
    mutating func message() throws(BinaryDecodingError) -> ProtobufReader {
        try ProtobufReader(lengthDelimited(), depthBudget: depthBudget)
    }

    /// Appends the values of a packed repeated `double` field. SwiftProtobuf checks its
    /// length differently from other length-delimited fields: any length that is not a
    /// whole number of doubles, or runs past the input, is `truncated`.
    mutating func packedDoubles(into values: inout [Double]) throws(BinaryDecodingError) {
        let length = try varint()
        guard length > 0 else { return }
        guard length % 8 == 0, length <= UInt64(bytes.count - position) else { throw .truncated }
        let count = Int(length / 8)
        values.reserveCapacity(values.count + count)
        for _ in 0..<count { values.append(try double()) }
    }

    /// A reader over a packed repeated field's values: not a message, so no deeper.
    mutating func packed() throws(BinaryDecodingError) -> ProtobufReader {
        ProtobufReader(packing: try lengthDelimited(), depthBudget: depthBudget)
    }

    private init(packing bytes: UnsafeRawBufferPointer, depthBudget: Int) {
        self.bytes = bytes
        self.depthBudget = depthBudget
    }

    /// Skips the field that `tag` began: unknown, or known under another wire type.
    mutating func skip(_ tag: Tag) throws(BinaryDecodingError) {
        switch tag.wireType {
        case .varint:
            _ = try varint()
        case .fixed64:
            try advance(by: 8)
        case .fixed32:
            try advance(by: 4)
        case .lengthDelimited:
            let length = try varint()
            guard length <= UInt64(bytes.count - position) else { throw .truncated }
            position += Int(length)
        case .startGroup:
            guard depthBudget > 0 else { throw .messageDepthLimit }
            depthBudget -= 1
            while true {
                // Inside a group SwiftProtobuf reads tags as plain varints, not as `tag()` does.
                guard position < bytes.count else { throw .truncated }
                let raw = try varint()
                guard raw < UInt64(UInt32.max), raw >> 3 != 0, let wireType = WireType(rawValue: UInt8(raw & 7)) else {
                    throw .malformedProtobuf
                }
                let inner = Tag(field: Int(raw >> 3), wireType: wireType)
                if inner.wireType == .endGroup {
                    guard inner.field == tag.field else { throw .malformedProtobuf }
                    depthBudget += 1
                    return
                }
                try skip(inner)
            }
        case .endGroup:
            // `tag()` refuses end-group tags and the group loop takes its own; SwiftProtobuf
            // answers one that got here with this.
            throw .truncated
        }
    }

    private mutating func advance(by count: Int) throws(BinaryDecodingError) {
        guard bytes.count - position >= count else { throw .truncated }
        position += count
    }
}
