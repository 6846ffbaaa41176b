/// Packets counted by iptables on the head-worker links, summed over the workers: what
/// each end sent (before any fault acts) and what reached the receiving end's stack (after
/// faults: lost packets are missing, duplicated ones counted twice).
struct WireCounters: Sendable, Equatable, CustomStringConvertible {
    struct Direction: Sendable, Equatable {
        var sent: Int = 0
        var delivered: Int = 0

        /// Sent but never delivered, as a fraction of sent (negative when duplicates outnumber losses).
        var lostFraction: Double { sent == 0 ? 0 : Double(sent - delivered) / Double(sent) }
        /// Delivered beyond what was sent, as a fraction of sent.
        var duplicatedFraction: Double { sent == 0 ? 0 : Double(delivered - sent) / Double(sent) }

        static func - (later: Direction, earlier: Direction) -> Direction {
            Direction(sent: later.sent - earlier.sent, delivered: later.delivered - earlier.delivered)
        }
    }

    var workerToHead = Direction()
    var headToWorker = Direction()

    static func - (later: WireCounters, earlier: WireCounters) -> WireCounters {
        WireCounters(workerToHead: later.workerToHead - earlier.workerToHead,
                     headToWorker: later.headToWorker - earlier.headToWorker)
    }

    var description: String {
        func text(_ direction: Direction) -> String {
            "sent \(direction.sent) delivered \(direction.delivered)"
        }
        return "workers->head \(text(workerToHead)); head->workers \(text(headToWorker))"
    }
}
