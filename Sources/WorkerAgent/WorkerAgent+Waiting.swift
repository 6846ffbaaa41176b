/// Callers suspended until a policy arrives or the outbox empties enough.
extension WorkerAgent {
    /// The newest policy, waiting for the first one if none has arrived yet.
    public func currentPolicy() async throws -> PublishedPolicy {
        try await policy(newerThan: nil)
    }

    /// The first policy adopted with a version above `version`, waiting for it if the
    /// cached one is not newer: for a trainer that must not draw twice from one step's policy.
    public func nextPolicy(after version: UInt64) async throws -> PublishedPolicy {
        try await policy(newerThan: version)
    }

    func policy(newerThan version: UInt64?) async throws -> PublishedPolicy {
        if let policy, version.map({ policy.version > $0 }) ?? true { return policy }
        if let failure { throw failure }
        return try await suspend { id, continuation in policyWaiters[id] = (version, continuation) }
    }

    /// Waits until at most `limit` reports are unacknowledged.
    ///
    /// A producer faster than the coordinator calls this before each report to bound
    /// what it has in flight (a credit window), instead of filling the outbox until it
    /// abandons reports or the coordinator's queue drops them.
    public func waitUntilUnacknowledged(atMost limit: Int) async throws {
        if session.unacknowledgedCount <= limit { return }
        if let failure { throw failure }
        guard !isStopped else { throw WorkerAgentError.stopped }
        try await suspend { id, continuation in outboxWaiters[id] = (limit, continuation) }
    }

    /// Suspends until the continuation `register` files under a fresh waiter id is resumed;
    /// cancelling the calling task resumes it with `CancellationError`.
    private func suspend<Value: Sendable>(
        _ register: (Int, CheckedContinuation<Value, any Error>) -> Void
    ) async throws -> Value {
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    register(id, continuation)
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    func cancelWaiter(_ id: Int) {
        policyWaiters.removeValue(forKey: id)?.continuation.resume(throwing: CancellationError())
        outboxWaiters.removeValue(forKey: id)?.continuation.resume(throwing: CancellationError())
    }

    /// Resumes the callers waiting for a policy newer than `next`'s predecessor.
    func wakePolicyWaiters(with next: PublishedPolicy) {
        guard !policyWaiters.isEmpty else { return }
        for (id, waiter) in policyWaiters where waiter.after.map({ next.version > $0 }) ?? true {
            policyWaiters[id] = nil
            waiter.continuation.resume(returning: next)
        }
    }

    /// Resumes the callers whose limit the outbox is now within.
    func wakeOutboxWaiters() {
        guard !outboxWaiters.isEmpty else { return }
        let count = session.unacknowledgedCount
        for (id, waiter) in outboxWaiters where count <= waiter.limit {
            outboxWaiters[id] = nil
            waiter.continuation.resume()
        }
    }
}
