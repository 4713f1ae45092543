"""The running dashboard in Debian's chromium, headless: each page loads on 127.0.0.1,
shows its Dutch headings and (where it has one) a chart. A screenshot of every page is
kept under test-artifacts/browser/. Chromium is driven over the DevTools protocol
with the `websockets` package (pinned), so no browser driver is needed; `make
browser-deps` installs chromium when /usr/bin/chromium is missing."""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from websockets.sync.client import ClientConnection, connect

from llo.dashboard import PUBLISHED_DB_ENV
from llo.settings import PROJECT_DIR
from published_fixture import publish_pipeline

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "browser"
STARTUP_DEADLINE_S = 120  # how long to wait for a server or a page before giving up (a hang guard, not a check)
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--remote-debugging-port=0",
)
# page slug -> Dutch headings that must be visible, and whether the page draws a chart on the demo data
EXPECTED = {
    "overzicht": (["LLO-monitor Werk in Zicht: Overzicht", "Deelname in de laatste 4 weken, vergeleken met Nederland en de EU",
                   "Inwoners per doelgroep"], True),
    "ladder": (["LLO-monitor Werk in Zicht: Positieladder", "Verdeling over de treden",
                "Beweging op de ladder binnen 12 maanden"], True),
    "aansluiting-vinden": (["LLO-monitor Werk in Zicht: Aansluiting vinden", "Outputindicatoren", "Impactindicatoren"], True),
    "aansluiting-houden": (["LLO-monitor Werk in Zicht: Aansluiting houden", "Outputindicatoren"], True),
    "werkgevers": (["LLO-monitor Werk in Zicht: Werkgevers", "Outputindicatoren"], True),
    "inzet": (["LLO-monitor Werk in Zicht: Inzet en kosten", "Begroot en besteed per actie", "Kosten per deelnemer"], True),
    "wat-werkt": (["LLO-monitor Werk in Zicht: Wat werkt voor wie", "geen causaal effect", "Uitkomst"], True),
    "aanlevering": (["LLO-monitor Werk in Zicht: Kwaliteit aanlevering", "Quarantaine per reden", "Aangeleverde bestanden"], True),
    "catalogus": (["LLO-monitor Werk in Zicht: Indicatorcatalogus", "Onderdrukking."], False),
}
PAGE_STATE = """(() => {
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .filter(chart => chart.querySelector('canvas, svg') && chart.getBoundingClientRect().height > 50);
    // Streamlit shows a running icon while the script runs and skeletons until elements arrive
    const busy = document.querySelectorAll(
        '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]');
    return JSON.stringify({text: document.body.innerText, charts: charts.length,
                           tables: document.querySelectorAll('[data-testid="stDataFrame"]').length,
                           exceptions: document.querySelectorAll('[data-testid="stException"]').length,
                           running: busy.length > 0});
})()"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: object, what: str) -> object:
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"gave up waiting for {what}")


def stop(process: subprocess.Popen) -> None:
    """Stop a process we started, with everything it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def dashboard_url(pipeline: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on the generated demo data of the shared pipeline fixture."""
    root = tmp_path_factory.mktemp("browser")
    database = publish_pipeline(pipeline, root).published_db
    port = free_port()
    env = dict(os.environ, **{PUBLISHED_DB_ENV: str(database), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"})
    server = subprocess.Popen(
        [sys.executable, "-m", "llo.cli", "dashboard", "--port", str(port)],
        cwd=PROJECT_DIR, env=env, start_new_session=True,
        stdout=(root / "streamlit.log").open("w"), stderr=subprocess.STDOUT,
    )
    try:
        def healthy() -> bool:
            assert server.poll() is None, (root / "streamlit.log").read_text()
            try:
                return requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=5).text == "ok"
            except requests.ConnectionError:
                return False

        wait_until(healthy, "the dashboard's /_stcore/health")
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(server)


class Browser:
    """Just enough of the DevTools protocol: navigate, evaluate, screenshot."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    def call(self, method: str, **params: object) -> dict:
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=STARTUP_DEADLINE_S))
            if message.get("id") == message_id:
                assert "error" not in message, message["error"]
                return message.get("result", {})

    def state(self) -> dict:
        result = self.call("Runtime.evaluate", expression=PAGE_STATE, returnByValue=True)
        if "value" not in result["result"]:  # evaluated mid-navigation, before there is a body
            return {"text": "", "charts": 0, "tables": 0, "exceptions": 0, "running": True}
        return json.loads(result["result"]["value"])

    def screenshot(self, path: Path) -> None:
        image = self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(image["data"]))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "chromium is missing: run `make browser-deps` (apt-get install chromium)"
    profile = Path(tempfile.mkdtemp(prefix="llo-chromium-"))
    process = subprocess.Popen(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1400,900", "about:blank"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        wait_until(lambda: port_file.exists() and port_file.read_text().strip(), "chromium's DevTools port")
        port = port_file.read_text().split()[0]
        pages = wait_until(
            lambda: [target for target in requests.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json()
                     if target["type"] == "page"],
            "a chromium page",
        )
        with connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=30) as socket:
            session = Browser(socket)
            session.call("Page.enable")
            # tall enough for a whole page: Streamlit scrolls inside its own container, not the document
            session.call("Emulation.setDeviceMetricsOverride", width=1400, height=2200, deviceScaleFactor=1, mobile=False)
            yield session
    finally:
        stop(process)
        shutil.rmtree(profile, ignore_errors=True)


def load(browser: Browser, url: str, headings: list[str], wants_chart: bool) -> dict:
    """Navigate and wait until the headings (and a drawn chart) are there and the app is idle."""
    browser.call("Page.navigate", url=url)

    previous: list[dict] = []

    def rendered() -> dict | None:
        state = browser.state()
        complete = all(heading in state["text"] for heading in headings) and not state["running"]
        complete = complete and (state["charts"] > 0 or not wants_chart)
        settled = complete and previous == [state]  # the same on two polls in a row: done drawing
        previous[:] = [state]
        return state if settled else None

    return wait_until(rendered, f"{url} to show {headings}")


@pytest.fixture(scope="module")
def warmed_up(browser: Browser, dashboard_url: str) -> str:
    """The first load imports and caches; later loads then show a settled page."""
    headings, wants_chart = EXPECTED["overzicht"]
    load(browser, dashboard_url + "?pagina=overzicht", headings, wants_chart)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return dashboard_url


@pytest.mark.parametrize("slug", list(EXPECTED))
def test_page_shows_dutch_headings_and_a_chart(browser: Browser, warmed_up: str, slug: str) -> None:
    headings, wants_chart = EXPECTED[slug]
    state = load(browser, f"{warmed_up}?pagina={slug}", headings, wants_chart)
    assert state["exceptions"] == 0 and "Traceback" not in state["text"]
    assert state["tables"] >= 1
    if wants_chart:
        assert state["charts"] >= 1
    screenshot = ARTIFACTS / f"{slug}.png"
    browser.screenshot(screenshot)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
