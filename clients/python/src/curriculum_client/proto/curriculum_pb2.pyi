from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Acks(_message.Message):
    __slots__ = ["workers"]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    workers: _containers.RepeatedCompositeFieldContainer[WorkerAck]
    def __init__(self, workers: _Optional[_Iterable[_Union[WorkerAck, _Mapping]]] = ...) -> None: ...

class Authentication(_message.Message):
    __slots__ = ["counter", "key_id", "mac", "sent_at_ms"]
    COUNTER_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MAC_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_MS_FIELD_NUMBER: _ClassVar[int]
    counter: int
    key_id: str
    mac: bytes
    sent_at_ms: int
    def __init__(self, key_id: _Optional[str] = ..., counter: _Optional[int] = ..., sent_at_ms: _Optional[int] = ..., mac: _Optional[bytes] = ...) -> None: ...

class CategoryStats(_message.Message):
    __slots__ = ["category", "count", "groups", "sum_abs_advantage", "sum_reward", "sum_squared_advantage", "zero_variance_groups"]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    SUM_ABS_ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    SUM_REWARD_FIELD_NUMBER: _ClassVar[int]
    SUM_SQUARED_ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    ZERO_VARIANCE_GROUPS_FIELD_NUMBER: _ClassVar[int]
    category: str
    count: int
    groups: int
    sum_abs_advantage: float
    sum_reward: float
    sum_squared_advantage: float
    zero_variance_groups: int
    def __init__(self, category: _Optional[str] = ..., count: _Optional[int] = ..., sum_abs_advantage: _Optional[float] = ..., sum_squared_advantage: _Optional[float] = ..., sum_reward: _Optional[float] = ..., groups: _Optional[int] = ..., zero_variance_groups: _Optional[int] = ...) -> None: ...

class CategoryTotals(_message.Message):
    __slots__ = ["category", "count", "reports", "sum_abs_advantage", "sum_reward", "sum_squared_advantage"]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    SUM_ABS_ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    SUM_REWARD_FIELD_NUMBER: _ClassVar[int]
    SUM_SQUARED_ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    category: str
    count: int
    reports: int
    sum_abs_advantage: float
    sum_reward: float
    sum_squared_advantage: float
    def __init__(self, category: _Optional[str] = ..., count: _Optional[int] = ..., sum_abs_advantage: _Optional[float] = ..., sum_squared_advantage: _Optional[float] = ..., sum_reward: _Optional[float] = ..., reports: _Optional[int] = ...) -> None: ...

class Control(_message.Message):
    __slots__ = ["join_accepted", "join_rejected", "leave_accepted", "protocol_mismatch"]
    JOIN_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    JOIN_REJECTED_FIELD_NUMBER: _ClassVar[int]
    LEAVE_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_MISMATCH_FIELD_NUMBER: _ClassVar[int]
    join_accepted: JoinAccepted
    join_rejected: JoinRejected
    leave_accepted: LeaveAccepted
    protocol_mismatch: ProtocolMismatch
    def __init__(self, join_accepted: _Optional[_Union[JoinAccepted, _Mapping]] = ..., join_rejected: _Optional[_Union[JoinRejected, _Mapping]] = ..., leave_accepted: _Optional[_Union[LeaveAccepted, _Mapping]] = ..., protocol_mismatch: _Optional[_Union[ProtocolMismatch, _Mapping]] = ...) -> None: ...

class Envelope(_message.Message):
    __slots__ = ["acks", "authentication", "control", "heartbeat", "join", "leave", "policy", "protocol_version", "report", "report_batch", "status"]
    ACKS_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATION_FIELD_NUMBER: _ClassVar[int]
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    JOIN_FIELD_NUMBER: _ClassVar[int]
    LEAVE_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REPORT_BATCH_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    acks: Acks
    authentication: Authentication
    control: Control
    heartbeat: Heartbeat
    join: Join
    leave: Leave
    policy: Policy
    protocol_version: int
    report: Report
    report_batch: ReportBatch
    status: Status
    def __init__(self, protocol_version: _Optional[int] = ..., authentication: _Optional[_Union[Authentication, _Mapping]] = ..., join: _Optional[_Union[Join, _Mapping]] = ..., report: _Optional[_Union[Report, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., leave: _Optional[_Union[Leave, _Mapping]] = ..., report_batch: _Optional[_Union[ReportBatch, _Mapping]] = ..., policy: _Optional[_Union[Policy, _Mapping]] = ..., acks: _Optional[_Union[Acks, _Mapping]] = ..., control: _Optional[_Union[Control, _Mapping]] = ..., status: _Optional[_Union[Status, _Mapping]] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ["policy_version", "resend_floor", "unacknowledged", "worker"]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    RESEND_FLOOR_FIELD_NUMBER: _ClassVar[int]
    UNACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    policy_version: int
    resend_floor: int
    unacknowledged: int
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., policy_version: _Optional[int] = ..., unacknowledged: _Optional[int] = ..., resend_floor: _Optional[int] = ...) -> None: ...

class Join(_message.Message):
    __slots__ = ["categories", "hostname", "step_share", "supported_versions", "worker"]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    STEP_SHARE_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedScalarFieldContainer[str]
    hostname: str
    step_share: float
    supported_versions: _containers.RepeatedScalarFieldContainer[int]
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., supported_versions: _Optional[_Iterable[int]] = ..., step_share: _Optional[float] = ..., hostname: _Optional[str] = ..., categories: _Optional[_Iterable[str]] = ...) -> None: ...

class JoinAccepted(_message.Message):
    __slots__ = ["contiguous_through", "heartbeat_interval_ms", "lease_ms", "max_reports_per_frame", "policy", "worker"]
    CONTIGUOUS_THROUGH_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    LEASE_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_REPORTS_PER_FRAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    contiguous_through: int
    heartbeat_interval_ms: int
    lease_ms: int
    max_reports_per_frame: int
    policy: Policy
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., lease_ms: _Optional[int] = ..., heartbeat_interval_ms: _Optional[int] = ..., policy: _Optional[_Union[Policy, _Mapping]] = ..., contiguous_through: _Optional[int] = ..., max_reports_per_frame: _Optional[int] = ...) -> None: ...

class JoinRejected(_message.Message):
    __slots__ = ["reason", "worker"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    reason: str
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class Leave(_message.Message):
    __slots__ = ["last_sequence", "worker"]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    last_sequence: int
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., last_sequence: _Optional[int] = ...) -> None: ...

class LeaveAccepted(_message.Message):
    __slots__ = ["worker"]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ...) -> None: ...

class Policy(_message.Message):
    __slots__ = ["categories", "issued_at_ms", "policy_name", "probabilities", "values", "version"]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedScalarFieldContainer[str]
    issued_at_ms: int
    policy_name: str
    probabilities: _containers.RepeatedScalarFieldContainer[float]
    values: _containers.RepeatedScalarFieldContainer[float]
    version: int
    def __init__(self, version: _Optional[int] = ..., categories: _Optional[_Iterable[str]] = ..., probabilities: _Optional[_Iterable[float]] = ..., values: _Optional[_Iterable[float]] = ..., policy_name: _Optional[str] = ..., issued_at_ms: _Optional[int] = ...) -> None: ...

class ProtocolMismatch(_message.Message):
    __slots__ = ["received_version", "supported_versions", "worker"]
    RECEIVED_VERSION_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    received_version: int
    supported_versions: _containers.RepeatedScalarFieldContainer[int]
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., received_version: _Optional[int] = ..., supported_versions: _Optional[_Iterable[int]] = ...) -> None: ...

class Report(_message.Message):
    __slots__ = ["categories", "policy_version", "resend_floor", "sequence", "step_share", "worker"]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    RESEND_FLOOR_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STEP_SHARE_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedCompositeFieldContainer[CategoryStats]
    policy_version: int
    resend_floor: int
    sequence: int
    step_share: float
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., sequence: _Optional[int] = ..., policy_version: _Optional[int] = ..., step_share: _Optional[float] = ..., categories: _Optional[_Iterable[_Union[CategoryStats, _Mapping]]] = ..., resend_floor: _Optional[int] = ...) -> None: ...

class ReportBatch(_message.Message):
    __slots__ = ["reports"]
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    reports: _containers.RepeatedCompositeFieldContainer[Report]
    def __init__(self, reports: _Optional[_Iterable[_Union[Report, _Mapping]]] = ...) -> None: ...

class Status(_message.Message):
    __slots__ = ["authentication_failures", "duplicates_ignored", "malformed_messages", "policy", "rejections", "reports_accepted", "reports_rejected", "retired_workers", "totals", "uptime_ms", "workers"]
    class RejectionsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    AUTHENTICATION_FAILURES_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_IGNORED_FIELD_NUMBER: _ClassVar[int]
    MALFORMED_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_FIELD_NUMBER: _ClassVar[int]
    REPORTS_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REPORTS_REJECTED_FIELD_NUMBER: _ClassVar[int]
    RETIRED_WORKERS_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    UPTIME_MS_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    authentication_failures: int
    duplicates_ignored: int
    malformed_messages: int
    policy: Policy
    rejections: _containers.ScalarMap[str, int]
    reports_accepted: int
    reports_rejected: int
    retired_workers: int
    totals: _containers.RepeatedCompositeFieldContainer[CategoryTotals]
    uptime_ms: int
    workers: _containers.RepeatedCompositeFieldContainer[WorkerStatus]
    def __init__(self, policy: _Optional[_Union[Policy, _Mapping]] = ..., workers: _Optional[_Iterable[_Union[WorkerStatus, _Mapping]]] = ..., reports_accepted: _Optional[int] = ..., reports_rejected: _Optional[int] = ..., duplicates_ignored: _Optional[int] = ..., malformed_messages: _Optional[int] = ..., uptime_ms: _Optional[int] = ..., totals: _Optional[_Iterable[_Union[CategoryTotals, _Mapping]]] = ..., authentication_failures: _Optional[int] = ..., rejections: _Optional[_Mapping[str, int]] = ..., retired_workers: _Optional[int] = ...) -> None: ...

class WorkerAck(_message.Message):
    __slots__ = ["contiguous_through", "rejected", "selective", "worker"]
    CONTIGUOUS_THROUGH_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    SELECTIVE_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    contiguous_through: int
    rejected: int
    selective: _containers.RepeatedScalarFieldContainer[int]
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., contiguous_through: _Optional[int] = ..., selective: _Optional[_Iterable[int]] = ..., rejected: _Optional[int] = ...) -> None: ...

class WorkerIdentity(_message.Message):
    __slots__ = ["incarnation", "worker_id"]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    incarnation: int
    worker_id: str
    def __init__(self, worker_id: _Optional[str] = ..., incarnation: _Optional[int] = ...) -> None: ...

class WorkerStatus(_message.Message):
    __slots__ = ["hostname", "last_policy_version", "last_seen_ms_ago", "last_staleness", "mean_staleness", "reports_accepted", "reports_per_second", "samples_accepted", "state", "worker"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    LAST_POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_MS_AGO_FIELD_NUMBER: _ClassVar[int]
    LAST_STALENESS_FIELD_NUMBER: _ClassVar[int]
    MEAN_STALENESS_FIELD_NUMBER: _ClassVar[int]
    REPORTS_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REPORTS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    last_policy_version: int
    last_seen_ms_ago: int
    last_staleness: int
    mean_staleness: float
    reports_accepted: int
    reports_per_second: float
    samples_accepted: int
    state: str
    worker: WorkerIdentity
    def __init__(self, worker: _Optional[_Union[WorkerIdentity, _Mapping]] = ..., state: _Optional[str] = ..., last_seen_ms_ago: _Optional[int] = ..., last_policy_version: _Optional[int] = ..., last_staleness: _Optional[int] = ..., reports_per_second: _Optional[float] = ..., reports_accepted: _Optional[int] = ..., hostname: _Optional[str] = ..., samples_accepted: _Optional[int] = ..., mean_staleness: _Optional[float] = ...) -> None: ...
