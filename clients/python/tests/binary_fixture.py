"""The ``curriculum_bin`` fixture, shared by every suite that runs the built binary.

A conftest registers it by importing the name (pytest collects fixtures from a conftest's
namespace). It lives apart from ``processes`` so that scripts using ``processes`` (the soak)
do not need pytest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from processes import find_curriculum_binary


@pytest.fixture(scope="session")
def curriculum_bin() -> Path:
    path = find_curriculum_binary()
    if path is None:
        pytest.skip("no `curriculum` binary: build it (swift build --product curriculum) or set CURRICULUM_BIN")
    return path
