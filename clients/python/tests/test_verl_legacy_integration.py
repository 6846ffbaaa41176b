"""verl 0.7.1, the last release with ``AbstractCurriculumSampler`` and
``data.sampler.class_path``: ``VerlCurriculumSampler`` selected by configuration alone. It runs
in a child process whose ``verl`` is 0.7.1 (installed with ``pip install --no-deps --target
DIR verl==0.7.1`` beside verl 0.9 and its dependencies; .ci/run does)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from processes import ROOT
from curriculum_client import StatusMonitor
from helpers import status_totals
from tiny_lm import write_prompts_parquet

LEGACY = Path(os.environ.get("CURRICULUM_VERL_LEGACY", ROOT / ".build-python" / "verl-0.7.1"))
STEP = Path(__file__).resolve().parent / "support" / "verl_legacy_step.py"
CATEGORIES = ["add", "mul", "sub"]


def test_verl_071_selects_the_sampler_by_config_and_its_update_reports(cluster, tmp_path):
    if not (LEGACY / "verl" / "experimental" / "dataset" / "sampler.py").is_file():
        pytest.skip(f"verl 0.7.1 is not at {LEGACY}: pip install --no-deps --target {LEGACY} verl==0.7.1")
    pytest.importorskip("torchdata", reason="verl's dependencies are not installed (pip install 'verl[verl-core]')")
    pytest.importorskip("pandas", reason="verl's dependencies are not installed (pip install 'verl[verl-core]')")
    coordinator = cluster.coordinator(extra=["--categories", ",".join(CATEGORIES)])
    data = write_prompts_parquet(tmp_path / "train.parquet", CATEGORIES)
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(LEGACY), os.environ.get("PYTHONPATH")])))
    with StatusMonitor(coordinator.status_url) as monitor:
        step = subprocess.run([sys.executable, str(STEP), "--broadcast", coordinator.broadcast_url,
                               "--requests", coordinator.requests_url, "--data", str(data),
                               "--model", str(tmp_path / "model")],
                              env=environment, capture_output=True, text=True, timeout=300)
        assert step.returncode == 0, step.stderr[-3000:]
        result = json.loads(step.stdout.strip().splitlines()[-1])
        assert result["verl"] == "0.7.1"
        status = monitor.wait_for(lambda s: s.reports_accepted == 1, timeout=30)
        assert status is not None, "the coordinator did not accept the step's report"
        expected = {c: result["totals"].get(c, [0, 0.0, 0.0, 0.0]) for c in CATEGORIES}
        assert status_totals(status) == expected
