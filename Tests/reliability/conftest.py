"""Fixtures for the reliability tests: the `curriculum` binary and a small tmpfs.

The process helpers are the Python client tests' (``clients/python/tests/processes.py``); the
binary comes from $CURRICULUM_BIN the same way. The soak's driver (``soak.py``) and the
policy watcher live beside these tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "clients" / "python" / "tests"))
sys.path.insert(0, str(HERE))

from binary_fixture import curriculum_bin  # noqa: E402,F401  (a fixture: registered by being named here)


@pytest.fixture
def small_tmpfs(tmp_path: Path):
    """A 4 MiB tmpfs mounted for the test and unmounted after it, whatever happened."""
    mountpoint = tmp_path / "small-disk"
    mountpoint.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN); CI runs as root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mountpoint)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        # Lazy: a coordinator that outlived the test must not leave the mount behind.
        subprocess.run(["umount", "--lazy", str(mountpoint)], capture_output=True)
