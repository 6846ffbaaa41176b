/// What the coordinator counts, one counter each.
public enum CoordinatorEvent: Int, CaseIterable, Sendable {
    case frameReceived, reportFrameReceived, frameAuthenticated, reportAccepted, reportRejected, duplicateIgnored
    case policyPublished, acknowledgementPublished, join, leave, workerLost, stateWriteFailure

    public var metric: MetricDescription {
        switch self {
        case .frameReceived: MetricCatalog.framesReceived
        case .reportFrameReceived: MetricCatalog.reportFramesReceived
        case .frameAuthenticated: MetricCatalog.framesAuthenticated
        case .reportAccepted: MetricCatalog.reportsAccepted
        case .reportRejected: MetricCatalog.reportsRejected
        case .duplicateIgnored: MetricCatalog.duplicatesIgnored
        case .policyPublished: MetricCatalog.policiesPublished
        case .acknowledgementPublished: MetricCatalog.acknowledgementsPublished
        case .join: MetricCatalog.joins
        case .leave: MetricCatalog.leaves
        case .workerLost: MetricCatalog.workersLost
        case .stateWriteFailure: MetricCatalog.stateWriteFailures
        }
    }
}
