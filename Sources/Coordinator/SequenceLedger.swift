/// Which of one incarnation's report sequence numbers have been received.
///
/// Reports are merged the moment they arrive, in any order, so the ledger
/// keeps a contiguous watermark plus the set received above it. Everything at
/// or below the watermark, or in the set, is a duplicate.
public struct SequenceLedger: Sendable, Equatable, Codable {
    public enum Admission: Sendable, Equatable {
        /// First sight: merge it.
        case new
        /// Already received: acknowledge again, merge nothing.
        case duplicate
        /// Too far ahead of the watermark to track; neither merged nor
        /// acknowledged, so the worker sends it again later.
        case outOfWindow
    }

    /// Every sequence number up to and including this one is settled.
    public private(set) var contiguousThrough: UInt64 = 0
    private var receivedAbove: Set<UInt64> = []
    /// How far above the watermark a sequence number may run. Bounds memory
    /// when a gap never fills.
    public let window: UInt64

    public init(window: UInt64 = 1 << 16) {
        self.window = window
    }

    /// A ledger with every sequence number through `contiguousThrough` settled and none
    /// above: what a retired incarnation's record stands for.
    public init(settledThrough contiguousThrough: UInt64, window: UInt64 = 1 << 16) {
        self.window = window
        self.contiguousThrough = contiguousThrough
    }

    /// No gap is open: nothing received waits for a lower number.
    public var isSettled: Bool { receivedAbove.isEmpty }

    /// The highest sequence number received.
    public var highestReceived: UInt64 { receivedAbove.max() ?? contiguousThrough }

    /// Admits `sequence` after settling below `floor` (a report's `resend_floor`; 0 for none).
    public mutating func admit(_ sequence: UInt64, settlingBelow floor: UInt64) -> Admission {
        if floor > 0 { settle(below: floor) }
        return admit(sequence)
    }

    public mutating func admit(_ sequence: UInt64) -> Admission {
        // The common case, reports arriving in order with no gap open: no set operation.
        if sequence == contiguousThrough + 1, receivedAbove.isEmpty {
            contiguousThrough = sequence
            return .new
        }
        if sequence <= contiguousThrough || receivedAbove.contains(sequence) {
            return .duplicate
        }
        if sequence - contiguousThrough > window {
            return .outOfWindow
        }
        receivedAbove.insert(sequence)
        compact()
        return .new
    }

    /// The worker promises never to send a sequence number below `floor` again
    /// (all were acknowledged or abandoned), so gaps below it are closed.
    public mutating func settle(below floor: UInt64) {
        guard floor > contiguousThrough + 1 else { return }
        contiguousThrough = floor - 1
        receivedAbove = receivedAbove.filter { $0 > contiguousThrough }
        compact()
    }

    /// Received sequence numbers above the watermark, lowest first, at most `limit`.
    public func selectiveAcknowledgements(limit: Int) -> [UInt64] {
        Array(receivedAbove.sorted().prefix(limit))
    }

    private enum CodingKeys: String, CodingKey {
        case contiguousThrough, receivedAbove, window
    }

    /// Sorted, so that equal ledgers encode to equal bytes whatever the set's history.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(contiguousThrough, forKey: .contiguousThrough)
        try container.encode(receivedAbove.sorted(), forKey: .receivedAbove)
        try container.encode(window, forKey: .window)
    }

    private mutating func compact() {
        while receivedAbove.remove(contiguousThrough + 1) != nil {
            contiguousThrough += 1
        }
    }
}
