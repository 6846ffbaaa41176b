"""Fixtures: the Swift `curriculum` binary, coordinator and worker processes, temp ipc paths.

The binary is taken from $CURRICULUM_BIN, else the first of .build/release/curriculum,
.build/debug/curriculum and .build*/debug/curriculum (newest first) under the repository
root. Without one the interop tests are skipped, unless CURRICULUM_BIN is set (then a
missing file is an error). The process helpers live in `processes.py`, shared with
`Tests/observability`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from binary_fixture import curriculum_bin  # noqa: F401  (a fixture: registered by being named here)
from processes import Cluster, Coordinator, Process, find_curriculum_binary, wait_until

__all__ = ["Cluster", "Coordinator", "Process", "find_curriculum_binary", "wait_until"]


@pytest.fixture
def ipc_dir():
    """A short temporary directory for ipc:// socket paths (they are limited to ~100 bytes)."""
    path = tempfile.mkdtemp(prefix="cc-")
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def cluster(request, tmp_path, curriculum_bin):
    cluster = Cluster(curriculum_bin, tmp_path)
    yield cluster
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for process in cluster.processes:
            print(f"--- {process.name} ({' '.join(process.args[:2])}) log tail ---\n{process.log_tail()}")
    cluster.stop()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
