import Logging

/// The engine's events as log lines, refusals rate-limited.
extension Coordinator {
    func log(_ event: CoordinatorEngine.Event) {
        switch event {
        case .rejected(let rejection):
            logRateLimited(rejection.label, "rejected", rejection)
        case .duplicate(let duplicate):
            // Resends after a lost acknowledgement are routine; a replay looks the same.
            logRateLimited("duplicate", "duplicate report ignored", duplicate, level: .debug)
        case .joinRejected(let key, let reason):
            logger.warning("join rejected", metadata: ["worker": "\(key)", "reason": "\(reason)"])
        case .joined(let key, let active):
            logger.info("worker joined", metadata: ["worker": "\(key)", "active": "\(active)"])
        case .revived(let key):
            logger.info("lost worker is back", metadata: ["worker": "\(key)"])
        case .replaced(let key, let old):
            logger.info("worker restarted", metadata: ["worker": "\(key)", "replaces": "\(old)"])
        case .left(let key, let lastSequence):
            logger.info("worker left", metadata: ["worker": "\(key)", "last_sequence": "\(lastSequence)"])
        case .lost(let key):
            logger.warning("worker lost: silent past its lease", metadata: [
                "worker": "\(key)", "lease": "\(configuration.lease)",
            ])
        }
    }

    /// One line per reason per second: a flood of garbage must not become a flood of logs.
    func logRateLimited(
        _ label: String, _ message: Logger.Message, _ detail: any Error, level: Logger.Level = .warning
    ) {
        let now = ContinuousClock.now
        if let last = lastLogged[label], now - last < .seconds(1) {
            suppressedLogs[label, default: 0] += 1
            return
        }
        lastLogged[label] = now
        let suppressed = suppressedLogs.removeValue(forKey: label) ?? 0
        logger.log(level: level, message, metadata: [
            "reason": "\(label)", "detail": "\(detail)", "suppressed_since_last": "\(suppressed)",
        ])
    }
}
