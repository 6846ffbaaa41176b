"""The dashboard in headless Chromium (Debian's chromium and chromium-driver, PyPI selenium)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, Set

import pytest

from .conftest import LoadedCoordinator, wait_until

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("Debian's `chromium` and `chromium-driver` are not installed; .ci/run installs them")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    from selenium.webdriver.chrome.service import Service

    # With both paths given Selenium Manager is not run; offline, it could not fetch anything anyway.
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1250", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log")),
                              options=options)
    try:
        yield driver
    finally:
        driver.quit()


def read_page(driver) -> Dict[str, object]:
    """What the page shows now, read from its DOM in one script run."""
    return driver.execute_script("""
        const cells = (selector, key, cell) => Object.fromEntries([...document.querySelectorAll(selector)]
            .map((row) => [row.dataset[key], row.querySelector(cell)?.textContent ?? null]));
        return {
            version: document.getElementById("version").textContent,
            policy: document.getElementById("policy").textContent,
            ingest: document.getElementById("ingest-rate").textContent,
            error: document.getElementById("error").textContent,
            probabilities: cells("tr[data-category]", "category", "td.p"),
            values: cells("tr[data-category]", "category", "td.value"),
            reports: cells("tr[data-worker]", "worker", "td.reports"),
            loadedAt: window.performance.timeOrigin,
        };""")


def test_dashboard_shows_every_worker_and_category_and_updates_live(
        browser, loaded_coordinator: LoadedCoordinator, tmp_path: Path):
    status = loaded_coordinator.status()
    categories: Set[str] = set(status["policy"]["categories"])
    workers: Set[str] = {f'{w["worker"]["worker_id"]}#{w["worker"]["incarnation"]}' for w in status["workers"]}
    browser.get(loaded_coordinator.http_url + "/")

    def complete() -> bool:
        page = read_page(browser)
        return set(page["probabilities"]) == categories and set(page["reports"]) >= workers

    assert wait_until(complete, timeout=20, interval=0.2), f"the page never listed them all: {read_page(browser)}"
    first = read_page(browser)
    assert first["error"] == "" and first["policy"] == status["policy"]["policy_name"]
    shown = [float(p) for p in first["probabilities"].values()]
    # Shown with 4 decimals: each is off by at most 5e-5.
    assert abs(sum(shown) - 1.0) <= 5e-5 * len(shown), f"probabilities on the page: {first['probabilities']}"
    assert all(float(v) >= 0 for v in first["values"].values())

    def moved() -> bool:
        now = read_page(browser)
        return (int(now["version"]) > int(first["version"])
                and any(int(now["reports"][w]) > int(first["reports"][w]) for w in workers))

    assert wait_until(moved, timeout=15, interval=0.2), f"no update in 15 s: {first} -> {read_page(browser)}"
    second = read_page(browser)
    assert second["loadedAt"] == first["loadedAt"], "the page was reloaded"
    assert float(second["ingest"]) > 0

    screenshot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
