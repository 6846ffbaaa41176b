// Pub/sub throughput and one-way latency: the NNG module against raw libnng calls, in one run.
//
// Usage: NNGBench [inproc|ipc|tcp ...] [64|1024 ...] [--runs N]; no arguments runs every cell.
//
// Rate method: a fixed number of messages, a windowed ("credit") publisher. PUB/SUB drops
// when a queue overflows, and an unpaced publisher on this 2-core machine outruns any
// subscriber, so "received per second" would mostly measure drops and scheduler luck.
// Instead the publisher never has more than `window` messages unacknowledged; the
// subscriber reports its count every `reportEvery` messages through an in-process
// counter (no network round trip, one wake-up per report). The window (4,096) is half
// the socket queues (8,192), so no message is dropped and the rate is messages delivered
// at the subscriber divided by the time from the first send to the last receive.
//
// Both sides do the same work per message, and neither is handicapped:
// - send: both copy a [UInt8] into a fresh nng_msg (raw `nng_send`, Swift `Socket.send`).
// - receive: both take ownership of the nng_msg, read its length and first byte (the tag
//   that tells data from probes) in place, and free it. The raw side is a thread blocked on
//   one reused callback-less aio (`nng_recv_aio` + `nng_aio_wait`), which is what
//   `nng_recvmsg` does minus its per-call aio allocation, as the Swift side also reuses
//   its aio. The Swift side iterates `Socket.messages` and reads the tag through
//   `Message.withUnsafeBytes`, so neither side copies the body.
//
// Noise: the machine is shared and small, so one run is not evidence. Every cell runs
// `runs` raw/Swift pairs back to back, alternating which side goes first; the table shows
// the median rate of each side and the median (and range) of the per-pair ratios, which
// cancels slow drift in machine load better than a ratio of medians would.
//
// Latency method: one thread (raw) or one task (Swift) takes a timestamp, sends one
// message, receives it, and takes a second timestamp; the difference is the one-way
// latency including the send call. `samples` samples after 200 warm-up messages; p50 and
// p99. A p99 far above p50 on either side is the scheduler (both sides see the same rare
// multi-millisecond stalls when other processes load the two cores).

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

/// A callback-less aio reused for blocking receives: `nng_recvmsg` without its per-call allocation.
final class RawReceiver {
    private let aio: OpaquePointer

    init() {
        var aio: OpaquePointer?
        check(nng_aio_alloc(&aio, nil, nil), "nng_aio_alloc")
        self.aio = aio!
    }

    deinit {
        nng_aio_free(aio)
    }

    /// The next message, owned by the caller, or the nng error.
    func receive(from socket: nng_socket) -> Result<OpaquePointer, NNGError> {
        // As nng_recvmsg (and the Swift side) does: honour the socket's receive timeout.
        nng_aio_set_timeout(aio, nng_duration(NNG_DURATION_DEFAULT))
        nng_recv_aio(socket, aio)
        nng_aio_wait(aio)
        let result = nng_aio_result(aio)
        guard result == 0 else { return .failure(NNGError(code: result, operation: "nng_recv_aio")) }
        return .success(nng_aio_get_msg(aio)!)
    }
}

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

    let consumer = Thread {
        let receiver = RawReceiver()
        var received = 0
        while received < count {
            guard case .success(let msg) = receiver.receive(from: pair.subscriber) else { break }
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
    consumer.start()
    sender.start()
    finished.lock()
    while elapsed.withLock({ $0 }) == nil { finished.wait() }
    finished.unlock()
    let nanos = elapsed.withLock { $0! }
    return nanos == 0 ? 0 : Double(count) / (Double(nanos) / 1e9)
}

func rawLatency(_ transport: Transport, size: Int, samples: Int) throws -> LatencySummary {
    let pair = RawPair(transport)
    defer { pair.close() }
    let receiver = RawReceiver()
    var message = payload(size: size, tag: dataTag)
    var results: [UInt64] = []
    results.reserveCapacity(samples)
    for index in 0..<(samples + 200) {
        let before = nanoseconds()
        withUnsafeBytes(of: before) { stamp in message.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: 1).copyMemory(from: stamp.baseAddress!, byteCount: 8) } }
        message.withUnsafeBytes { _ = nng_send(pair.publisher, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count, 0) }
        while true {
            let msg = try receiver.receive(from: pair.subscriber).get()
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
            for try await message in subscriber.messages where message.withUnsafeBytes({ $0.first }) == dataTag {
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
        while try await subscriber.receive().withUnsafeBytes({ $0.first }) != dataTag {}
        if index >= 200 { results.append(nanoseconds() - before) }
    }
    return LatencySummary(results)
}

// MARK: - Run

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

var arguments = CommandLine.arguments.dropFirst()
var runs = 7
if let flag = arguments.firstIndex(of: "--runs"), arguments.index(after: flag) < arguments.endIndex,
   let value = Int(arguments[arguments.index(after: flag)]), value > 0 {
    runs = value
    arguments.removeSubrange(flag...arguments.index(after: flag))
}
let chosenTransports = Transport.allCases.filter { arguments.contains($0.rawValue) }
let transports = chosenTransports.isEmpty ? Transport.allCases : chosenTransports
let chosenSizes = [64, 1024].filter { arguments.contains("\($0)") }
let sizes = chosenSizes.isEmpty ? [64, 1024] : chosenSizes
let count = 200_000
let samples = 5000
print("NNG module vs raw libnng \(nngLibraryVersion), pub/sub, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("rate: windowed publisher (window \(window)), \(count) messages, delivered per second at the subscriber, median of \(runs)")
print("ratio: swift/raw of back-to-back runs, median (min-max) over the \(runs) pairs")
print("latency: one-way send-to-receive in microseconds, \(samples) samples")
print("")
let header = [pad("transport", 9), pad("size", 5), pad("raw msg/s", 10), pad("swift msg/s", 11), pad("ratio (min-max)", 16),
              pad("raw p50/p99 us", 15), pad("swift p50/p99 us", 17)]
print(header.joined(separator: "  "))
for transport in transports {
    for size in sizes {
        var raw: [Double] = []
        var swift: [Double] = []
        var ratios: [Double] = []
        // Each pair runs back to back, and which side goes first alternates, so drift in
        // machine load (other processes, CPU frequency) hits both sides alike.
        for run in 0..<runs {
            let rawFirst = run.isMultiple(of: 2)
            if rawFirst { raw.append(rawRate(transport, size: size, count: count)) }
            swift.append(try await swiftRate(transport, size: size, count: count))
            if !rawFirst { raw.append(rawRate(transport, size: size, count: count)) }
            ratios.append(swift[run] / raw[run])
        }
        let rawLatencies = try rawLatency(transport, size: size, samples: samples)
        let swiftLatencies = try await swiftLatency(transport, size: size, samples: samples)
        let row = [
            pad(transport.rawValue, 9), pad("\(size)", 5),
            pad(String(format: "%.0f", median(raw)), 10), pad(String(format: "%.0f", median(swift)), 11),
            pad(String(format: "%.2f (%.2f-%.2f)", median(ratios), ratios.min()!, ratios.max()!), 16),
            pad(String(format: "%.1f/%.1f", rawLatencies.p50, rawLatencies.p99), 15),
            pad(String(format: "%.1f/%.1f", swiftLatencies.p50, swiftLatencies.p99), 17),
        ]
        print(row.joined(separator: "  "))
    }
}
