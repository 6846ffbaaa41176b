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


def test_the_readme_shows_the_trainer_examples_the_integration_tests_run():
    readme = (EXAMPLE.parents[1] / "README.md").read_text()
    for name in ("verl_grpo_curriculum.sh", "trl_grpo_curriculum.py"):
        assert (EXAMPLE.parent / name).read_text() in readme, f"README.md does not show examples/{name} as it is"
