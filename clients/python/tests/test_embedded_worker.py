"""The example package `examples/embedded-worker` (a Swift program that embeds `WorkerAgent`
from this repository's package by path) builds, runs against a real coordinator, and the
coordinator's totals equal what the example says it reported."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict, List

import pytest

from processes import ROOT

EXAMPLE = ROOT / "examples" / "embedded-worker"
# The root package's own build directory: the example then reuses the modules `swift test`
# already compiled (swift-crypto, swift-protobuf, the agent's modules) instead of building
# every dependency again.
SCRATCH = ROOT / ".build"


def build_example() -> Path:
    swift = shutil.which("swift")
    if swift is None:
        pytest.skip("no `swift` on PATH: the example package cannot be built")
    command = [swift, "build", "--package-path", str(EXAMPLE), "--scratch-path", str(SCRATCH),
               "--product", "EmbeddedWorker"]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    print(f"built the example in {time.monotonic() - started:.1f} s")
    shown = subprocess.run(command + ["--show-bin-path"], capture_output=True, text=True, timeout=120, check=True)
    return Path(shown.stdout.strip()) / "EmbeddedWorker"


def coordinator_status(curriculum_bin: Path, status_url: str) -> Dict:
    result = subprocess.run([str(curriculum_bin), "status", "--coordinator", status_url, "--json"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def totals_of(status: Dict) -> Dict[str, List[float]]:
    """`status --json` uses the proto field names; uint64 values are strings, zero values are left out."""
    return {
        entry["category"]: [float(entry.get("count", 0)), entry.get("sum_abs_advantage", 0.0),
                            entry.get("sum_squared_advantage", 0.0), entry.get("sum_reward", 0.0)]
        for entry in status.get("totals", [])
    }


def test_the_embedded_worker_example_reports_exactly_what_the_coordinator_merges(cluster, curriculum_bin):
    binary = build_example()
    coordinator = cluster.coordinator()
    result = subprocess.run(
        [str(binary), "--broadcast", coordinator.broadcast_url, "--requests", coordinator.requests_url,
         "--id", "embedded-7", "--steps", "25", "--batch", "12", "--categories", "embedded/easy,embedded/hard"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"the example exited with {result.returncode}:\n{result.stderr[-4000:]}"
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["worker"] == "embedded-7"
    assert summary["reports"] == 25 and summary["acknowledged"] == 25
    assert sum(values[0] for values in summary["totals"].values()) == 25 * 12

    # Drained means acknowledged, and the coordinator acknowledges only what it merged; the
    # status (every 100 ms here) may still predate the last merge, so wait for it.
    deadline = time.monotonic() + 30
    status = coordinator_status(curriculum_bin, coordinator.status_url)
    while int(status.get("reports_accepted", 0)) < 25 and time.monotonic() < deadline:
        time.sleep(0.1)
        status = coordinator_status(curriculum_bin, coordinator.status_url)
    assert int(status.get("reports_accepted", 0)) == 25
    assert int(status.get("reports_rejected", 0)) == 0
    assert totals_of(status) == summary["totals"]  # exact: every value is a multiple of 1/64
    workers = {entry["worker"]["worker_id"]: entry for entry in status["workers"]}
    assert workers["embedded-7"]["state"] == "left"
