"""What a soak run measured, its summary table, and the bounds it is held to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

MIB = 1 << 20
#: The coordinator's journal threshold for a new snapshot: small, so that a 10-minute run
#: compacts many times and the state directory's size shows its bound rather than a ramp.
COMPACT_AFTER_MIB = 4
#: After the first minute the coordinator may hold at most this factor more memory than in the
#: first minute's second half. Measured (debug build, 2 cores): 47 MiB at minute 1, at most 55.
RSS_GROWTH = 1.25
#: The state directory is a snapshot plus a journal cut at COMPACT_AFTER_MIB; allowed on top:
#: one batch of records past the threshold, and a compaction caught halfway.
STATE_SLACK = 1 * MIB
#: Retirement (issue 18): an incarnation that left, was replaced or was lost is dropped from
#: the membership RETIRE_AFTER_S seconds later, and its final sequence is remembered for
#: RETIRED_EXPIRY_S (longer than any resend in the soak: drains give up after 60 s). With
#: signing the grace must exceed twice the clock-skew bound, hence CLOCK_SKEW_MS.
RETIRE_AFTER_S = 15
RETIRED_EXPIRY_S = 120
CLOCK_SKEW_MS = 5_000
#: Membership rows allowed beyond the live workers: about 1.3 incarnations finish each second
#: here (a churn worker leaves every second, a ledger worker is killed every 5 s), and each
#: keeps its row for one grace after it was last heard (after its lease, if lost; four graces
#: for a ledger with a gap that never closes). Measured: at most 40 beyond the 9 live workers.
MEMBERSHIP_TAIL = 4 * RETIRE_AFTER_S


@dataclass
class Sample:
    at: float
    rss: Optional[int]
    state_bytes: int
    snapshot_bytes: int
    rows: Optional[int]
    live_workers: int


@dataclass
class SoakResult:
    duration: float
    joins: int = 0
    leaves: int = 0
    worker_kills: int = 0
    coordinator_kills: int = 0
    #: ``(newest version a worker could have seen, version the restart resumed at)``.
    restarts: List[Tuple[int, int]] = field(default_factory=list)
    reports_counted: int = 0
    reports_produced: int = 0
    in_flight_at_kill: int = 0
    counted_without_ack: int = 0
    lost: int = 0
    double_counted: int = 0
    totals_exact: bool = False
    mismatches: List[str] = field(default_factory=list)
    rejections: Dict[str, int] = field(default_factory=dict)
    duplicates_ignored: int = 0
    samples: List[Sample] = field(default_factory=list)
    final_rows: int = 0
    retired_at_end: int = 0
    live_at_end: int = 0
    problems: List[str] = field(default_factory=list)

    def window(self, start: float, end: float) -> List[Sample]:
        return [s for s in self.samples if start <= s.at <= end]

    def rss_at(self, end: float, span: float = 30.0) -> int:
        """The largest RSS sampled in the ``span`` seconds up to ``end``."""
        return max((s.rss for s in self.window(end - span, end) if s.rss), default=0)

    def rss_after(self, start: float) -> int:
        return max((s.rss for s in self.samples if s.at > start and s.rss), default=0)

    def state_at(self, end: float, span: float = 60.0) -> int:
        """The state directory's largest size sampled in the ``span`` seconds up to ``end``:
        the journal grows until it is compacted into a new snapshot, so this is the peak."""
        return max((s.state_bytes for s in self.window(end - span, end)), default=0)

    def snapshot_at(self, end: float, span: float = 60.0) -> int:
        return max((s.snapshot_bytes for s in self.window(end - span, end)), default=0)

    def max_rows_after(self, start: float) -> int:
        return max((s.rows for s in self.samples if s.at >= start and s.rows is not None), default=0)

    def table(self) -> str:
        end = self.duration
        minute = min(60.0, end)
        header = ("| duration | joins | leaves | workers SIGKILLed | coordinator SIGKILLed | reports counted / produced "
                  "| lost | double-counted | coordinator RSS, minute 1 -> end | state dir peak, minute 1 -> end "
                  "| membership rows, most after minute 1 (live workers; retired at the end) |")
        rule = "|---:" * (header.count("|") - 1) + "|"
        length = f"{end / 60:.0f} min" if end >= 120 else f"{end:.0f} s"
        row = (f"| {length} | {self.joins:,} | {self.leaves:,} | {self.worker_kills:,} "
               f"| {self.coordinator_kills:,} | {self.reports_counted:,} / {self.reports_produced:,} "
               f"| {self.lost} | {self.double_counted} "
               f"| {self.rss_at(minute) / MIB:.1f} -> {self.rss_at(end) / MIB:.1f} MiB "
               f"(at most {self.rss_after(minute) / MIB:.1f}) "
               f"| {self.state_at(minute) / MIB:.2f} -> {self.state_at(end) / MIB:.2f} MiB "
               f"(snapshot {self.snapshot_at(minute) / 1024:.0f} -> {self.snapshot_at(end) / 1024:.0f} KiB) "
               f"| {self.max_rows_after(60.0):,} ({self.live_at_end}; {self.retired_at_end:,} retired) |")
        return "\n".join([header, rule, row])


def report(result: SoakResult) -> str:
    lines = ["", result.table(), "",
             f"reports: {result.reports_counted:,} counted of {result.reports_produced:,} produced; "
             f"{result.in_flight_at_kill} unacknowledged when their worker was SIGKILLed, "
             f"{result.counted_without_ack} of them counted without an acknowledgement; "
             f"{result.duplicates_ignored:,} duplicates ignored; refused frames by reason: {result.rejections or 'none'}",
             "coordinator restarts (newest version seen -> resumed at): "
             + ", ".join(f"{seen}->{resumed}" for seen, resumed in result.restarts)]
    problem = verdict(result)
    lines.append(f"verdict: {'PASS' if problem is None else 'FAIL: ' + problem}")
    return "\n".join(lines)


def verdict(result: SoakResult) -> Optional[str]:
    """None when the run met its bounds; otherwise what went wrong."""
    if result.problems:
        return "; ".join(result.problems[:5])
    if not result.totals_exact:
        return "totals differ: " + "; ".join(result.mismatches[:5])
    if result.lost or result.double_counted:
        return f"{result.lost} lost, {result.double_counted} double-counted"
    behind = [(seen, resumed) for seen, resumed in result.restarts if resumed < seen]
    if behind:
        return f"restarted behind a version workers had seen: {behind}"
    return bounds_broken(result)


def bounds_broken(result: SoakResult) -> Optional[str]:
    """Memory, state and membership after the first minute, against the bounds above."""
    if result.duration < 90:
        return None  # no first minute to compare with
    rss_minute_1, rss_later = result.rss_at(60.0), result.rss_after(60.0)
    if not 0 < rss_later <= RSS_GROWTH * rss_minute_1:
        return f"coordinator RSS {rss_minute_1 / MIB:.1f} MiB at minute 1, up to {rss_later / MIB:.1f} MiB later"
    later = [s for s in result.samples if s.at >= 60.0]
    state_bound = COMPACT_AFTER_MIB * MIB + max(s.snapshot_bytes for s in later) + STATE_SLACK
    if max(s.state_bytes for s in later) > state_bound:
        return f"state directory reached {max(s.state_bytes for s in later) / MIB:.2f} MiB > {state_bound / MIB:.2f} MiB"
    rows = max(result.max_rows_after(60.0), result.final_rows)
    if rows > max(s.live_workers for s in later) + MEMBERSHIP_TAIL:
        return f"{rows} membership rows for {result.live_at_end} live workers"
    return None
