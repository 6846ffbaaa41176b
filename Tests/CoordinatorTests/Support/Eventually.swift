import Testing

/// Waits until `condition` holds, checking every 10 ms, for at most `timeout`.
/// Returns whether it held: the caller asserts on that.
func eventually(
    within timeout: Duration = .seconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await clock.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Runs `operation`, failing with `TimeoutError` if it takes longer than `timeout`.
func withTimeout<T: Sendable>(
    _ timeout: Duration,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimeoutError(timeout: timeout)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "timed out after \(timeout)" }
}

/// A fresh inproc:// address prefix per test, so parallel tests never share endpoints.
func uniqueEndpointPrefix(_ name: String = #function) -> String {
    "inproc://\(name.prefix(while: { $0 != "(" }))-\(UInt64.random(in: 0...UInt64.max))"
}
