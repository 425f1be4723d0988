"""The app launched in-process on a free localhost port, with tiny local models (never the Hub), and the
headless-Chromium plumbing the browser tests share.

Screenshots go to a temporary folder; `PLAYGROUND_SCREENSHOTS=assets/screenshots pytest tests/ui` writes
the ones README shows (tests never rewrite tracked files on their own).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
from pathlib import Path

import pytest

# Where the browser tests look for a Chromium, in this order: a path the environment names; a Chromium or Chrome
# on PATH (Debian's `chromium`, which .ci/run installs; Ubuntu's `chromium-browser`; Google's); the usual macOS
# apps; last, the browser Playwright itself installed (`python -m playwright install chromium`).
BROWSER_VARIABLES = ("CHROMIUM", "PLAYWRIGHT_CHROMIUM_EXECUTABLE")
BROWSER_COMMANDS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_APPS = ("/Applications/Chromium.app/Contents/MacOS/Chromium",
                "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
PLAYWRIGHTS_OWN = None  # launch() without executable_path: the browser Playwright installed, if it did
# With this set (.ci/run sets it), no browser fails the run instead of skipping the browser tests.
REQUIRE_BROWSER = "PLAYGROUND_REQUIRE_BROWSER"
NO_BROWSER = "no Chromium found for the browser tests"  # tests/conftest.py reports skips that carry it once
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tiny_model_dir, peaky_model_dir, tmp_path_factory):
    from playground.ui import build_app, launch

    demo = build_app(models=[str(peaky_model_dir), str(tiny_model_dir)], runs_dir=str(tmp_path_factory.mktemp("runs")))
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture()
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


def save_small_png(png: bytes, path: Path) -> None:
    """Screenshots as 256-colour PNGs: a fraction of the size, no visible loss for a UI."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def browser_candidates(env=os.environ, which=shutil.which, exists=os.path.exists) -> list[str | None]:
    """Chromium executables to try, in order (PLAYWRIGHTS_OWN last). A path named in the environment is the only
    candidate: the tester asked for that one."""
    named = [env[v] for v in BROWSER_VARIABLES if env.get(v)]
    if named:
        return named[:1]
    found = [which(name) for name in BROWSER_COMMANDS] + [app for app in BROWSER_APPS if exists(app)]
    return [*dict.fromkeys(path for path in found if path), PLAYWRIGHTS_OWN]


def no_browser(why: str, env=os.environ):
    """Skip the browser tests with one line (tests/conftest.py prints it once), or fail them where a browser is
    required (CI)."""
    if env.get(REQUIRE_BROWSER, "") not in ("", "0"):
        pytest.fail(f"{why} (${REQUIRE_BROWSER} is set: failing instead of skipping)", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Python playwright (.ci/run installs Debian's): one for the whole run (each
    page gets its own context: no cookies or storage shared between tests)."""
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        no_browser(f"{NO_BROWSER}: Python playwright is not installed (pip install -r requirements-dev.txt)")
    expect.set_options(timeout=60_000)
    with sync_playwright() as p:
        tried = []
        for path in browser_candidates():
            try:
                browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
                break
            except Exception as e:  # not there, or it would not start (a snap's confinement): try the next one
                first = str(e).strip().splitlines()[0]
                tried.append(f"Playwright's own ({'not installed' if 'Executable doesn' in first else first[:100]})"
                             if path is PLAYWRIGHTS_OWN else f"{path} ({first[:100]})")
        else:
            no_browser(f"{NO_BROWSER}: set $CHROMIUM to one, or apt-get install chromium, or python -m playwright "
                       f"install chromium; tried {', '.join(tried)}")
        yield browser
        browser.close()


_open_pages: list = []


@pytest.fixture(scope="module", autouse=True)
def _close_pages():
    """A module's pages closed when it ends: an open page keeps polling the app (the Train tab's timer) and
    drawing, which costs the rest of the run CPU."""
    yield
    while _open_pages:
        page = _open_pages.pop()
        if not page.is_closed():
            page.context.close()


def new_page(browser, url: str, width: int = 1280, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1, accept_downloads=True)
    _open_pages.append(page)
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("#model-select")
    return page


def open_tab(page, name: str) -> None:
    from playwright.sync_api import expect

    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    # …and a moment for the page's opening events: without it a value typed at once could be lost (CI saw the
    # share link test's seed go missing), so the fixed wait stays.
    page.wait_for_timeout(300)


def set_number(page, selector: str, value) -> None:
    box = page.locator(f"{selector} input[type=number]").first
    box.fill(str(value))
    box.press("Enter")
    box.blur()


def pick_option(page, selector: str, name: str) -> None:
    page.click(f"{selector} input")
    page.get_by_role("option", name=name).click()


def shot(page, folder: Path, name: str) -> None:
    committed = bool(os.environ.get("PLAYGROUND_SCREENSHOTS"))
    page.wait_for_timeout(400 if committed else 100)  # let plotly finish its transition
    page.evaluate("() => document.querySelectorAll('.toast-wrap').forEach(e => e.remove())")  # no stray toasts
    png = page.screenshot(full_page=True)
    if committed:
        save_small_png(png, folder / name)  # the committed ones: small
    else:  # a temporary folder: as taken (quantizing costs ~0.3 s a shot, some 30 per run)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(png)
