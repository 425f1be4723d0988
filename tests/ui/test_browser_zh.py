"""The newcomer's walk in Simplified Chinese on default paths (tests/ui/newcomer.py): the page opened with
?lang=zh-CN, and the Runs tab on a page switched to Chinese by the header's switch. Nothing may be selected but
empty, no toast or error sentence may be English, no traceback may reach the app's log (issue 18)."""

from __future__ import annotations

import pytest

from tests.ui.newcomer import *  # noqa: F403 - the walk's tests, run in this module's language
from tests.ui.newcomer import runs_delete, runs_open_overlay, runs_resume


@pytest.fixture(scope="module", params=["zh-CN"])
def lang(request) -> str:
    return request.param


def test_runs_from_the_header_switch_overlay_resume_delete(walk):
    from playwright.sync_api import expect

    page = walk.open(lang_param=False)  # an English page on its Runs tab, switched by the header
    page.get_by_role("tab", name="Runs", exact=True).click()
    expect(page.locator("#runs-table")).to_contain_text("stopped (saved)")
    expect(page.locator("#runs-details")).to_contain_text("stopped (saved)")
    page.locator("#lang-select label", has_text="简体中文").click()
    expect(page.get_by_role("tab", name=walk.t("Internals"), exact=True)).to_be_visible()
    # The rows and the picked run's details the tab showed in English follow the switch, the tab left open; so
    # do the Train tab's estimate the server wrote as the page opened, and the switch's own (screen-reader) label.
    expect(page.locator("#runs-table tbody")).to_contain_text(walk.t("stopped (saved)"))
    expect(page.locator("#runs-details")).to_contain_text(walk.t("stopped (saved)"))
    expect(page.locator("#lang-select [data-testid=block-info]")).to_have_text(walk.t("Language"))
    walk.tab(page, "Train")
    expect(page.locator("#train-estimate")).to_contain_text(walk.lead("Expected here: {estimate} (an estimate; "
                                                                      "preparing the corpus and evaluations come on top)."))
    runs_open_overlay(walk, page)
    # What the server filled in English before the switch follows it too: the table's column names and the
    # model list's labels.
    expect(page.locator("#runs-table thead")).to_contain_text(walk.t("best val nats/char"))
    page.click("#model-select input")
    expect(page.get_by_role("option", name=walk.t(f"{walk.run_name} (run)"))).to_be_visible()
    page.keyboard.press("Escape")
    runs_resume(walk, page, past_the_stop=False)  # (trained on past its stop, then SIGTERM: the English walk's)
    page.click("#train-stop")
    expect(page.locator("#train-status")).to_contain_text(walk.t("Stopped"), timeout=120_000)
    runs_delete(walk, page)
