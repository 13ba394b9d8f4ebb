"""Fixtures for the web tests: a live ``symjac serve`` on a free loopback port, headless Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SYMJAC_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "web"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    """Base URL of ``symjac serve`` started from the checkout root (its derivations/ is the catalogue)."""
    pytest.importorskip("starlette", reason="the web extra is not installed")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "symjac.cli", "serve", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("symjac serve exited: " + (proc.stdout.read() or ""))
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("symjac serve did not start within 60 s")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's chromium + chromium-driver, installed by scripts/bootstrap)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    found = _chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium / chromedriver missing: scripts/bootstrap installs them (as root)")
        pytest.skip("chromium / chromedriver not installed (scripts/bootstrap installs them as root)")
    binary, driver_path = found
    profile = tempfile.mkdtemp(prefix="symjac-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,1000"):
        opts.add_argument(flag)
    from selenium.webdriver.chrome.service import Service

    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    drv.set_page_load_timeout(120)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def shot(browser):
    """``shot(name)`` saves a full-page screenshot under the test-artifact folder; returns its path."""

    def save(name: str) -> Path:
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1280, min(max(int(height) + 40, 800), 6000))
        path = ARTIFACTS / f"{name}.png"
        browser.save_screenshot(str(path))
        browser.set_window_size(1280, 1000)
        return path

    return save
