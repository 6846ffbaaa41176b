/// The types generated from Protocols/curriculum.proto, under short names.
///
/// A namespace rather than top-level aliases: names such as `Policy` and
/// `CategoryTotals` also mean things in the curriculum core.
public enum Wire {
    public typealias Envelope = Curriculum_V1_Envelope
    public typealias WorkerIdentity = Curriculum_V1_WorkerIdentity
    public typealias Join = Curriculum_V1_Join
    public typealias CategoryStats = Curriculum_V1_CategoryStats
    public typealias Report = Curriculum_V1_Report
    public typealias ReportBatch = Curriculum_V1_ReportBatch
    public typealias Heartbeat = Curriculum_V1_Heartbeat
    public typealias Leave = Curriculum_V1_Leave
    public typealias Policy = Curriculum_V1_Policy
    public typealias WorkerAck = Curriculum_V1_WorkerAck
    public typealias Acks = Curriculum_V1_Acks
    public typealias Control = Curriculum_V1_Control
    public typealias JoinAccepted = Curriculum_V1_JoinAccepted
    public typealias JoinRejected = Curriculum_V1_JoinRejected
    public typealias LeaveAccepted = Curriculum_V1_LeaveAccepted
    public typealias ProtocolMismatch = Curriculum_V1_ProtocolMismatch
    public typealias Status = Curriculum_V1_Status
    public typealias WorkerStatus = Curriculum_V1_WorkerStatus
    public typealias CategoryTotals = Curriculum_V1_CategoryTotals
}

extension Wire.WorkerIdentity {
    public init(workerID: String, incarnation: UInt64) {
        self.init()
        self.workerID = workerID
        self.incarnation = incarnation
    }
}

extension Wire.WorkerIdentity: CustomStringConvertible {
    public var description: String { "\(workerID)#\(incarnation)" }
}
