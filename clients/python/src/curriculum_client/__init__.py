"""A Python rollout worker for the distributed self-evolving curriculum coordinator.

It speaks ``Protocols/README.md`` (wire protocol version 2) over nng (``pynng``) with
protobuf frames, exactly like the Swift ``WorkerAgent``: join, cached policy,
``next_batch``, numbered reports with acknowledgements and retransmission,
heartbeats, reconnection and drain.

.. code-block:: python

    from curriculum_client import Worker

    with Worker("rollout-0", "tcp://head:7450", "tcp://head:7452", step_share=0.25) as worker:
        batch = worker.next_batch(64, timeout=30)
        worker.report(batch, {"math/easy": adv_easy, "math/hard": adv_hard})
"""

from . import wire
from .allocation import MULTINOMIAL, SYSTEMATIC, allocate, effective_probabilities
from .auth import (
    AuthenticationError,
    AuthenticationKey,
    Authenticator,
    HMACAuthenticator,
    KeyFileError,
    NoAuthentication,
    TLSSettings,
    load_keyring,
)
from .errors import (
    CurriculumError,
    DrainTimeout,
    InvalidReport,
    JoinRejected,
    OutboxFull,
    PolicyTimeout,
    ProtocolMismatch,
    WorkerStopped,
)
from .model import Batch, CategoryStats, Policy, WorkerCounters, advantage_statistics
from .outbox import DROP_OLDEST, REJECT_NEW, Outbox
from .proto import curriculum_pb2 as pb
from .sampler import CurriculumSampler, per_sample_mean
from .status import StatusMonitor, fetch_status
from .tracking import metrics_for_logger
from .worker import Worker

__version__ = "0.1.0"

__all__ = [
    "Worker",
    "Policy",
    "Batch",
    "CategoryStats",
    "WorkerCounters",
    "advantage_statistics",
    "Outbox",
    "DROP_OLDEST",
    "REJECT_NEW",
    "MULTINOMIAL",
    "SYSTEMATIC",
    "allocate",
    "effective_probabilities",
    "Authenticator",
    "NoAuthentication",
    "HMACAuthenticator",
    "AuthenticationKey",
    "AuthenticationError",
    "KeyFileError",
    "load_keyring",
    "TLSSettings",
    "CurriculumSampler",
    "per_sample_mean",
    "StatusMonitor",
    "fetch_status",
    "metrics_for_logger",
    "CurriculumError",
    "DrainTimeout",
    "InvalidReport",
    "JoinRejected",
    "OutboxFull",
    "PolicyTimeout",
    "ProtocolMismatch",
    "WorkerStopped",
    "pb",
    "wire",
]
