"""A real Prometheus server scrapes the coordinator while workers load it; its query API sees the series."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from .conftest import LoadedCoordinator, Process, free_port, http_get, wait_until

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
JOB = "curriculum"


class Prometheus:
    """Debian's ``prometheus`` scraping one target every second, and its HTTP query API."""

    def __init__(self, binary: str, target: str, directory: Path) -> None:
        config = directory / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
            f"scrape_configs:\n  - job_name: {JOB}\n    static_configs:\n      - targets: ['{target}']\n")
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process = Process(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={directory / 'data'}",
             f"--web.listen-address={self.url.split('//')[1]}", "--log.level=warn"],
            "prometheus", directory)

    def ready(self) -> bool:
        try:
            return http_get(self.url + "/-/ready", timeout=1)[0] == 200
        except OSError:
            return False

    def query(self, expression: str, at: Optional[float] = None) -> List[Dict[str, Any]]:
        """The ``result`` of an instant query (evaluated at ``at``, a Unix time, or now)."""
        parameters = {"query": expression, **({"time": f"{at:.3f}"} if at is not None else {})}
        code, body = http_get(f"{self.url}/api/v1/query?{urllib.parse.urlencode(parameters)}")
        answer = json.loads(body)
        assert code == 200 and answer["status"] == "success", f"{expression}: HTTP {code}: {answer}"
        return answer["data"]["result"]

    def scalar(self, expression: str, at: Optional[float] = None) -> Optional[float]:
        """The value of a one-element instant vector, or None when it is empty."""
        result = self.query(expression, at)
        assert len(result) <= 1, f"{expression}: {len(result)} series"
        return float(result[0]["value"][1]) if result else None


@pytest.fixture(scope="module")
def prometheus(loaded_coordinator: LoadedCoordinator, tmp_path_factory: pytest.TempPathFactory):
    if PROMETHEUS is None:
        pytest.skip("Debian's `prometheus` is not installed (apt-get install prometheus; .ci/run does)")
    target = urllib.parse.urlparse(loaded_coordinator.http_url).netloc
    server = Prometheus(PROMETHEUS, target, tmp_path_factory.mktemp("prometheus"))
    try:
        started = wait_until(lambda: server.ready() or server.process.popen.poll() is not None, 30, 0.1)
        assert started and server.process.popen.poll() is None, \
            f"prometheus did not become ready\n{server.process.log_tail()}"
        scraped = wait_until(lambda: server.scalar(f'up{{job="{JOB}"}}') == 1.0, 20, 0.2)
        assert scraped, f"the coordinator's target is not up\n{server.query('up')}\n{server.process.log_tail()}"
        yield server
    finally:
        server.process.stop()


def test_accepted_reports_counter_increases_between_scrapes(prometheus: Prometheus,
                                                            loaded_coordinator: LoadedCoordinator):
    # A range selector returns the raw samples, each stamped with the time of its scrape.
    selector = f'curriculum_reports_accepted_total{{job="{JOB}"}}[30s]'

    def samples() -> List[List[Any]]:
        result = prometheus.query(selector)
        return result[0]["values"] if result else []

    def two_scrapes_apart() -> bool:
        values = samples()
        return len(values) >= 2 and float(values[-1][1]) > float(values[0][1])

    assert wait_until(two_scrapes_apart, timeout=20, interval=0.25), \
        f"no increase in 20 s: {samples()}\n{loaded_coordinator.log_tails()}"
    scraped = samples()
    times = [float(t) for t, _ in scraped]
    counts = [float(v) for _, v in scraped]
    assert times == sorted(set(times)), f"scrape times do not increase: {times}"
    assert counts == sorted(counts), f"a counter went down between scrapes: {counts}"
    assert loaded_coordinator.reports_accepted() >= counts[-1]


def test_category_probabilities_sum_to_one_within_one_scrape(prometheus: Prometheus,
                                                             loaded_coordinator: LoadedCoordinator):
    categories = loaded_coordinator.status()["policy"]["categories"]
    gauge = f'curriculum_category_probability{{job="{JOB}"}}'
    # Evaluate in the past, past any scrape still being written, so every query at this
    # time reads the same samples.
    settled = lambda: time.time() - 3.0  # noqa: E731
    assert wait_until(lambda: prometheus.scalar(f"count({gauge})", settled()) == len(categories), 20, 0.25), \
        f"Prometheus does not hold {len(categories)} probability series: {prometheus.query(gauge)}"
    at = settled()
    scrape_times = {float(s["value"][1]) for s in prometheus.query(f"timestamp({gauge})", at)}
    assert len(scrape_times) == 1, f"the instant vector mixes scrapes: {sorted(scrape_times)}"
    names = {s["metric"]["category"] for s in prometheus.query(gauge, at)}
    assert names == set(categories)
    total = prometheus.scalar(f"sum({gauge})", at)
    assert total is not None and abs(total - 1.0) <= 1e-9, f"sum of probabilities at one scrape: {total!r}"


def test_promtool_accepts_the_exposition(loaded_coordinator: LoadedCoordinator):
    if PROMTOOL is None:
        pytest.skip("Debian's `promtool` (package prometheus) is not installed; .ci/run installs it")
    exposition = loaded_coordinator.metrics()
    checked = subprocess.run([PROMTOOL, "check", "metrics"], input=exposition, capture_output=True, text=True,
                             timeout=30)
    assert checked.returncode == 0, f"promtool check metrics: {checked.stdout}{checked.stderr}"
    # The same check refuses a counter without _total and HELP: it is not a rubber stamp.
    broken = subprocess.run([PROMTOOL, "check", "metrics"], input=exposition + "# TYPE broken counter\nbroken 1\n",
                            capture_output=True, text=True, timeout=30)
    assert broken.returncode != 0 and "broken" in broken.stdout + broken.stderr
