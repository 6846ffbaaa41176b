import SwiftProtobuf

/// Tells whether a `WorkerIdentity` read from a frame equals one worker's, as the
/// generated `==` of `Wire.WorkerIdentity` would after a full decode, without making a
/// `String` of every name it reads.
///
/// Equal means: the same `worker_id` as a `String` (canonically equivalent names are equal,
/// so bytes alone decide only when both names are ASCII), the same incarnation, and no
/// unknown fields (the generated `==` compares those too; a known field under another wire
/// type is one). A repeated `worker` merges, as in SwiftProtobuf: the last `worker_id` and
/// incarnation win, and unknown fields add up.
struct WorkerMatcher {
    /// What was read of one identity.
    struct Candidate {
        var workerID = UnsafeRawBufferPointer(start: nil, count: 0)
        var incarnation: UInt64 = 0
        var hasUnknownFields = false
    }

    private let workerID: String
    private let workerIDBytes: [UInt8]
    private let workerIDIsASCII: Bool
    private let incarnation: UInt64

    init(_ worker: ReportFrame.Worker) {
        workerID = worker.workerID
        workerIDBytes = Array(worker.workerID.utf8)
        workerIDIsASCII = workerIDBytes.allSatisfy { $0 < 0x80 }
        incarnation = worker.incarnation
    }

    /// Reads a `WorkerIdentity` message into `candidate`, checking it as the general decoder does.
    static func read(_ reader: inout ProtobufReader, into candidate: inout Candidate) throws(BinaryDecodingError) {
        while !reader.isAtEnd {
            let tag = try reader.tag()
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                candidate.workerID = try reader.utf8()
            case (2, .varint):
                candidate.incarnation = try reader.varint()
            default:
                try reader.skip(tag)
                candidate.hasUnknownFields = true
            }
        }
    }

    func matches(_ candidate: Candidate) -> Bool {
        guard !candidate.hasUnknownFields, candidate.incarnation == incarnation else { return false }
        if candidate.workerID.elementsEqual(workerIDBytes) { return true }
        if workerIDIsASCII, ProtobufReader.isASCII(candidate.workerID) { return false }
        // Read valid as UTF-8 already, so decoding repairs nothing.
        return String(decoding: candidate.workerID, as: UTF8.self) == workerID
    }
}
