"""Where the browser tests find a Chromium, and what happens without one: skipped with one line, except where a
browser is required (CI), which then fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.conftest import PLAYWRIGHTS_OWN, browser_candidates, no_browser

ROOT = Path(__file__).resolve().parents[2]


def which_of(*found):
    return lambda name: f"/usr/bin/{name}" if name in found else None


def test_a_browser_named_in_the_environment_is_the_one_used():
    assert browser_candidates(env={"CHROMIUM": "/opt/chromium/chrome"}, which=which_of("chromium")) == ["/opt/chromium/chrome"]
    assert browser_candidates(env={"PLAYWRIGHT_CHROMIUM_EXECUTABLE": "/x/chrome"}, which=which_of()) == ["/x/chrome"]


def test_then_chromium_or_chrome_on_path_then_the_mac_apps_then_playwrights_own():
    env = {"CHROMIUM": ""}  # empty: not set
    assert browser_candidates(env=env, which=which_of("chromium", "google-chrome"), exists=lambda p: False) == [
        "/usr/bin/chromium", "/usr/bin/google-chrome", PLAYWRIGHTS_OWN]
    assert browser_candidates(env=env, which=which_of("chromium-browser"), exists=lambda p: False) == [
        "/usr/bin/chromium-browser", PLAYWRIGHTS_OWN]
    mac = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
    assert browser_candidates(env=env, which=which_of(), exists=lambda p: p == mac) == [mac, PLAYWRIGHTS_OWN]
    assert browser_candidates(env=env, which=which_of(), exists=lambda p: False) == [PLAYWRIGHTS_OWN]


def test_no_browser_skips_unless_one_is_required():
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        no_browser("no Chromium", env={})
    with pytest.raises(pytest.fail.Exception, match="no Chromium .*PLAYGROUND_REQUIRE_BROWSER is set"):
        no_browser("no Chromium", env={"PLAYGROUND_REQUIRE_BROWSER": "1"})


@pytest.mark.parametrize("required", [False, True])
def test_a_machine_without_chromium(tmp_path, required):
    """A browser test run where none of the places has a Chromium: one clear skip line, or a failure in CI."""
    (tmp_path / "test_page.py").write_text("def test_page(browser):\n    pass\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CHROMIUM", "PLAYWRIGHT_CHROMIUM_EXECUTABLE",
                                                            "PLAYGROUND_REQUIRE_BROWSER", "PYTEST_ADDOPTS")}
    env.update(PATH=str(tmp_path), PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "none"))  # nothing on PATH, none of Playwright's
    if required:
        env["PLAYGROUND_REQUIRE_BROWSER"] = "1"
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                          "-p", "tests.ui.conftest", str(tmp_path / "test_page.py")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    text = out.stdout + out.stderr
    if required:
        assert out.returncode == 1 and "1 error" in text and "failing instead of skipping" in text
    else:
        assert out.returncode == 0
        # README's command runs pytest -q, which lists no skip reasons: the one line comes from tests/conftest.py.
        (line,) = [line for line in text.splitlines() if "no Chromium found" in line]
        assert line.startswith("1 skipped: no Chromium found for the browser tests: set $CHROMIUM")
        assert "tried Playwright's own (not installed)" in line
