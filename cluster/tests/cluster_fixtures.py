"""Fixtures of the cluster tests: the `curriculum` binary and a private one-node Slurm cluster.

Not a conftest.py: pytest runs this directory together with clients/python/tests, whose
modules `import conftest`, and two conftest modules outside packages would shadow each other.
Test modules import the fixtures they use from here.

The binary is $CURRICULUM_BIN (an error if that is not an executable file), else
.build/release/curriculum or .build/debug/curriculum under the repository root; without
one the tests that need it are skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from slurm_cluster import CLIENTS, DAEMONS, SlurmCluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def curriculum_bin() -> Path:
    explicit = os.environ.get("CURRICULUM_BIN")
    if explicit:
        path = Path(explicit).resolve()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise RuntimeError(f"CURRICULUM_BIN={explicit} is not an executable file")
        return path
    for path in (ROOT / ".build" / "release" / "curriculum", ROOT / ".build" / "debug" / "curriculum"):
        if path.is_file() and os.access(path, os.X_OK):
            return path
    pytest.skip("no `curriculum` binary: build it (swift build --product curriculum) or set CURRICULUM_BIN")


@pytest.fixture
def slurm():
    if os.geteuid() != 0:
        pytest.skip("the Slurm test starts munged, slurmctld and slurmd as root: run it as root (CI does)")
    missing = [name for name in DAEMONS + CLIENTS if shutil.which(name) is None]
    if missing:
        pytest.skip(f"Slurm is not installed (no {', '.join(missing)}): apt-get install slurm-wlm munge")
    # Short: munge's Unix socket lives under it, and socket paths are limited to ~100 bytes.
    root = Path(tempfile.mkdtemp(prefix="slurm-"))
    cluster = SlurmCluster(root)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
