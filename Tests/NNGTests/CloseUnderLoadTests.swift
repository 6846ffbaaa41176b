import CurriculumTestSupport
import Foundation
import NNG
import Synchronization
import Testing

/// libnng 1.5.2 can leave its reaper waiting forever when a connection is closed while a
/// message is arriving on it (nanomsg/nng#1813; see `Socket+ClosingConnections.swift`).
/// After that every `nng_close` in the process blocks and no dialer reconnects, so this
/// closes subscribers mid-flood, again and again, and checks each close returns.
@Suite("Closing under load")
struct CloseUnderLoadTests {
    static let rounds = 200

    @Test("subscribers closed while a publisher floods them all close", arguments: [Transport.ipc, .tcp])
    func closeWhileFlooded(transport: Transport) async throws {
        let publisher = try Socket(.publisher)
        defer { publisher.closeInBackground() }
        let url = try transport.listen(publisher)
        // A thread of its own keeps messages arriving whenever a subscriber closes.
        let flooding = Flag(true)
        Thread.detachNewThread {
            let message = [UInt8](repeating: 0x2A, count: 200)
            while flooding.isSet { _ = try? publisher.trySend(message) }
        }
        defer { flooding.isSet = false }

        for round in 1...Self.rounds {
            let subscriber = try Socket(.subscriber)
            try subscriber.subscribe(to: "")
            try subscriber.setReceiveTimeout(.seconds(10))
            try subscriber.dial(url)
            _ = try await subscriber.receive()
            // Closed on a thread of its own, so a close that never returns fails this test
            // instead of blocking one of the few cooperative threads for good.
            let closed = Flag(false)
            Thread.detachNewThread {
                subscriber.close()
                closed.isSet = true
            }
            let returned = await eventually(within: .seconds(30)) { closed.isSet }
            #expect(returned, "round \(round) of \(Self.rounds): nng_close did not return within 30 s")
            if !returned { return }
        }
    }
}

/// A flag threads share.
private final class Flag: Sendable {
    private let value: Atomic<Bool>
    init(_ value: Bool) { self.value = Atomic(value) }
    var isSet: Bool {
        get { value.load(ordering: .acquiring) }
        set { value.store(newValue, ordering: .releasing) }
    }
}
