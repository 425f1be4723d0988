"""One person's session in headless Chromium: every tab, end to end, with a screenshot of each.

Drives Debian's chromium through Python playwright (`.ci/run` installs it with apt-get). The screenshots
go to a temporary folder, or to assets/screenshots (the ones README shows) with
PLAYGROUND_SCREENSHOTS=assets/screenshots.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.ui.conftest import new_page, open_tab, set_number
from tests.ui.conftest import shot as _shot

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def page(app_url, browser):
    page = new_page(browser, app_url)
    yield page
    page.close()


@pytest.fixture(scope="module")
def shot(shots_dir):
    return lambda page, name: _shot(page, shots_dir, name)


def test_a_whole_session(page, shot):
    from playwright.sync_api import expect

    # Every tab opens, in the contract's order.
    page.get_by_role("tab", name="Evaluate").wait_for()
    tabs = page.get_by_role("tab")
    assert [t.strip() for t in tabs.all_inner_texts()] == ["Data", "Train", "Runs", "Generate", "Decoding lab", "Compare", "Evaluate", "Internals"]

    # Data: upload a small corpus and prepare it.
    open_tab(page, "Data")
    page.locator("#corpus-upload input[type=file]").set_input_files(str(DATA / "macbeth.txt"))
    expect(page.locator("#data-message")).to_contain_text("uploaded")
    assert page.locator("#corpus-preview textarea").input_value().startswith("Macbeth")
    set_number(page, "#data-block", 128)  # a from-scratch model's context is its block: room for 100 new tokens
    page.click("#data-prepare")
    expect(page.locator("#data-message")).to_contain_text("Ready: macbeth.txt")
    expect(page.locator("#data-stats")).to_contain_text("train examples")
    page.wait_for_selector("#data-hist .main-svg")
    shot(page, "data.png")

    # Train: a tiny model from scratch; the live chart fills in while it runs; then Stop.
    open_tab(page, "Train")
    expect(page.locator("#train-source")).to_be_visible()
    page.click("#train-tokenizer input")
    page.get_by_role("option", name="BPE trained on the corpus: 1 024 tokens").click()
    set_number(page, "#train-max-steps", 400)
    set_number(page, "#train-batch-size", 4)
    page.get_by_text("Advanced", exact=True).click()
    set_number(page, "#train-eval-every", 5)
    page.click("#train-start")
    expect(page.locator("#train-status")).to_contain_text("Training", timeout=90_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#loss-plot .legendtext')].some(e => e.textContent === 'val loss')",
        timeout=120_000)
    page.wait_for_function(  # a few evaluations, so the chart has a shape
        "() => +((document.querySelector('#train-status').innerText.match(/step (\\d+)/) || [0, 0])[1]) >= 25",
        timeout=120_000)
    steps_seen = page.locator("#train-status").inner_text()
    page.wait_for_function("seen => document.querySelector('#train-status').innerText !== seen", arg=steps_seen,
                           timeout=10_000)  # the timer redraws: the step count moves on
    shot(page, "train.png")
    page.click("#train-stop")
    expect(page.locator("#train-status")).to_contain_text("Stopped", timeout=60_000)
    expect(page.locator("#train-download")).to_be_visible()

    # Generate: streaming output from the model just trained (it is now the selected one).
    open_tab(page, "Generate")
    page.fill("#prompt textarea", "MACBETH:")
    set_number(page, "#gen-max-new", 100)
    page.evaluate("""() => { window.__seen = new Set();
        window.__poll = setInterval(() => { const t = document.querySelector('#generate-output textarea');
            if (t && t.value) window.__seen.add(t.value); }, 5); }""")
    page.click("#generate-btn")
    expect(page.locator("#generate-info")).to_contain_text("seed", timeout=60_000)
    seen = page.evaluate("() => { clearInterval(window.__poll); return [...window.__seen]; }")
    final = max(seen, key=len)
    assert final.startswith("MACBETH:")
    # The text grew in pieces: the page showed it unfinished before it was whole. (How many pieces the 5 ms
    # poll catches depends on the machine's load: a busy browser draws several stream updates at once.)
    assert any(len(s) < len(final) and final.startswith(s) for s in seen), seen
    # Click a generated token, pick another alternative, continue from there.
    page.locator("#generate-tokens .token.highlighted").nth(2).click()
    expect(page.locator("#generate-picked")).to_contain_text("picked with p =")
    # (A token holding a newline is drawn as two spans, so the position is read from the panel.)
    position = re.search(r"Token (\d+):", page.locator("#generate-picked").inner_text()).group(1)
    page.locator("#generate-alternatives label").nth(1).click()
    page.click("#generate-branch")
    expect(page.locator("#generate-picked")).to_contain_text(f"Continued from token {position}", timeout=60_000)
    page.locator("#generate-tokens .token.highlighted").nth(5).click()
    shot(page, "generate.png")

    # Decoding lab: distribution with top-k cutting, a 100 000-draw histogram, one step.
    open_tab(page, "Decoding lab")
    set_number(page, "#lab-top-k", 5)
    page.click("#lab-btn")
    expect(page.locator("#lab-info")).to_contain_text("5 tokens possible")
    expect(page.locator("#lab-plot")).to_contain_text("top-k")
    set_number(page, "#lab-draws", 100_000)
    page.click("#lab-sample-btn")
    expect(page.locator("#lab-hist")).to_contain_text("100,000 draws")
    context = page.locator("#lab-context textarea").input_value()
    page.click("#lab-step-btn")
    expect(page.locator("#lab-info")).to_contain_text("Appended")
    assert page.locator("#lab-context textarea").input_value() != context
    set_number(page, "#lab-temperature", 0.7)  # a slider: the chart follows
    expect(page.locator("#lab-plot")).to_contain_text("temperature")
    shot(page, "lab.png")

    # Compare: every strategy, a table and a chart.
    open_tab(page, "Compare")
    page.click("#compare-btn")
    expect(page.locator("#compare-table")).to_contain_text("beam 4", timeout=90_000)
    page.wait_for_selector("#compare-plot .main-svg")
    shot(page, "compare.png")

    # Evaluate: the pasted text's perplexity and its surprisal, coloured and charted.
    open_tab(page, "Evaluate")
    page.click("#eval-btn")
    expect(page.locator("#eval-cards")).to_contain_text("perplexity")
    page.wait_for_selector("#eval-plot .main-svg")
    expect(page.locator("#eval-tokens")).to_contain_text("this")
    shot(page, "evaluate.png")
