import Foundation
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking client code on a thread of its own: the cooperative pool (two threads on
/// this machine) must stay free for the server's handlers the client is waiting on.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A blocking HTTP/1.1 client over a plain TCP socket to 127.0.0.1, for tests that must
/// send exactly the bytes they choose (malformed, oversized, or never finished).
/// Every read and write has a receive/send timeout, so a test cannot hang on it.
public final class RawHTTPConnection {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// An answer: the status code (0 if the server closed without one) and the body.
    public struct Answer: Sendable, CustomStringConvertible {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        public var description: String { "HTTP \(status): \(body.prefix(300))" }
    }

    private let descriptor: Int32

    public init(port: Int, timeoutSeconds: Int = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
    }

    deinit {
        close(descriptor)
    }

    /// Writes all of `bytes`; false if the server closed the connection first.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        (try? FileDescriptor(rawValue: descriptor).writeAll(bytes)) != nil
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads one response: the head, then `Content-Length` bytes of body (or until close).
    public func readAnswer() throws -> Answer {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        func readMore() throws -> Bool {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { return true }
                if errno == ECONNRESET { return false }
                throw Failure(description: "read: errno \(errno)")
            }
            buffer += chunk[..<count]
            return count > 0
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.firstRange(of: separator)?.upperBound
            if headEnd == nil, try !readMore() { break }
        }
        guard let headEnd else { return Answer(status: 0, headers: [:], body: String(decoding: buffer, as: UTF8.self)) }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self).split(separator: "\r\n")
        let status = head.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingPrefix(" ").description
        }
        let length = headers["content-length"].flatMap { Int($0) }
        while buffer.count - headEnd < (length ?? .max), try readMore() {}
        let body = buffer[headEnd...].prefix(length ?? .max)
        return Answer(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    /// `GET path` on a fresh connection.
    public static func get(_ path: String, port: Int) throws -> Answer {
        let connection = try RawHTTPConnection(port: port)
        connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return try connection.readAnswer()
    }
}
