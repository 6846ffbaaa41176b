"""The curriculum's end inside a rollout worker, for Python trainers.

A :class:`Worker` dials the coordinator's broadcast and requests endpoints, joins, caches
the newest policy and serves :meth:`Worker.next_batch` from that cache, so drawing a batch
never waits on the network. Reports are numbered and kept in an outbox until the coordinator
acknowledges them; unacknowledged ones are sent again with backoff. While the
coordinator is away the worker keeps drawing from the last policy it had and buffers
reports up to the outbox's capacity. It is the Python twin of the Swift
``WorkerAgent`` and speaks ``Protocols/README.md``, version 2: every frame it sends is a
request on a raw REQ socket, answered by one reply that holds this worker's acknowledgements
(or its join or leave answer); the broadcast brings policies.

Three background threads serve the protocol: two receivers (policies from the broadcast;
acknowledgements, join and leave answers from the replies) and a sender, which sends new
reports as soon as it runs (all that are ready together in as few frames as allowed) and
runs the timers (joins until answered, heartbeats, retransmissions, reconnections). Every
public method is thread-safe.

.. code-block:: python

    with Worker("rollout-7", "tcp://head:7450", "tcp://head:7452", step_share=0.125) as worker:
        batch = worker.next_batch(32)          # categories drawn from the newest policy
        # ... generate, score, compute advantages for batch.assignments ...
        worker.report(batch, {"math/hard": advantages})
    # leaving the block drains: every report acknowledged, then LEAV
"""

from __future__ import annotations

import logging
import random
import socket as _socket
import threading
import time
from collections import OrderedDict, deque
from typing import (
    Any,
    Callable,
    Deque,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import numpy as np
import pynng

from . import report_encoding as encoding
from . import tracking, wire
from .allocation import MULTINOMIAL, allocate
from .auth import Authenticator, TLSSettings
from .errors import (
    DrainTimeout,
    InvalidReport,
    JoinRejected,
    OutboxFull,
    PolicyTimeout,
    ProtocolMismatch,
    WorkerStopped,
    CurriculumError,
)
from .model import Batch, CategoryStats, Policy, WorkerCounters
from .outbox import DROP_OLDEST, Outbox
from .proto import curriculum_pb2 as pb
from .receive_loop import receive_until_closed
from .request_socket import RequestSocket

__all__ = ["Worker"]

_log = logging.getLogger("curriculum_client")

ArrayLike = Any
_RECENT_POLICIES = 256
#: A batch frame stops taking reports past this many bytes, far under the 1 MiB receivers accept.
_BATCH_BYTE_BUDGET = 64 * 1024


class Worker:
    """A rollout worker's connection to the curriculum coordinator.

    Args:
        worker_id: this worker's stable name (for example ``rollout-17``); a restarted
            worker keeps it and gets a new ``incarnation``.
        broadcast_url: the coordinator's broadcast endpoint (its PUB socket), e.g.
            ``tcp://head:7450``; this worker's SUB socket dials it.
        requests_url: the coordinator's requests endpoint (its raw REP socket), e.g.
            ``tcp://head:7452``; this worker's raw REQ socket dials it and sends every frame
            there (joins, reports, heartbeats, leaves), and the replies come back on it.
        step_share: this worker's part of one training step's global batch, b / B, in (0, 1].
        categories: categories this worker can draw problems from, announced when it
            joins (the coordinator registers the ones it does not know).
        hostname: reported in the join (default: this host's name).
        incarnation: this process's run of the worker (default: a random 64-bit number).
        seed: seed of the batch draws and retransmission jitter (default: random).
        allocation: ``"multinomial"`` (B i.i.d. draws, as SEC) or ``"systematic"``.
        exploration_floor: minimum probability of every available category in a batch.
        outbox_capacity: unacknowledged reports kept for retransmission.
        overflow: ``"drop_oldest"`` (abandon the oldest, logged and counted) or
            ``"reject_new"`` (:class:`OutboxFull` to the caller) when the outbox is full.
        retransmit_timeout: first retransmission timeout in seconds; doubles per
            attempt up to ``max_retransmit_timeout``, with +-25% jitter.
        join_retry_interval: seconds between repeated joins until one is answered.
        tick_interval: seconds between runs of the protocol timers.
        reconnect_min, reconnect_max: nng's redial backoff, in seconds.
        drain_timeout: how long the context manager's exit waits for acknowledgements.
        tls: a :class:`TLSSettings` for ``tls+tcp://`` endpoints.
        authenticator: signs every outgoing frame, e.g. an :class:`HMACAuthenticator` for a
            coordinator started with ``--auth-keys`` (see :mod:`curriculum_client.auth`).
        on_acknowledged: called with ``(contiguous_through, selective)`` of every
            acknowledgement naming this worker (replies to reports and heartbeats, and the
            ``contiguous_through`` of a join answer), before the outbox forgets what it
            covers: for a process that must record what the coordinator confirmed. It runs on
            the receiver thread with the worker's lock held: it must be quick and must not
            call the worker.
        start: dial at once (otherwise call :meth:`start` or use ``with``).
    """

    def __init__(
        self,
        worker_id: str,
        broadcast_url: str,
        requests_url: str,
        *,
        step_share: float = 1.0,
        categories: Iterable[str] = (),
        hostname: Optional[str] = None,
        incarnation: Optional[int] = None,
        seed: Optional[int] = None,
        allocation: str = MULTINOMIAL,
        exploration_floor: float = 0.0,
        outbox_capacity: int = 65_536,
        overflow: str = DROP_OLDEST,
        retransmit_timeout: float = 0.25,
        max_retransmit_timeout: float = 5.0,
        join_retry_interval: float = 0.25,
        tick_interval: float = 0.02,
        reconnect_min: float = 0.1,
        reconnect_max: float = 2.0,
        drain_timeout: float = 30.0,
        tls: Optional[TLSSettings] = None,
        authenticator: Optional[Authenticator] = None,
        on_acknowledged: Optional[Callable[[int, Sequence[int]], None]] = None,
        start: bool = False,
    ) -> None:
        if not worker_id:
            raise ValueError("worker_id must not be empty")
        if not (0.0 < step_share <= 1.0):
            raise ValueError(f"step_share {step_share} is not in (0, 1]")
        if allocation not in ("multinomial", "systematic"):
            raise ValueError(f"unknown allocation method {allocation!r}")
        system = random.SystemRandom()
        self.worker_id = worker_id
        self.incarnation = int(incarnation) if incarnation is not None else system.randrange(1, 1 << 64)
        self.broadcast_url = broadcast_url
        self.requests_url = requests_url
        self.step_share = float(step_share)
        self.categories: Tuple[str, ...] = tuple(categories)
        self.hostname = hostname if hostname is not None else _socket.gethostname()
        self.allocation = allocation
        self.exploration_floor = exploration_floor
        self.join_retry_interval = join_retry_interval
        self.tick_interval = tick_interval
        self.reconnect_min = reconnect_min
        self.reconnect_max = reconnect_max
        self.drain_timeout = drain_timeout
        self.tls = tls
        self.authenticator = authenticator
        self._on_acknowledged = on_acknowledged
        seed = seed if seed is not None else system.getrandbits(63)
        self._rng = np.random.default_rng(seed)
        self._outbox = Outbox(
            capacity=outbox_capacity,
            overflow=overflow,
            initial_timeout=retransmit_timeout,
            maximum_timeout=max_retransmit_timeout,
            seed=seed ^ 0x6F75_7462_6F78,
        )
        self._identity = pb.WorkerIdentity(worker_id=worker_id, incarnation=self.incarnation)
        self._worker_field = encoding.identity_field(worker_id, self.incarnation)

        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._wake = threading.Event()
        self._connections: Deque[bool] = deque()  # appended by nng's pipe callbacks
        # Reports queued since the sender thread last flushed: it sends all of them at once,
        # in as few frames as allowed, so reports made faster than frames go out share frames.
        self._unsent: List[encoding.ReportRecord] = []
        # Set by drain(): run the protocol timers (retransmissions) at the next wake.
        self._tick_requested = False
        self._policy: Optional[Policy] = None
        self._recent: "OrderedDict[int, Tuple[str, ...]]" = OrderedDict()
        self._joined = False
        self._join_accepted: Optional[pb.JoinAccepted] = None
        self._last_join: Optional[float] = None
        self._heartbeat_interval = 2.0
        # From the join answer: how many reports may share a frame (1 until then, and with
        # coordinators that predate report batches).
        self._max_reports_per_frame = 1
        self._last_heartbeat: Optional[float] = None
        self._draining = False
        self._leave_accepted = False
        self._failure: Optional[CurriculumError] = None
        self._started = False
        self._closed = False
        self._counters = WorkerCounters()
        # For the staleness in metrics(): the last reported batch's version, and the sum
        # over reports of how far the held policy was ahead of the batch's.
        self._last_reported_version: Optional[int] = None
        self._staleness_total = 0
        self._sub: Optional[pynng.Sub0] = None
        self._requests: Optional[RequestSocket] = None
        self._threads: List[threading.Thread] = []
        if start:
            self.start()

    # ------------------------------------------------------------------ lifecycle

    @property
    def identity(self) -> Tuple[str, int]:
        """``(worker_id, incarnation)``."""
        return self.worker_id, self.incarnation

    def start(self) -> "Worker":
        """Dials both endpoints (non-blocking: the coordinator may start later) and starts
        the protocol threads. Returns ``self``."""
        with self._lock:
            if self._started:
                return self
            if self._closed:
                raise WorkerStopped("the worker is closed")
            self._started = True
        tls = self.tls.to_pynng() if self.tls is not None else None
        common: Dict[str, Any] = dict(
            reconnect_time_min=int(self.reconnect_min * 1000),
            reconnect_time_max=int(self.reconnect_max * 1000),
        )
        if tls is not None:
            common["tls_config"] = tls
        # 16 deep: a full SUB queue drops its oldest frame and each policy supersedes the
        # ones before, so a lagging worker never reads a backlog of stale policies.
        self._sub = pynng.Sub0(
            recv_timeout=100, recv_max_size=wire.MAX_FRAME_SIZE, recv_buffer_size=16, **common
        )
        for topic in wire.WORKER_SUBSCRIPTIONS:
            self._sub.subscribe(topic)
        # nng calls these from its own threads: only record the event and wake the timer.
        self._sub.add_post_pipe_connect_cb(lambda _pipe: self._connected(False))
        self._sub.dial(self.broadcast_url, block=False)
        self._requests = RequestSocket(
            self.requests_url, self.worker_id, self._receive, lambda: self._connected(True), common
        )
        _log.info(
            "%s: dialing broadcast=%s requests=%s", self._name, self.broadcast_url, self.requests_url
        )
        # The receiver first: _close_sockets finds it at index 0.
        for target, name in ((self._receive_loop, "receiver"), (self._timer_loop, "timer")):
            thread = threading.Thread(target=target, name=f"curriculum-{name}-{self.worker_id}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __enter__(self) -> "Worker":
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._closed:
            return
        try:
            self.drain(self.drain_timeout)
        except CurriculumError as error:
            if exc_type is None:
                raise
            _log.warning("%s: drain after an error failed: %s", self._name, error)
        finally:
            self.close()

    def close(self) -> None:
        """Stops at once: closes the sockets and ends the threads. Unacknowledged reports
        are lost (use :meth:`drain` first for a clean exit). Idempotent."""
        with self._lock:
            self._draining = True
            already = self._closed
            self._closed = True
            self._changed.notify_all()
        if not already:
            self._close_sockets()
        self._wake.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def drain(self, timeout: float = 30.0) -> None:
        """Stops taking reports, resends until the coordinator has acknowledged every one,
        sends ``LEAV`` until it is confirmed, and closes.

        Raises :class:`DrainTimeout` (after closing) if reports were still
        unacknowledged at the deadline; a leave that was not confirmed in time is
        only logged.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            if self._closed:
                return
            if not self._started:
                self._closed = True
                return
            self._draining = True
            self._outbox.expedite_all(time.monotonic())
            self._tick_requested = True
        self._wake.set()
        try:
            with self._lock:
                while len(self._outbox) and self._failure is None and not self._closed:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise DrainTimeout(len(self._outbox))
                    self._changed.wait(min(remaining, 0.1))
                if self._failure is not None:
                    raise self._failure
                if self._closed:
                    raise WorkerStopped("the worker was closed while draining")
                leave = pb.Leave(worker=self._identity, last_sequence=self._outbox.next_sequence - 1)
            while True:
                self._send_frames([self._frame("leave", leave)])
                with self._lock:
                    self._changed.wait_for(
                        lambda: self._leave_accepted or self._closed,
                        timeout=max(0.0, min(self.join_retry_interval, deadline - time.monotonic())),
                    )
                    if self._leave_accepted or self._closed:
                        break
                if time.monotonic() >= deadline:
                    _log.warning("%s: drained, but the coordinator did not confirm the leave", self._name)
                    break
            _log.info("%s: drained after %d reports", self._name, self._counters.reports_acknowledged)
        finally:
            self.close()

    # ------------------------------------------------------------------ policies and batches

    def current_policy(self, timeout: Optional[float] = None) -> Policy:
        """The newest policy, waiting up to ``timeout`` seconds (None: forever) for the first
        one that names at least one category."""
        return self._wait_policy(None, timeout)

    def next_policy(self, after: int, timeout: Optional[float] = None) -> Policy:
        """The first policy adopted with a version above ``after``: for a trainer that must
        not draw twice from one step's policy."""
        return self._wait_policy(after, timeout)

    @property
    def policy(self) -> Optional[Policy]:
        """The cached policy, or None before the first arrives (never waits)."""
        with self._lock:
            return self._policy

    def next_batch(
        self, size: int, excluding: Iterable[str] = (), timeout: Optional[float] = None
    ) -> Batch:
        """Draws the categories of a batch of ``size`` samples from the newest policy.

        ``excluding`` names categories this worker has no problems left in; their
        probability is spread over the others. Waits up to ``timeout`` seconds for the
        first policy (:class:`PolicyTimeout`).
        """
        if size < 0:
            raise ValueError(f"batch size {size} is negative")
        policy = self.current_policy(timeout)
        excluded = set(excluding)
        available = None if not excluded else [c not in excluded for c in policy.categories]
        with self._lock:
            counts = allocate(
                size,
                policy.probabilities,
                self._rng,
                method=self.allocation,
                available=available,
                exploration_floor=self.exploration_floor,
            )
        return Batch(policy.version, policy.categories, tuple(int(n) for n in counts))

    # ------------------------------------------------------------------ reports

    def report(
        self,
        batch: Union[Batch, int],
        advantages: Optional[Mapping[str, ArrayLike]] = None,
        rewards: Optional[Mapping[str, ArrayLike]] = None,
        *,
        statistics: Optional[Iterable[CategoryStats]] = None,
        group_size: Optional[int] = None,
    ) -> int:
        """Queues one batch's statistics for the sender thread, which sends them at once, in one
        frame with any other reports ready then. Returns the report's sequence number.

        Args:
            batch: the :class:`Batch` from :meth:`next_batch`, or the policy version the
                batch was drawn under.
            advantages: ``{category: per-sample advantages}`` (numpy arrays, lists, CPU
                torch tensors); counts, sums of |A| and A^2 are computed here.
            rewards: optional ``{category: per-sample rewards}``, same lengths.
            statistics: precomputed :class:`CategoryStats`, instead of or besides ``advantages``.
            group_size: G, when each category's samples are prompt groups of G consecutive
                responses: the report then counts the groups and the zero-variance ones
                (all G rewards equal), which band-pass admission uses. Needs ``rewards``.

        Every category of the batch's policy that is not given gets an empty entry
        (count 0), as the protocol asks, so the coordinator's share-aware merge moves
        each arm by exactly one step however many workers split the batch. With a bare
        version, the categories of that version's policy are filled in if this worker
        received it.

        Raises :class:`InvalidReport` for statistics the coordinator would reject,
        :class:`OutboxFull` when the outbox is full under ``reject_new``, and
        :class:`WorkerStopped` once draining or closed.
        """
        with self._lock:
            self._check_open()
        entries: List[CategoryStats] = list(statistics or ())
        if advantages:
            rewards = rewards or {}
            unknown = set(rewards) - set(advantages)
            if unknown:
                raise InvalidReport(f"rewards for categories without advantages: {sorted(unknown)}")
            entries += [
                CategoryStats.from_advantages(c, a, rewards.get(c), group_size) for c, a in advantages.items()
            ]
        if isinstance(batch, Batch):
            version = batch.policy_version
            policy_categories: Optional[Sequence[str]] = batch.categories
        else:
            version = int(batch)
            if version < 0:
                raise InvalidReport(f"policy version {version} is negative")
            with self._lock:
                policy_categories = self._recent.get(version)
        named = tuple(e.category for e in entries)
        if len(named) > 1 and len(set(named)) != len(named):
            raise InvalidReport(f"a category appears twice: {list(named)}")
        for entry in entries:
            entry.validate()
        encoded = [encoding.entry_of(e) for e in entries]
        if policy_categories:
            encoded.append(encoding.empty_entries(policy_categories, named))
        if not any(encoded):
            raise InvalidReport("a report needs at least one category")
        record = encoding.ReportRecord(self._worker_field, version, self.step_share, encoded)
        with self._lock:
            self._check_open()
            sequence, dropped = self._outbox.enqueue(record, time.monotonic())
            if sequence is None:
                raise OutboxFull(self._outbox.capacity)
            if dropped is not None:
                self._counters.reports_abandoned += 1
                _log.warning(
                    "%s: outbox full: abandoned unacknowledged report %d (capacity %d)",
                    self._name, dropped, self._outbox.capacity,
                )
            counters = self._counters
            counters.reports_queued += 1
            counters.samples_queued += entries[0].count if len(entries) == 1 else sum(e.count for e in entries)
            self._last_reported_version = version
            if self._policy is not None and self._policy.version > version:
                self._staleness_total += self._policy.version - version
            unsent = self._unsent
            unsent.append(record)
            first = len(unsent) == 1
        if first:
            self._wake.set()  # the sender thread flushes
        return sequence

    def wait_until_unacknowledged(self, at_most: int, timeout: Optional[float] = None) -> bool:
        """Waits until at most ``at_most`` reports are unacknowledged (a credit window for a
        producer faster than the coordinator). Returns False on timeout."""
        with self._lock:
            ok = self._changed.wait_for(
                lambda: len(self._outbox) <= at_most or self._failure is not None or self._closed,
                timeout=timeout,
            )
            if self._failure is not None:
                raise self._failure
            if len(self._outbox) > at_most and self._closed:
                raise WorkerStopped("the worker is closed")
            return bool(ok)

    def wait_joined(self, timeout: Optional[float] = None) -> bool:
        """Waits until the coordinator has accepted this worker's join. False on timeout."""
        with self._lock:
            self._changed.wait_for(
                lambda: self._joined or self._failure is not None or self._closed, timeout=timeout
            )
            if self._failure is not None:
                raise self._failure
            return self._joined

    # ------------------------------------------------------------------ introspection

    @property
    def unacknowledged(self) -> int:
        """Reports sent and not yet acknowledged."""
        with self._lock:
            return len(self._outbox)

    @property
    def joined(self) -> bool:
        with self._lock:
            return self._joined

    @property
    def counters(self) -> WorkerCounters:
        """A snapshot of what this worker has done."""
        with self._lock:
            return WorkerCounters(**self._counters.as_dict())

    def metrics(self) -> Dict[str, float]:
        """The curriculum as a flat ``{name: float}`` for the trainer's logger, e.g.
        ``logger.log(data=worker.metrics(), step=step)``: ``curriculum/p/<category>``,
        ``curriculum/value/<category>``, ``curriculum/entropy``, ``curriculum/version``,
        ``curriculum/staleness``, ``curriculum/staleness_mean`` and
        ``curriculum/worker/<counter>`` (names in :mod:`curriculum_client.tracking`)."""
        with self._lock:
            policy = self._policy
            counters = self._counters.as_dict()
            unacknowledged = len(self._outbox)
            last_reported_version = self._last_reported_version
            staleness_total = self._staleness_total
        return tracking.worker_metrics(policy, counters, unacknowledged, last_reported_version, staleness_total)

    @property
    def lease_ms(self) -> Optional[int]:
        with self._lock:
            return self._join_accepted.lease_ms if self._join_accepted is not None else None

    def __repr__(self) -> str:
        return f"Worker({self.worker_id!r}, incarnation={self.incarnation})"

    # ------------------------------------------------------------------ protocol internals

    @property
    def _name(self) -> str:
        return f"{self.worker_id}#{self.incarnation}"

    def _check_open(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._draining or self._closed:
            raise WorkerStopped("the worker is draining or closed")

    def _wait_policy(self, after: Optional[int], timeout: Optional[float]) -> Policy:
        def usable() -> bool:
            # A coordinator started without --categories publishes an empty policy until a
            # worker's join registers some: there is nothing to draw from in it yet.
            policy = self._policy
            return policy is not None and bool(policy.categories) and (after is None or policy.version > after)

        def ready() -> bool:
            return usable() or self._failure is not None or self._closed

        with self._lock:
            if not self._started and not ready():
                raise WorkerStopped("the worker is not started: call start() or use `with`")
            if not self._changed.wait_for(ready, timeout=timeout):
                raise PolicyTimeout(
                    f"no policy{'' if after is None else f' newer than {after}'} within {timeout} s "
                    f"from {self.broadcast_url}"
                )
            if usable():
                assert self._policy is not None
                return self._policy
            if self._failure is not None:
                raise self._failure
            raise WorkerStopped("the worker is closed")

    def _connected(self, requests: bool) -> None:
        self._connections.append(requests)
        self._wake.set()

    def _frame(self, body: str, message: Any) -> bytes:
        data = wire.encode(body, message)
        return self.authenticator.sign(data) if self.authenticator is not None else data

    def _send_frames(self, frames: Sequence[bytes]) -> None:
        # Frames that do not go out (no connection, a full queue, closed) stay due: the outbox
        # resends reports, joins and leaves are repeated until answered.
        requests = self._requests
        if requests is not None and frames:
            requests.send(frames)

    def _join_frame(self, now: float) -> bytes:
        self._last_join = now
        join = pb.Join(
            worker=self._identity,
            supported_versions=list(wire.SUPPORTED_VERSIONS),
            step_share=self.step_share,
            hostname=self.hostname,
            categories=list(self.categories),
        )
        return self._frame("join", join)

    def _timer_loop(self) -> None:
        """The sender: flushes new reports whenever woken, and runs the protocol timers every
        ``tick_interval`` (at once on a new connection or a drain)."""
        next_tick = time.monotonic()
        while True:
            self._wake.wait(max(0.0, next_tick - time.monotonic()))
            self._wake.clear()
            if self._closed:
                return
            try:
                self._flush()
                now = time.monotonic()
                if now >= next_tick or self._connections or self._tick_requested:
                    self._tick(now)
                    next_tick = now + self.tick_interval
            except Exception:  # pragma: no cover - keep the protocol alive
                _log.exception("%s: timer failed", self._name)

    def _flush(self) -> None:
        """Sends the reports queued since the last flush that are still unacknowledged."""
        with self._lock:
            if not self._unsent:
                return
            records = [r for r in self._unsent if r.sequence in self._outbox]
            self._unsent = []
            frames = self._report_frames(records)
        self._send_frames(frames)

    def _tick(self, now: float) -> None:
        frames: List[bytes] = []
        with self._lock:
            self._tick_requested = False
            if self._failure is not None:
                return
            while self._connections:
                requests = self._connections.popleft()
                self._counters.connections += 1
                # A new connection: the coordinator may have restarted, so join again
                # (which also brings the current policy) and resend what is pending now.
                # Answers come back on the requests connection: until one does, this worker
                # counts itself as not joined.
                if requests:
                    self._joined = False
                self._outbox.expedite_all(now)
                if not self._draining:
                    frames.append(self._join_frame(now))
            if (
                not self._joined
                and not self._draining
                and (self._last_join is None or now - self._last_join >= self.join_retry_interval)
            ):
                frames.append(self._join_frame(now))
            if self._joined and (
                self._last_heartbeat is None or now - self._last_heartbeat >= self._heartbeat_interval
            ):
                self._last_heartbeat = now
                self._counters.heartbeats_sent += 1
                beat = pb.Heartbeat(
                    worker=self._identity,
                    policy_version=self._policy.version if self._policy is not None else 0,
                    unacknowledged=len(self._outbox),
                    resend_floor=self._outbox.resend_floor,
                )
                frames.append(self._frame("heartbeat", beat))
            due = self._outbox.due(now)
            self._counters.retransmissions += len(due)
            frames.extend(self._report_frames(due))
        self._send_frames(frames)

    def _report_frames(self, reports: Sequence[encoding.ReportRecord]) -> List[bytes]:
        """``reports`` in order, in as few REPT frames as the coordinator's per-frame limit
        and the byte budget allow: reports made together, and a backlog resent after a
        reconnection, go in batches."""
        frames: List[bytes] = []
        limit = self._max_reports_per_frame
        start = 0
        while start < len(reports):
            end = start + 1
            size = encoding.batched_size(reports[start])
            while end < len(reports) and end - start < limit:
                size += encoding.batched_size(reports[end])
                if size > _BATCH_BYTE_BUDGET:
                    break
                end += 1
            frames.append(self._report_frame(reports[start:end]))
            start = end
        return frames

    def _report_frame(self, group: Sequence[encoding.ReportRecord]) -> bytes:
        self._counters.report_frames_sent += 1
        data = encoding.report_frame(group)
        return self.authenticator.sign(data) if self.authenticator is not None else data

    def _receive_loop(self) -> None:
        """The broadcast's receiver; replies reach :meth:`_receive` from the request socket's."""
        assert self._sub is not None
        receive_until_closed(self._sub, self._receive, lambda: self._closed, name=self._name)

    def _receive(self, data: bytes) -> None:
        try:
            body, envelope = wire.decode(data)
        except wire.WireError as error:
            with self._lock:
                self._counters.malformed_frames += 1
            _log.warning("%s: dropped a frame from the coordinator: %s", self._name, error)
            return
        with self._lock:
            if body == "policy":
                self._adopt(envelope.policy, authoritative=False)
            elif body == "acks":
                for ack in envelope.acks.workers:
                    worker = ack.worker
                    if worker.incarnation == self.incarnation and worker.worker_id == self.worker_id:
                        self._acknowledge(ack.contiguous_through, ack.selective, ack.rejected)
            elif body == "control":
                self._control(envelope.control)

    def _control(self, control: pb.Control) -> None:
        kind = control.WhichOneof("kind")
        if kind is None:
            return
        answer = getattr(control, kind)
        if answer.worker != self._identity:
            return
        if kind == "join_accepted":
            if not self._joined:
                self._counters.joins += 1
                _log.info("%s: joined at policy version %d", self._name, answer.policy.version)
            self._joined = True
            self._join_accepted = answer
            self._heartbeat_interval = max(answer.heartbeat_interval_ms, 10) / 1000.0
            self._max_reports_per_frame = max(1, answer.max_reports_per_frame)
            # The join answer is authoritative: a coordinator that restarted without
            # its state may publish lower versions than this worker saw.
            self._adopt(answer.policy, authoritative=True)
            self._acknowledge(answer.contiguous_through, (), None)
            self._changed.notify_all()
        elif kind == "join_rejected":
            _log.error("%s: the coordinator rejected the join: %s", self._name, answer.reason)
            self._fail(JoinRejected(answer.reason))
        elif kind == "protocol_mismatch":
            _log.error("%s: no common protocol version (coordinator: %s)", self._name, list(answer.supported_versions))
            self._fail(ProtocolMismatch(answer.supported_versions))
        elif kind == "leave_accepted":
            self._leave_accepted = True
            self._changed.notify_all()

    def _adopt(self, message: pb.Policy, authoritative: bool) -> None:
        if not authoritative and self._policy is not None and self._policy.version >= message.version:
            return  # under load the coordinator re-publishes a version once per batch it takes in
        policy = Policy.from_proto(message)
        if policy is None:
            self._counters.malformed_frames += 1
            _log.warning("%s: dropped policy %d whose arrays differ in length", self._name, message.version)
            return
        self._policy = policy
        self._recent[policy.version] = policy.categories
        self._recent.move_to_end(policy.version)
        while len(self._recent) > _RECENT_POLICIES:
            self._recent.popitem(last=False)
        self._counters.policies_received += 1
        self._changed.notify_all()

    def _acknowledge(self, contiguous_through: int, selective: Sequence[int], rejected: Optional[int]) -> None:
        if self._on_acknowledged is not None:
            self._on_acknowledged(contiguous_through, selective)
        settled = self._outbox.acknowledge(contiguous_through, selective)
        self._counters.reports_acknowledged += settled
        if rejected is not None:
            self._counters.reports_rejected_by_coordinator = max(
                self._counters.reports_rejected_by_coordinator, rejected
            )
        if settled:
            self._changed.notify_all()

    def _fail(self, error: CurriculumError) -> None:
        """Called with the lock held: records a final error and stops the sockets."""
        self._failure = error
        self._draining = True
        self._closed = True
        self._changed.notify_all()
        # Closing from inside the receiver is safe (it is not blocked in recv now).
        threading.Thread(target=self._close_sockets, daemon=True).start()

    def _close_sockets(self) -> None:
        # The broadcast's receiver ends first (it sees _closed within a receive timeout), so no
        # timed receive is pending when its socket closes (RequestSocket.close says why).
        receiver = self._threads[0] if self._threads else None
        if receiver is not None and receiver is not threading.current_thread():
            receiver.join(timeout=5)
        for sock in (self._sub, self._requests):
            if sock is not None:
                try:
                    sock.close()
                except Exception:  # pragma: no cover
                    pass
