import Logging
import NNG
import ServiceLifecycle

/// The agent's loops: receiving, flushing reports, reconnections and timers.
extension WorkerAgent {
    /// Connects and serves the protocol until the agent is drained or the task is cancelled.
    ///
    /// Inside a swift-service-lifecycle `ServiceGroup`, a graceful shutdown drains the agent
    /// (every report acknowledged, then a leave; `configuration.drainTimeout` at most) and
    /// then returns. Throws if the coordinator rejects the join, speaks no common protocol
    /// version, or the drain of a graceful shutdown times out.
    public func run() async throws {
        let broadcastEvents = subscriber.pipeEvents()
        let requestEvents = requester.pipeEvents()
        try dialCoordinator()
        logger.info("dialing coordinator", metadata: [
            "broadcast": "\(configuration.broadcastURL)", "requests": "\(configuration.requestsURL)",
        ])
        let (flushes, flushRequests) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.flushRequests = flushRequests
        // The sockets close only once every loop below has returned: closing a socket while
        // one of its receives is being cancelled can crash or hang libnng 1.5.2.
        defer {
            self.flushRequests = nil
            stop()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ends when stop() finishes the stream: the agent drained or failed.
                for await _ in flushes {
                    // Lets the work ready now, such as the producer's next reports, run first:
                    // under load the flush then takes several reports at once; idle, it costs
                    // nothing.
                    await Task.yield()
                    await self.flush()
                }
            }
            group.addTask {
                // One hop onto the actor per batch of queued frames, not per frame.
                for try await batch in self.subscriber.messageBatches(maximum: 64) {
                    await self.receive(batch)
                }
            }
            group.addTask {
                // Replies: this worker's acknowledgements and the answers to its joins and leaves.
                for try await batch in self.requester.messageBatches(maximum: 64) {
                    await self.receive(batch)
                }
            }
            group.addTask {
                for await event in broadcastEvents where event.kind == .added {
                    await self.connected(requests: false)
                }
            }
            group.addTask {
                for await event in requestEvents where event.kind == .added {
                    await self.connected(requests: true)
                }
            }
            group.addTask {
                let clock = ContinuousClock()
                while !Task.isCancelled {
                    try await clock.sleep(for: self.configuration.tickInterval)
                    await self.tick(at: clock.now)
                }
            }
            group.addTask {
                // Outside a ServiceGroup this waits for cancellation alone, which ends the run
                // without a drain.
                guard (try? await gracefulShutdown()) != nil else { return }
                try await self.drain(timeout: self.configuration.drainTimeout)
            }
            // Each loop ends only when the agent stops (drained or failed), the sockets close,
            // or the task is cancelled.
            _ = try await group.next()
            group.cancelAll()
        }
        if let failure { throw failure }
    }

    func tick(at now: ContinuousClock.Instant) {
        if session.redialDue(at: now) { redial() }
        send(session.tick(at: now, policyVersion: policy?.version ?? 0))
    }

    func dialCoordinator() throws {
        dialers = [
            try subscriber.dial(configuration.broadcastURL, reconnect: configuration.reconnect, tls: configuration.tls),
            try requester.dial(configuration.requestsURL, reconnect: configuration.reconnect, tls: configuration.tls),
        ]
    }

    /// Closes both dialers and dials anew (see `WorkerSession+Redial.swift`); the new
    /// connections join and resend what is pending, as any reconnection does.
    func redial() {
        logger.warning("no answer from the coordinator: dialling it anew", metadata: [
            "silence_limit": "\(configuration.redialAfter)", "redials": "\(session.counters.redials)",
        ])
        for dialer in dialers { try? dialer.close() }
        do {
            try dialCoordinator()
        } catch {
            // The old dialers are gone; the next redial tries again.
            dialers = []
            logger.error("cannot dial the coordinator", metadata: ["error": "\(error)"])
        }
    }

    /// A new connection to the coordinator: it may have restarted.
    func connected(requests: Bool) {
        send(session.connected(requests: requests, at: .now))
    }

    func flush() {
        send(session.flush())
    }
}
