import CurriculumTestSupport
import Foundation
import NNG
import Testing

/// The transports every behavioural test runs over.
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inproc
    case ipc
    case tcp

    var testDescription: String { rawValue }

    /// Listens on a fresh address of this transport and returns the URL a peer should dial.
    ///
    /// inproc names and ipc paths are unique per call; tcp binds port 0 on loopback and
    /// reads back the port the kernel chose, so parallel tests never collide.
    @discardableResult
    func listen(_ socket: Socket) throws -> String {
        switch self {
        case .inproc:
            let url = "inproc://nng-tests-\(UUID().uuidString)"
            try socket.listen(url)
            return url
        case .ipc:
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("nng-tests-\(UUID().uuidString).ipc").path
            let url = "ipc://\(path)"
            try socket.listen(url)
            return url
        case .tcp:
            let listener = try socket.listen("tcp://127.0.0.1:0")
            return "tcp://127.0.0.1:\(try listener.boundPort())"
        }
    }

    /// An address of this transport that nothing listens on yet.
    func unusedURL() throws -> String {
        switch self {
        case .inproc: return "inproc://nng-tests-\(UUID().uuidString)"
        case .ipc: return "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("nng-tests-\(UUID().uuidString).ipc").path
        case .tcp:
            // Bind port 0, note the port, release it: a later listen can reuse it.
            let probe = try Socket(.publisher)
            defer { probe.close() }
            let listener = try probe.listen("tcp://127.0.0.1:0")
            return "tcp://127.0.0.1:\(try listener.boundPort())"
        }
    }
}

/// Connects `dialer` to `listener` over `transport` and returns once both ends report
/// the pipe as added, so nothing sent afterwards is lost to a slow join.
func connect(_ listener: Socket, _ dialer: Socket, over transport: Transport) async throws {
    let listenerEvents = listener.pipeEvents()
    let dialerEvents = dialer.pipeEvents()
    let url = try transport.listen(listener)
    try dialer.dial(url)
    try await withTimeout(.seconds(10), "the connection over \(transport)") {
        try await firstAdded(listenerEvents)
        try await firstAdded(dialerEvents)
    }
}

/// A publisher and a subscriber that takes every message, connected over `transport`; the
/// subscriber's receives wait at most `receiveTimeout`. The caller closes both.
func connectedPubSub(
    over transport: Transport, receiveTimeout: Duration? = .seconds(10)
) async throws -> (publisher: Socket, subscriber: Socket) {
    let publisher = try Socket(.publisher)
    let subscriber = try Socket(.subscriber)
    do {
        try subscriber.subscribe(to: "")
        try subscriber.setReceiveTimeout(receiveTimeout)
        try await connect(publisher, subscriber, over: transport)
    } catch {
        publisher.close()
        subscriber.close()
        throw error
    }
    return (publisher, subscriber)
}

/// A replier and a requester, not yet connected, whose sends and receives wait at most
/// `timeout`. The caller connects them and closes both.
func requestReplyPair(timeout: Duration = .seconds(10)) throws -> (replier: Socket, requester: Socket) {
    let replier = try Socket(.replier)
    let requester = try Socket(.requester)
    do {
        for socket in [replier, requester] {
            try socket.setReceiveTimeout(timeout)
            try socket.setSendTimeout(timeout)
        }
    } catch {
        replier.close()
        requester.close()
        throw error
    }
    return (replier, requester)
}

@discardableResult
func firstAdded(_ events: AsyncStream<PipeEvent>) async throws -> PipeID {
    for await event in events where event.kind == .added {
        return event.pipe
    }
    throw TimedOut(what: "a pipe (stream ended)")
}

extension Message {
    init(_ string: String) {
        self.init(bytes: Array(string.utf8))
    }
}
