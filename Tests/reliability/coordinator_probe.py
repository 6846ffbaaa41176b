"""Reading a coordinator from outside: ``/api/status``, ``/metrics``, its RSS, a directory's size."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Tuple

#: Per category: ``[count, reports, sum |A|, sum A^2, sum reward]``.
Totals = Dict[str, List[float]]


def get_json(http_url: str, path: str = "/api/status", timeout: float = 5.0) -> Dict[str, Any]:
    with urllib.request.urlopen(http_url + path, timeout=timeout) as response:
        return json.loads(response.read())


def metric(http_url: str, name: str, timeout: float = 5.0) -> float:
    """One unlabelled sample of ``/metrics``; 0 when the metric has not been recorded yet."""
    with urllib.request.urlopen(http_url + "/metrics", timeout=timeout) as response:
        text = response.read().decode()
    found = re.search(rf"^{re.escape(name)}(?:\{{\}})? (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def status_totals(status: Dict[str, Any]) -> Totals:
    """``/api/status`` uses the proto field names; uint64 values are strings, zeros are left out."""
    return {
        entry["category"]: [int(entry.get("count", 0)), int(entry.get("reports", 0)),
                            float(entry.get("sum_abs_advantage", 0.0)), float(entry.get("sum_squared_advantage", 0.0)),
                            float(entry.get("sum_reward", 0.0))]
        for entry in status.get("totals", [])
    }


def worker_rows(status: Dict[str, Any]) -> List[Tuple[str, int, str]]:
    """``(worker id, incarnation, state)`` of every membership row."""
    return [(w["worker"]["worker_id"], int(w["worker"].get("incarnation", 0)), w.get("state", ""))
            for w in status.get("workers", [])]


def rss_bytes(pid: int) -> int:
    """The process's resident set, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def directory_bytes(path: Path) -> Dict[str, int]:
    """Bytes of each file directly in ``path`` (a file being replaced may vanish meanwhile)."""
    sizes = {}
    for entry in os.scandir(path):
        try:
            sizes[entry.name] = entry.stat().st_size
        except FileNotFoundError:
            continue
    return sizes
