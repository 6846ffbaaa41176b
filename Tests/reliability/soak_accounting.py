"""Accounting for every report of a soak: what the workers sent and saw acknowledged against
what the coordinator counted (the rules are in ``soak.py``'s docstring)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from coordinator_probe import Totals, status_totals
from processes import Process
from soak_result import SoakResult


@dataclass
class LedgerIncarnation:
    """One run of a ledger worker: its id, incarnation, ledger file, and summary if it drained."""

    worker: str
    incarnation: int
    ledger: Path
    process: Process
    killed: bool = False
    summary: Optional[dict] = None


@dataclass
class Acknowledged:
    """One incarnation's acknowledged sequences: everything up to ``contiguous``, and ``selective``."""

    contiguous: int = 0
    selective: Set[int] = field(default_factory=set)

    def covers(self, sequence: int) -> bool:
        return sequence <= self.contiguous or sequence in self.selective


def account(result: SoakResult, status: dict, churn_summaries: List[dict],
            incarnations: List[LedgerIncarnation]) -> None:
    """Fills in ``result``'s report counts, lost, double-counted and whether the totals are exact."""
    expected: Totals = defaultdict(lambda: [0, 0, 0.0, 0.0, 0.0])
    # Rows of the status, per incarnation: what the coordinator counted of each.
    rows = {(w["worker"]["worker_id"], int(w["worker"].get("incarnation", 0))): int(w.get("reports_accepted", 0))
            for w in status.get("workers", [])}
    counted_by: Dict[Tuple[str, int], int] = {}
    for summary in churn_summaries:
        if summary["acknowledged"] != summary["reports"] or summary["abandoned"]:
            result.problems.append(f"{summary['worker']} drained with unacknowledged reports: {summary}")
        result.reports_produced += summary["reports"]
        worker, incarnation = summary["worker"].rsplit("#", 1)  # "id#incarnation"
        counted_by[(worker, int(incarnation))] = summary["reports"]
        for entry in summary["categories"]:
            add(expected[entry["category"]], [entry["count"], entry["reports"], entry["sum_abs_advantage"],
                                              entry["sum_squared_advantage"], entry["sum_reward"]])
    unacknowledged: List[Tuple[LedgerIncarnation, List[dict]]] = []
    for record in incarnations:
        reports, acknowledged = read_ledger(record.ledger)
        result.reports_produced += len(reports)
        if record.summary is not None:
            if record.summary["acknowledged"] != record.summary["reports"] or record.summary["reports"] != len(reports):
                result.problems.append(f"{record.process.name} drained with unacknowledged reports: {record.summary}")
            counted = reports
        else:
            counted = [r for r in reports if acknowledged.covers(r["seq"])]
            rest = [r for r in reports if not acknowledged.covers(r["seq"])]
            result.in_flight_at_kill += len(rest)
            if rest:
                unacknowledged.append((record, rest))
        counted_by[(record.worker, record.incarnation)] = len(counted)
        for report in counted:
            for category, values in report["categories"].items():
                add(expected[category], [values[0], 1, *values[1:]])
    merged = status_totals(status)
    gap = difference(merged, expected)
    if gap:
        explained = explain(gap, merged, expected, unacknowledged)
        if explained is not None:
            for record, prefix in explained:
                counted_by[(record.worker, record.incarnation)] += len(prefix)
                result.counted_without_ack += len(prefix)
            gap = {}
    result.mismatches = [f"{category}: coordinator {merged.get(category)} != workers {expected.get(category)}"
                         for category in sorted(gap)]
    result.totals_exact = not gap
    result.reports_counted = sum(counted_by.values())
    for key, count in counted_by.items():
        if key in rows:
            result.lost += max(0, count - rows[key])
            result.double_counted += max(0, rows[key] - count)
    if gap and not result.lost and not result.double_counted:
        # Rows of retired incarnations are gone: the totals alone say which way it went.
        missing = sum(max(0, expected[c][1] - merged.get(c, [0, 0])[1]) for c in gap)
        extra = sum(max(0, merged.get(c, [0, 0])[1] - expected[c][1]) for c in gap)
        result.lost, result.double_counted = missing, extra


def add(into: List[float], values: List[float]) -> None:
    for index, value in enumerate(values):
        into[index] += value


def read_ledger(path: Path) -> Tuple[List[dict], Acknowledged]:
    """The reports a ledger worker wrote down, and every acknowledgement it received; a line
    cut short by SIGKILL was never sent (a report) or never acted on (an acknowledgement)."""
    reports = []
    acknowledged = Acknowledged()
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            break
        if "seq" in entry:
            reports.append(entry)
        else:
            acknowledged.contiguous = max(acknowledged.contiguous, entry["ack"])
            acknowledged.selective.update(entry["selective"])
    return reports, acknowledged


def dyadic(category: str) -> bool:
    """The ledger workers' categories: their sums are exact in any order."""
    return category.startswith("soak/")


def sums_agree(category: str, got: List[float], want: List[float]) -> bool:
    """Sums of the simulated student's advantages (not dyadic) may differ by rounding."""
    return all((g == w) if dyadic(category) else abs(g - w) <= 1e-9 * max(1.0, abs(w))
               for g, w in zip(got[2:], want[2:]))


def difference(merged: Totals, expected: Totals) -> Dict[str, List[float]]:
    """Merged minus expected, per category where they differ."""
    gap = {}
    for category in set(merged) | set(expected):
        got = merged.get(category, [0, 0, 0.0, 0.0, 0.0])
        want = expected.get(category, [0, 0, 0.0, 0.0, 0.0])
        if got[:2] != want[:2] or not sums_agree(category, got, want):
            gap[category] = [g - w for g, w in zip(got, want)]
    return gap


def explain(gap: Dict[str, List[float]], merged: Totals, expected: Totals,
            unacknowledged: List[Tuple[LedgerIncarnation, List[dict]]],
            budget: int = 200_000) -> Optional[List[Tuple[LedgerIncarnation, List[dict]]]]:
    """Prefixes of killed ledger workers' unacknowledged reports whose sum is exactly ``gap``:
    reports the coordinator made durable but died before acknowledging. None if there are none.
    (A ledger report also names every other category of its policy with count 0, so it moves
    their report counts too.)"""
    if any(not dyadic(c) and not sums_agree(c, merged.get(c, [0] * 5), expected.get(c, [0] * 5)) for c in gap):
        return None  # ledger reports add nothing to those sums
    candidates = [(record, rest) for record, rest in unacknowledged]
    chosen: List[int] = []
    visits = 0

    def remaining_after(prefixes: List[int]) -> Dict[str, List[float]]:
        left = {c: list(v) for c, v in gap.items()}
        for (record, rest), length in zip(candidates, prefixes):
            for report in rest[:length]:
                for category, values in report["categories"].items():
                    left.setdefault(category, [0, 0, 0.0, 0.0, 0.0])
                    add(left[category], [-values[0], -1, *(-v for v in values[1:])])
        return left

    def search(index: int) -> bool:
        nonlocal visits
        visits += 1
        if visits > budget:
            return False
        left = remaining_after(chosen)
        if any(v[0] < 0 or v[1] < 0 for v in left.values()):
            return False
        if index == len(candidates):
            return all(v[:2] == [0, 0] and (not dyadic(c) or v[2:] == [0.0, 0.0, 0.0]) for c, v in left.items())
        for length in range(len(candidates[index][1]) + 1):
            chosen.append(length)
            if search(index + 1):
                return True
            chosen.pop()
        return False

    if not search(0):
        return None
    return [(record, rest[:length]) for (record, rest), length in zip(candidates, chosen) if length]
