/// Every metric the coordinator and the worker agent export, in one place: the code that
/// counts names them from here, and the exposition takes their help text from here.
public enum MetricCatalog {
    // MARK: Coordinator counters (one per `CoordinatorEvent`, in its order)

    public static let framesReceived = MetricDescription(
        "curriculum_frames_received_total", .counter, "Frames received on the reports endpoint, valid or not.")
    public static let reportFramesReceived = MetricDescription(
        "curriculum_report_frames_received_total", .counter,
        "REPT frames decoded; one frame may carry a batch of reports.")
    public static let framesAuthenticated = MetricDescription(
        "curriculum_frames_authenticated_total", .counter,
        "Frames whose signature, time and counter passed (with --auth-keys only).")
    public static let reportsAccepted = MetricDescription(
        "curriculum_reports_accepted_total", .counter, "Reports merged into the curriculum, each exactly once.")
    public static let reportsRejected = MetricDescription(
        "curriculum_reports_rejected_total", .counter,
        "Reports acknowledged but not merged: too stale or invalid (see curriculum_rejections_total).")
    public static let duplicatesIgnored = MetricDescription(
        "curriculum_reports_duplicate_total", .counter,
        "Reports received again after they were merged (resends, replays), acknowledged and ignored.")
    public static let policiesPublished = MetricDescription(
        "curriculum_policies_published_total", .counter, "Policy broadcasts.")
    public static let acknowledgementsPublished = MetricDescription(
        "curriculum_acknowledgements_published_total", .counter, "Acknowledgement broadcasts.")
    public static let joins = MetricDescription(
        "curriculum_worker_joins_total", .counter, "Worker incarnations that joined.")
    public static let leaves = MetricDescription(
        "curriculum_worker_leaves_total", .counter, "Workers that drained and left.")
    public static let workersLost = MetricDescription(
        "curriculum_workers_lost_total", .counter, "Workers marked lost: silent past their lease.")
    public static let stateWriteFailures = MetricDescription(
        "curriculum_state_write_failures_total", .counter,
        "Journal commits the disk refused; acknowledgements wait for the next commit.")
    public static let rejections = MetricDescription(
        "curriculum_rejections_total", .counter,
        "Frames, messages and reports refused, by reason (Protocols/README.md lists the reasons).")

    // MARK: Coordinator gauges

    public static let policyVersion = MetricDescription(
        "curriculum_policy_version", .gauge, "The policy version workers draw under now.")
    public static let workers = MetricDescription(
        "curriculum_workers", .gauge, "Worker incarnations by membership state.")
    public static let categoryProbability = MetricDescription(
        "curriculum_category_probability", .gauge, "Sampling probability of each category in the current policy.")
    public static let categoryValue = MetricDescription(
        "curriculum_category_value", .gauge, "The policy's value of each category (Q for SEC, the score for DUMP).")
    public static let categorySamples = MetricDescription(
        "curriculum_category_samples", .gauge, "Samples (responses) merged for each category, over the whole run.")
    public static let categoryStepMeanAbsoluteAdvantage = MetricDescription(
        "curriculum_category_step_mean_abs_advantage", .gauge,
        "Mean |advantage| of the category's samples merged since the gauges' previous update (each new version, at most every 100 ms; kept while none arrive).")

    // MARK: Coordinator histograms

    public static let reportStaleness = MetricDescription(
        "curriculum_report_staleness", .histogram,
        "Staleness of merged reports: policy version at merge minus the version drawn under.",
        buckets: [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64])
    public static let ingestBatchFrames = MetricDescription(
        "curriculum_ingest_batch_frames", .histogram, "Frames the coordinator took from its inbox in one turn.",
        buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    public static let journalCommitSeconds = MetricDescription(
        "curriculum_journal_commit_seconds", .histogram,
        "Time to write one batch of journal records and fdatasync it (with --state).",
        buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1])
    public static let broadcastFrameBytes = MetricDescription(
        "curriculum_broadcast_frame_bytes", .histogram, "Size of each frame the coordinator broadcasts.",
        buckets: [64, 256, 1024, 4096, 16384, 65536, 262_144, 1_048_576])
    public static let replyFrameBytes = MetricDescription(
        "curriculum_reply_frame_bytes", .histogram,
        "Size of each reply the coordinator sends a worker (its acknowledgement or control answer).",
        buckets: [64, 256, 1024, 4096, 16384, 65536])

    // MARK: Monitoring port

    public static let httpResponses = MetricDescription(
        "curriculum_http_responses_total", .counter,
        "Answers of the coordinator's HTTP port by status code, errors included (requests too malformed to route are not counted).")

    // MARK: Worker agent

    public static let reportAcknowledgementSeconds = MetricDescription(
        "curriculum_worker_report_ack_seconds", .histogram,
        "Time from a report's first send to its acknowledgement, seen by the worker agent.",
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])

    /// Every description, for the exposition's `# HELP` lines and histogram buckets.
    public static let all: [MetricDescription] = CoordinatorEvent.allCases.map(\.metric) + [
        rejections, policyVersion, workers, categoryProbability, categoryValue, categorySamples,
        categoryStepMeanAbsoluteAdvantage, reportStaleness, ingestBatchFrames, journalCommitSeconds,
        broadcastFrameBytes, replyFrameBytes, httpResponses, reportAcknowledgementSeconds,
    ]
}
