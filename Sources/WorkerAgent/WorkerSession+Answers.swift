import CurriculumWire

/// What the coordinator answers: acknowledgements, join and leave answers.
extension WorkerSession {
    /// What a control frame means for the agent.
    enum ControlOutcome: Sendable {
        /// The coordinator took the join. Its policy is authoritative: a coordinator that
        /// restarted without its state may publish lower versions than the agent saw.
        case joined(policy: PolicyFrame, first: Bool, settled: Int)
        /// The coordinator refused the join, or speaks no common protocol version: the agent stops.
        case failed(WorkerAgentError)
        case leaveAccepted
        /// Addressed to another worker, or nothing this worker acts on.
        case ignored
    }

    mutating func handle(_ control: Wire.Control, at now: ContinuousClock.Instant) -> ControlOutcome {
        let identity = settings.identity
        switch control.kind {
        case .joinAccepted(let accepted) where accepted.worker == identity:
            let first = !joined
            if first { counters.joins += 1 }
            joined = true
            unansweredJoinSince = nil
            maximumReportsPerFrame = max(1, Int(accepted.maxReportsPerFrame))
            heartbeatInterval = .milliseconds(Int(max(accepted.heartbeatIntervalMs, 10)))
            let settled = acknowledge(Acknowledgement(contiguousThrough: accepted.contiguousThrough), at: now)
            return .joined(policy: PolicyFrame(accepted.policy), first: first, settled: settled)
        case .joinRejected(let rejected) where rejected.worker == identity:
            return .failed(.joinRejected(reason: rejected.reason))
        case .protocolMismatch(let mismatch) where mismatch.worker == identity:
            return .failed(.protocolMismatch(coordinatorSupports: mismatch.supportedVersions))
        case .leaveAccepted(let accepted) where accepted.worker == identity:
            leaveAccepted = true
            return .leaveAccepted
        default:
            return .ignored
        }
    }

    /// Settles what `ack` covers and returns how many reports that was. Acknowledgements
    /// repeated, reordered or naming reports already settled settle nothing more. `timing`
    /// gets each settled report's time from being queued to `now`; nil (metrics off) skips
    /// reading the entries at all.
    mutating func acknowledge(
        _ ack: Acknowledgement, at now: ContinuousClock.Instant, timing: ((Duration) -> Void)? = nil
    ) -> Int {
        let settled = outbox.acknowledge(ack, at: now, timing: timing)
        counters.reportsAcknowledged += UInt64(settled)
        counters.reportsRejectedByCoordinator = max(counters.reportsRejectedByCoordinator, ack.rejected)
        return settled
    }
}
