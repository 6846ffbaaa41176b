import CurriculumAuth
import CurriculumWire

/// The coordinator's check of every signed frame: the signature, the signing time, and
/// a replay window per worker incarnation.
///
/// The window is keyed by the identity the authenticated body names, and it is only
/// touched once the MAC has verified, so frames from outsiders cannot fill memory or
/// move a worker's window.
struct FrameAuthenticator: Sendable {
    private(set) var configuration: IngestAuthentication
    private let maximumSkewMs: UInt64
    private var windows: [WorkerKey: ReplayWindow] = [:]
    /// The highest counter of each incarnation's joins, heartbeats and leaves since the
    /// last ``takeMembershipCounters()``: what the coordinator journals so that a restart
    /// does not reopen their replay windows. Reports need no such record: a replayed
    /// report is a duplicate to its ledger.
    private var membershipCounters: [WorkerKey: UInt64] = [:]

    init(_ configuration: IngestAuthentication) {
        self.configuration = configuration
        self.maximumSkewMs = configuration.maximumClockSkew.milliseconds
    }

    /// Resumes the windows a previous process saved: each incarnation's counters up to its
    /// saved high-water mark count as seen.
    init(_ configuration: IngestAuthentication, resuming counters: [WorkerKey: UInt64]) {
        self.init(configuration)
        for (worker, counter) in counters {
            windows[worker] = ReplayWindow(size: configuration.replayWindowSize, resumingAfter: counter)
        }
    }

    /// The membership counters gathered since the last call.
    mutating func takeMembershipCounters() -> [WorkerKey: UInt64] {
        defer { membershipCounters.removeAll(keepingCapacity: true) }
        return membershipCounters
    }

    /// Drops the windows of retired incarnations. Safe because retirement waits longer
    /// than twice the clock-skew bound (``RetirementPolicy/defaultGrace``): every frame
    /// they signed fails the skew check by then.
    mutating func forget(_ retired: some Sequence<WorkerKey>) {
        for worker in retired { windows[worker] = nil }
    }

    /// Swaps the keys (rotation). The replay windows stay: counters do not restart.
    mutating func replaceKeyring(_ keyring: Keyring) {
        configuration.keyring = keyring
    }

    /// Nil when the frame may be taken in.
    mutating func check(
        _ frame: UnsafeRawBufferPointer, envelope: Wire.Envelope, nowMs: UInt64
    ) -> AuthenticationFailure? {
        let authentication = FrameAuthentication(envelope)
        let sender = envelope.sender.map(WorkerKey.init)
        let failure = check(frame, authentication: authentication, sender: sender, nowMs: nowMs)
        switch envelope.body {
        case .join, .heartbeat, .leave:
            if failure == nil, let sender, let counter = authentication?.counter {
                membershipCounters[sender] = max(membershipCounters[sender] ?? 0, counter)
            }
        default: break
        }
        return failure
    }

    /// The same check, from the frame's `authentication` and the identity its body names,
    /// however they were decoded.
    mutating func check(
        _ frame: UnsafeRawBufferPointer, authentication: FrameAuthentication?, sender: WorkerKey?, nowMs: UInt64
    ) -> AuthenticationFailure? {
        let verified = FrameSignature.verify(
            frame, authentication: authentication, sender: sender?.workerID, keyring: configuration.keyring)
        if case .failure(let failure) = verified { return failure }
        // Verified: the frame is signed.
        guard let authentication else { return .unsigned }
        let skew = authentication.sentAtMs > nowMs ? authentication.sentAtMs - nowMs : nowMs - authentication.sentAtMs
        guard skew <= maximumSkewMs else {
            return .clockSkew(sentAtMs: authentication.sentAtMs, receivedAtMs: nowMs)
        }
        // A nameless frame is refused right after this (missing_worker_identity or
        // unexpected_topic); it has no window to record it in.
        guard let sender else { return nil }
        let window = configuration.replayWindowSize
        switch windows[sender, default: ReplayWindow(size: window)].admit(authentication.counter) {
        case .fresh: return nil
        case .replayed, .tooOld: return .replayed(counter: authentication.counter)
        }
    }

    /// Whether a frame that could not be decoded in full (another protocol version) is
    /// signed by a key of the ring: only then is its sender answered, so an outsider
    /// cannot make the coordinator tell a worker to stop.
    func isSigned(_ frame: UnsafeRawBufferPointer) -> Bool {
        guard frame.count > Topic.byteCount,
            let envelope = try? Wire.Envelope(serializedBytes: Array(frame.dropFirst(Topic.byteCount)))
        else { return false }
        return (try? FrameSignature.verify(frame, envelope: envelope, keyring: configuration.keyring).get()) != nil
    }
}
