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

    init(_ configuration: IngestAuthentication) {
        self.configuration = configuration
        self.maximumSkewMs = configuration.maximumClockSkew.milliseconds
    }

    /// Swaps the keys (rotation). The replay windows stay: counters do not restart.
    mutating func replaceKeyring(_ keyring: Keyring) {
        configuration.keyring = keyring
    }

    /// Nil when the frame may be taken in.
    mutating func check(
        _ frame: UnsafeRawBufferPointer, envelope: Wire.Envelope, nowMs: UInt64
    ) -> AuthenticationFailure? {
        check(
            frame, authentication: FrameAuthentication(envelope), sender: envelope.sender.map(WorkerKey.init),
            nowMs: nowMs)
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
