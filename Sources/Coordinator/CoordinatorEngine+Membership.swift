import Curriculum
import CurriculumWire

/// Joins, heartbeats, leaves, and who the engine has heard from.
extension CoordinatorEngine {
    mutating func handle(_ join: Wire.Join, at now: Moment) {
        guard let key = workerKey(join.hasWorker ? join.worker : nil, .join) else { return }
        var control = Wire.Control()
        if !join.supportedVersions.contains(where: WireCodec.supportedVersions.contains) {
            var mismatch = Wire.ProtocolMismatch()
            mismatch.worker = key.identity
            mismatch.receivedVersion = join.supportedVersions.max() ?? 0
            mismatch.supportedVersions = WireCodec.supportedVersions
            control.kind = .protocolMismatch(mismatch)
            reject(.wire(.unsupportedProtocolVersion(received: mismatch.receivedVersion, sender: key.identity)))
        } else if !(join.stepShare > 0 && join.stepShare <= 1) {
            var rejected = Wire.JoinRejected()
            rejected.worker = key.identity
            rejected.reason = "step_share must be in (0, 1], got \(join.stepShare)"
            control.kind = .joinRejected(rejected)
            effects.events.append(.joinRejected(key, reason: rejected.reason))
        } else {
            let change = state.membership.change(joining: key)
            recordAccepted(.joined(key, hostname: join.hostname, stepShare: join.stepShare), at: now)
            note(change, for: key)
            // Names a report could not carry (empty, or too long) are not registered.
            for category in join.categories
            where !category.isEmpty && category.utf8.count <= CategoryReport.maximumCategoryBytes
                && !state.knownCategories.contains(category)
            {
                recordAccepted(.registered(category: category), at: now)
                changedSincePublish = true
            }
            var accepted = Wire.JoinAccepted()
            accepted.worker = key.identity
            accepted.leaseMs = UInt32(clamping: configuration.lease.milliseconds)
            accepted.heartbeatIntervalMs = UInt32(clamping: configuration.heartbeatInterval.milliseconds)
            if changedSincePublish { advanceVersion(at: now) }
            accepted.policy = currentPolicy(at: now)
            accepted.contiguousThrough = state.ledgers[key]?.contiguousThrough ?? 0
            accepted.maxReportsPerFrame = UInt32(clamping: max(1, configuration.maximumReportsPerFrame))
            control.kind = .joinAccepted(accepted)
        }
        answer(.control(control))
    }

    mutating func handle(_ heartbeat: Wire.Heartbeat, at now: Moment) {
        guard let key = workerKey(heartbeat.hasWorker ? heartbeat.worker : nil, .heartbeat) else { return }
        heard(from: key, at: now)
        if state.preview(key, sequence: 0, settlingBelow: heartbeat.resendFloor).watermarkMoves {
            recordAccepted(.settled(key, floor: heartbeat.resendFloor), at: now)
        }
        // A request is answered; its acknowledgement state is what a heartbeat can carry back.
        if case .request = route { acknowledge(key) }
    }

    mutating func handle(_ leave: Wire.Leave, at now: Moment) {
        guard let key = workerKey(leave.hasWorker ? leave.worker : nil, .leave) else { return }
        if state.membership.members[key]?.state != .left {
            tally(.leave)
            effects.events.append(.left(key, lastSequence: leave.lastSequence))
        }
        recordAccepted(.left(key), at: now)
        var accepted = Wire.LeaveAccepted()
        accepted.worker = key.identity
        var control = Wire.Control()
        control.kind = .leaveAccepted(accepted)
        answer(.control(control))
    }

    /// Renews `key`'s lease: any message does. Leases restart with the process, so this
    /// is no ``StateChange``.
    mutating func heard(from key: WorkerKey, at now: Moment, stepShare: Double? = nil) {
        note(state.heard(from: key, at: now.instant, stepShare: stepShare), for: key)
    }

    mutating func note(_ change: Membership.Change, for key: WorkerKey) {
        switch change {
        case .none: return
        case .joined:
            tally(.join)
            effects.events.append(.joined(key, active: state.membership.activeCount))
        case .revived:
            effects.events.append(.revived(key))
        case .replaced(let old):
            tally(.join)
            effects.events.append(.replaced(key, displaced: old))
        }
    }
}
