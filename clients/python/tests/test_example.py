"""The learner example runs end to end against two real coordinators (a short run)."""

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "arithmetic_curriculum.py"


def test_the_example_prints_its_comparison(curriculum_bin):
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--steps", "60", "--seeds", "1", "--eval-every", "20"],
        env={**os.environ, "CURRICULUM_BIN": str(curriculum_bin)}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "SEC curriculum" in out and "uniform (random)" in out and "area under the learning curve" in out
    assert "sec      seed 0: 60 reports" in out and "uniform  seed 0: 60 reports" in out
