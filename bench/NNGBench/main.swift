// Pub/sub throughput and one-way latency: the NNG module against raw libnng calls, in one run.
//
// Rate method: a fixed number of messages, a windowed ("credit") publisher. PUB/SUB drops
// when a queue overflows, and an unpaced publisher on this 2-core machine outruns any
// subscriber, so "received per second" would mostly measure drops and scheduler luck.
// Instead the publisher never has more than `window` messages unacknowledged; the
// subscriber reports its count every `reportEvery` messages through an in-process
// counter (no network round trip, one wake-up per report). The window (4,096) is half
// the socket queues (8,192), so no message is dropped and the rate is messages delivered
// at the subscriber divided by the time from the first send to the last receive. The raw
// side is the canonical C pattern: a sending thread, and a thread blocked in
// nng_recvmsg. The Swift side uses Socket.send and `for try await` over Socket.messages.
// Each rate is the median of three runs.
//
// Latency method: one thread (raw) or one task (Swift) takes a timestamp, sends one
// message, receives it, and takes a second timestamp; the difference is the one-way
// latency including the send call. 2,000 samples after 200 warm-up messages; p50 and p99.

import CNNG
import Foundation
import NNG
import Synchronization

let window = 4096
let reportEvery = 512
let dataTag: UInt8 = 0x01
let probeTag: UInt8 = 0xFF

enum Transport: String, CaseIterable {
    case inproc, ipc, tcp

    /// A fresh URL to listen on; tcp binds port 0 and callers read the port back.
    func listenURL() -> String {
        switch self {
        case .inproc: "inproc://nngbench-\(UUID().uuidString)"
        case .ipc: "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("nngbench-\(UUID().uuidString).ipc").path
        case .tcp: "tcp://127.0.0.1:0"
        }
    }
}

func dialURL(_ listenURL: String, boundPort: () throws -> Int) rethrows -> String {
    guard listenURL.hasPrefix("tcp://") else { return listenURL }
    return "tcp://127.0.0.1:\(try boundPort())"
}

func payload(size: Int, tag: UInt8) -> [UInt8] {
    var bytes = [UInt8](repeating: 0x5A, count: size)
    bytes[0] = tag
    return bytes
}

func nanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

struct LatencySummary {
    let p50: Double
    let p99: Double

    init(_ samples: [UInt64]) {
        let sorted = samples.sorted()
        p50 = Double(sorted[sorted.count / 2]) / 1000
        p99 = Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1000
    }
}

func check(_ result: Int32, _ what: String) {
    if result != 0 { fatalError("\(what): \(String(cString: nng_strerror(result)))") }
}

// MARK: - Raw libnng

/// The subscriber's count, shared with the sending thread.
final class ThreadProgress: Sendable {
    private let condition = NSCondition()
    private let count = Mutex(0)

    func report(_ received: Int) {
        condition.lock()
        count.withLock { $0 = received }
        condition.broadcast()
        condition.unlock()
    }

    func wait(until target: Int) {
        condition.lock()
        while count.withLock({ $0 }) < target { condition.wait() }
        condition.unlock()
    }
}

struct RawPair {
    var publisher = nng_socket()
    var subscriber = nng_socket()

    init(_ transport: Transport) {
        check(nng_pub0_open(&publisher), "nng_pub0_open")
        check(nng_sub0_open(&subscriber), "nng_sub0_open")
        check(nng_socket_set_int(publisher, NNG_OPT_SENDBUF, 8192), "sendbuf")
        check(nng_socket_set_int(subscriber, NNG_OPT_RECVBUF, 8192), "recvbuf")
        check(nng_socket_set(subscriber, NNG_OPT_SUB_SUBSCRIBE, nil, 0), "subscribe")
        let url = transport.listenURL()
        var listener = nng_listener()
        check(nng_listen(publisher, url, &listener, 0), "nng_listen")
        let target = dialURL(url) {
            var port: Int32 = 0
            check(nng_listener_get_int(listener, NNG_OPT_TCP_BOUND_PORT, &port), "bound port")
            return Int(port)
        }
        check(nng_dial(subscriber, target, nil, 0), "nng_dial")
        // Probe until one arrives: the subscriber is then connected and receiving.
        check(nng_socket_set_ms(subscriber, NNG_OPT_RECVTIMEO, 10), "recvtimeo")
        let probe = payload(size: 8, tag: probeTag)
        while true {
            probe.withUnsafeBytes { _ = nng_send(publisher, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count, 0) }
            var msg: OpaquePointer?
            if nng_recvmsg(subscriber, &msg, 0) == 0 {
                nng_msg_free(msg)
                break
            }
        }
        check(nng_socket_set_ms(subscriber, NNG_OPT_RECVTIMEO, 10_000), "recvtimeo")
    }

    func close() {
        nng_close(publisher)
        nng_close(subscriber)
    }
}

func rawRate(_ transport: Transport, size: Int, count: Int) -> Double {
    let pair = RawPair(transport)
    defer { pair.close() }
    let progress = ThreadProgress()
    let start = Mutex<UInt64>(0)
    let finished = NSCondition()
    let elapsed = Mutex<UInt64?>(nil)

    let receiver = Thread {
        var received = 0
        while received < count {
            var msg: OpaquePointer?
            guard nng_recvmsg(pair.subscriber, &msg, 0) == 0 else { break }
            if nng_msg_len(msg) > 0, nng_msg_body(msg)!.load(as: UInt8.self) == dataTag {
                received += 1
                if received % reportEvery == 0 { progress.report(received) }
            }
            nng_msg_free(msg)
        }
        let end = nanoseconds()
        progress.report(.max)
        finished.lock()
        elapsed.withLock { $0 = received == count ? end - start.withLock { $0 } : 0 }
        finished.signal()
        finished.unlock()
    }
    let sender = Thread {
        let message = payload(size: size, tag: dataTag)
        start.withLock { $0 = nanoseconds() }
        for sent in 0..<count {
            if sent >= window, sent % reportEvery == 0 { progress.wait(until: sent - window + reportEvery) }
            message.withUnsafeBytes { _ = nng_send(pair.publisher, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count, 0) }
        }
    }
    receiver.start()
    sender.start()
    finished.lock()
    while elapsed.withLock({ $0 }) == nil { finished.wait() }
    finished.unlock()
    let nanos = elapsed.withLock { $0! }
    return nanos == 0 ? 0 : Double(count) / (Double(nanos) / 1e9)
}

func rawLatency(_ transport: Transport, size: Int, samples: Int) -> LatencySummary {
    let pair = RawPair(transport)
    defer { pair.close() }
    var message = payload(size: size, tag: dataTag)
    var results: [UInt64] = []
    results.reserveCapacity(samples)
    for index in 0..<(samples + 200) {
        let before = nanoseconds()
        withUnsafeBytes(of: before) { stamp in message.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: 1).copyMemory(from: stamp.baseAddress!, byteCount: 8) } }
        message.withUnsafeBytes { _ = nng_send(pair.publisher, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count, 0) }
        while true {
            var msg: OpaquePointer?
            check(nng_recvmsg(pair.subscriber, &msg, 0), "latency receive")
            let isData = nng_msg_body(msg)!.load(as: UInt8.self) == dataTag
            nng_msg_free(msg)
            if isData { break }
        }
        if index >= 200 { results.append(nanoseconds() - before) }
    }
    return LatencySummary(results)
}

// MARK: - NNG module

/// The subscriber's count, awaited by the sending task.
final class TaskProgress: Sendable {
    private struct State {
        var count = 0
        var target = 0
        var waiter: UnsafeContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func report(_ received: Int) {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            state.count = received
            guard received >= state.target, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    func wait(until target: Int) async {
        await withUnsafeContinuation { continuation in
            let ready = state.withLock { state in
                if state.count >= target { return true }
                state.target = target
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

func swiftPair(_ transport: Transport) async throws -> (Socket, Socket) {
    let publisher = try Socket(.publisher)
    let subscriber = try Socket(.subscriber)
    try publisher.setSendBufferSize(8192)
    try subscriber.setReceiveBufferSize(8192)
    try subscriber.subscribe(to: [])
    let url = transport.listenURL()
    let listener = try publisher.listen(url)
    try subscriber.dial(try dialURL(url) { try listener.boundPort() }, blocking: true)
    try subscriber.setReceiveTimeout(.milliseconds(10))
    let probe = payload(size: 8, tag: probeTag)
    while true {
        try await publisher.send(probe)
        if (try? await subscriber.receive()) != nil { break }
    }
    try subscriber.setReceiveTimeout(.seconds(10))
    return (publisher, subscriber)
}

func swiftRate(_ transport: Transport, size: Int, count: Int) async throws -> Double {
    let (publisher, subscriber) = try await swiftPair(transport)
    defer { publisher.close(); subscriber.close() }
    let progress = TaskProgress()
    let start = Mutex<UInt64>(0)

    async let elapsed: UInt64 = {
        var received = 0
        do {
            for try await message in subscriber.messages where message.bytes.first == dataTag {
                received += 1
                if received % reportEvery == 0 { progress.report(received) }
                if received == count { break }
            }
        } catch {
            FileHandle.standardError.write("swift receive stopped after \(received) of \(count): \(error)\n".data(using: .utf8)!)
        }
        let end = nanoseconds()
        progress.report(.max)
        return received == count ? end - start.withLock { $0 } : 0
    }()
    let message = payload(size: size, tag: dataTag)
    start.withLock { $0 = nanoseconds() }
    for sent in 0..<count {
        if sent >= window, sent % reportEvery == 0 { await progress.wait(until: sent - window + reportEvery) }
        try await publisher.send(message)
    }
    let nanos = await elapsed
    return nanos == 0 ? 0 : Double(count) / (Double(nanos) / 1e9)
}

func swiftLatency(_ transport: Transport, size: Int, samples: Int) async throws -> LatencySummary {
    let (publisher, subscriber) = try await swiftPair(transport)
    defer { publisher.close(); subscriber.close() }
    var message = payload(size: size, tag: dataTag)
    var results: [UInt64] = []
    results.reserveCapacity(samples)
    for index in 0..<(samples + 200) {
        let before = nanoseconds()
        withUnsafeBytes(of: before) { stamp in message.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: 1).copyMemory(from: stamp.baseAddress!, byteCount: 8) } }
        try await publisher.send(message)
        while try await subscriber.receive().bytes.first != dataTag {}
        if index >= 200 { results.append(nanoseconds() - before) }
    }
    return LatencySummary(results)
}

// MARK: - Run

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

let sizes = [64, 1024]
let counts = [64: 200_000, 1024: 100_000]
let samples = 2000
print("NNG module vs raw libnng \(nngLibraryVersion), pub/sub, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("rate: windowed publisher (window \(window)), messages delivered per second at the subscriber, median of 3")
print("latency: one-way send-to-receive in microseconds, \(samples) samples")
print("")
let header = [pad("transport", 9), pad("size", 5), pad("raw msg/s", 11), pad("swift msg/s", 11), pad("ratio", 6),
              pad("raw p50/p99 us", 15), pad("swift p50/p99 us", 17)]
print(header.joined(separator: "  "))
for transport in Transport.allCases {
    for size in sizes {
        let count = counts[size]!
        var raw: [Double] = []
        var swift: [Double] = []
        // Interleave the runs so drift in machine load hits both sides alike.
        for _ in 0..<3 {
            raw.append(rawRate(transport, size: size, count: count))
            swift.append(try await swiftRate(transport, size: size, count: count))
        }
        let rawLatencies = rawLatency(transport, size: size, samples: samples)
        let swiftLatencies = try await swiftLatency(transport, size: size, samples: samples)
        let rawRate = median(raw)
        let swiftRate = median(swift)
        let row = [
            pad(transport.rawValue, 9), pad("\(size)", 5),
            pad(String(format: "%.0f", rawRate), 11), pad(String(format: "%.0f", swiftRate), 11),
            pad(String(format: "%.2f", swiftRate / rawRate), 6),
            pad(String(format: "%.1f/%.1f", rawLatencies.p50, rawLatencies.p99), 15),
            pad(String(format: "%.1f/%.1f", swiftLatencies.p50, swiftLatencies.p99), 17),
        ]
        print(row.joined(separator: "  "))
    }
}
