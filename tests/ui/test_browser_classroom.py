"""The classroom features in headless Chromium: hover tips on generated tokens, share links to the lab and
Compare and a bad one, presentation mode's large text and charts, Evaluate on a long file — at 1440×900, 1280×720
and 390×844, with screenshots (into a temporary folder unless PLAYGROUND_SCREENSHOTS names one). The newcomer
walk (tests/ui/newcomer.py) has the Generate share link, the presentation toggle and Compare's rows and CSV."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.ui.conftest import new_page, open_tab, set_number
from tests.ui.conftest import shot as _shot

DATA = Path(__file__).resolve().parents[1] / "data"

# Every plot's title inside its chart and clear of plotly's toolbar (when the toolbar is shown at all), and
# nothing wider than the window.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) {
    const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
      && e.offsetParent && ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1));
    problems.push('page is ' + doc.scrollWidth + ' px wide: ' + wide.slice(0, 3).map((e) => e.tagName + '.' + e.className).join(', ')
      + ' widths: ' + [...document.querySelectorAll('.gradio-container, .gradio-container > *, main, main > *')].map((e) => e.tagName + '.' + e.className.slice(0, 20) + '=' + Math.round(e.getBoundingClientRect().width)).join(' '));
  }
  document.querySelectorAll('.js-plotly-plot').forEach((plot) => {
    if (!plot.offsetParent) return;  // on another tab
    const box = plot.getBoundingClientRect();
    const title = plot.querySelector('.gtitle');
    if (!title) return;
    const t = title.getBoundingClientRect();
    if (t.right > box.right + 1 || t.left < box.left - 1) problems.push(plot.parentElement.closest('[id]').id + ': title clipped');
    const bar = plot.querySelector('.modebar');
    if (bar && getComputedStyle(plot.querySelector('.modebar-container')).display !== 'none') {
      const m = bar.getBoundingClientRect();
      const overlap = m.width > 0 && !(m.right < t.left || m.left > t.right || m.bottom < t.top || m.top > t.bottom);
      if (overlap) problems.push(plot.parentElement.closest('[id]').id + ': toolbar over the title');
    }
  });
  return problems;
}
"""


@pytest.fixture(scope="module")
def shot(shots_dir):
    return lambda page, name: _shot(page, shots_dir, name)


def textbox(page, selector: str):
    return page.locator(f"{selector} textarea, {selector} input[type=text]").first


def go_to_tab(page, name: str) -> None:
    """A tab by its name, also at phone width, where gradio folds the tabs that do not fit into a menu."""
    tab = page.get_by_role("tab", name=name, exact=True)
    if tab.count() and tab.is_visible():
        open_tab(page, name)
    else:
        page.click('#tabs button[aria-label="More tabs"]')
        page.locator("#tabs .overflow-dropdown button", has_text=name).first.click()
        page.wait_for_timeout(300)


def link(base: str, **params) -> str:
    return base + "?" + urlencode(params)


def test_hover_a_token_for_its_probability_and_alternatives_click_to_mark_it(app_url, browser, peaky_model_dir, shot):
    from playwright.sync_api import expect

    page = new_page(browser, link(app_url, tab="generate", model=str(peaky_model_dir), prompt="The king", seed=5,
                                  top_k=0, top_p=1, max_new_tokens=30), width=1440, height=900)
    expect(textbox(page, "#prompt")).to_have_value("The king")
    page.click("#generate-btn")
    expect(page.locator("#generate-info")).to_contain_text("seed 5", timeout=60_000)
    tipped = page.locator("#generate-tokens .token-container[data-tip]")
    expect(tipped.first).to_be_attached(timeout=10_000)
    assert tipped.count() >= 15  # every generated token (a blank one draws no span)
    tipped.nth(3).hover()
    tip = page.locator("#pg-tip")
    expect(tip).to_be_visible()
    text = tip.inner_text()
    assert re.search(r"p = \d+\.\d%", text) and "top alternatives:" in text and len(text.splitlines()) == 7, text
    shot(page, "generate-hover-1440.png")
    # p < 1 % is underlined as well as coloured purple (1–5 % is orange), painted as its legend chip is.
    rare = page.locator("#generate-tokens .token-container.pg-rare .token")
    assert rare.count() >= 1  # a flat distribution (top-k and top-p off) picks some unlikely tokens
    assert rare.first.evaluate("e => getComputedStyle(e).textDecorationStyle") == "dotted"
    assert rare.first.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(147, 51, 234, 0.5)"
    chip = page.locator(".pg-chip", has_text="p < 1%").first
    assert chip.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(147, 51, 234, 0.5)"
    # Click: the token is marked (all of its spans, and only those) and the panel explains it.
    tipped.nth(3).click()
    expect(page.locator("#generate-picked")).to_contain_text("picked with p =")
    entry = tipped.nth(3).get_attribute("data-entry")
    marked = page.locator("#generate-tokens .pg-picked")
    assert marked.count() >= 1 and all(m.get_attribute("data-entry") == entry for m in marked.all())
    assert re.search(rf"Token {entry}:", page.locator("#generate-picked").inner_text())
    assert tipped.nth(3).evaluate("e => getComputedStyle(e.querySelector('.token')).outlineStyle") == "solid"
    # Branching redraws the tokens: the mark goes, the new tokens get their tips.
    page.locator("#generate-alternatives label").nth(1).click()
    page.click("#generate-branch")
    expect(page.locator("#generate-picked")).to_contain_text("Continued from token", timeout=60_000)
    expect(page.locator("#generate-tokens .pg-picked")).to_have_count(0)
    page.close()


def test_lab_and_compare_links_and_a_bad_one(app_url, browser, peaky_model_dir, shot):
    """(A Generate link made and opened is the newcomer walk's, in both languages: tests/ui/newcomer.py.)"""
    from playwright.sync_api import expect

    # A lab link shows its distribution at once; a Compare link fills Compare.
    page = new_page(browser, link(app_url, tab="lab", model=str(peaky_model_dir), prompt="The king", top_k=5, seed=3),
                    width=1280, height=720)
    expect(page.locator("#lab-info")).to_contain_text("5 tokens possible", timeout=60_000)
    expect(textbox(page, "#lab-context")).to_have_value("The king")
    expect(page.locator("#lab-seed input[type=number]")).to_have_value("3")
    shot(page, "lab-from-link-1280.png")
    page.close()
    page = new_page(browser, link(app_url, tab="compare", prompt="Once", max_new_tokens=15, seed=9, top_k=7), width=1280, height=720)
    expect(page.get_by_role("tab", name="Compare", exact=True)).to_have_attribute("aria-selected", "true")
    expect(textbox(page, "#compare-prompt")).to_have_value("Once")
    expect(page.locator("#compare-max-new input[type=number]")).to_have_value("15")
    expect(page.locator("#compare-seed input[type=number]")).to_have_value("9")
    open_tab(page, "Generate")
    expect(page.locator("#gen-top-k input[type=number]")).to_have_value("7")  # Generate's knobs are "yours"
    page.close()

    # A bad link: what is valid is applied, each bad value is one sentence, the page works.
    page = new_page(browser, link(app_url, tab="generate", temperature="abc", top_k=500, top_p=0.5, model="nope"),
                    width=1280, height=720)
    note = page.locator("#share-note")
    expect(note).to_contain_text("Ignored from the link:")
    expect(note).to_contain_text("model 'nope' is not available here")
    expect(note).to_contain_text("temperature must be a number, not 'abc'.")
    expect(note).to_contain_text("top k 500 is outside its slider (0 to 200).")
    expect(page.locator("#gen-top-p input[type=number]")).to_have_value("0.5")
    assert "Traceback" not in page.content()
    page.close()


def test_presentation_mode_large_text_charts_above_the_fold(app_url, browser, shot):
    from playwright.sync_api import expect

    plain = new_page(browser, app_url, width=1280, height=720)  # (the header's toggle: the newcomer walk's)
    open_tab(plain, "Generate")
    normal = plain.locator("#prompt textarea").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    plain.close()

    page = new_page(browser, app_url + "?present=1", width=1280, height=720)
    page.wait_for_function("() => document.body.classList.contains('pg-present')")
    expect(page.locator("#present-toggle input")).to_be_checked()
    open_tab(page, "Generate")
    big = page.locator("#prompt textarea").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert big >= 1.25 * normal, (normal, big)
    open_tab(page, "Decoding lab")
    page.click("#lab-btn")
    expect(page.locator("#lab-info")).to_contain_text("tokens possible", timeout=60_000)
    page.wait_for_selector("#lab-plot .main-svg")
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "lab-present-1280.png")
    plot = page.locator("#lab-plot .js-plotly-plot").bounding_box()
    assert plot["y"] + plot["height"] <= 720, plot  # the whole stage chart on the first screen
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    open_tab(page, "Generate")
    page.click("#generate-btn")
    expect(page.locator("#generate-info")).to_contain_text("seed", timeout=60_000)
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "generate-present-1280.png")
    # The prompt, the button and the first lines of the text fit the first screen (ten lines of 19 px text do not).
    out = page.locator("#generate-output").bounding_box()
    assert out["y"] + 160 <= 720, out
    page.close()


# Each visible chart: the computed font sizes plotly drew its text at, and whether its title, tick labels and
# legend stay inside it and clear of each other.
CHART_TEXT = """
() => [...document.querySelectorAll('.js-plotly-plot')].filter((g) => g.offsetParent).map((g) => {
  const px = (sel) => { const e = g.querySelector(sel); return e ? parseFloat(getComputedStyle(e).fontSize) : null; };
  const box = g.getBoundingClientRect(), rect = (e) => e.getBoundingClientRect();
  const apart = (a, b) => a.bottom <= b.top + 1 || a.top >= b.bottom - 1 || a.right <= b.left + 1 || a.left >= b.right - 1;
  const title = g.querySelector('.gtitle'), legend = g.querySelector('.legend');
  const xticks = [...g.querySelectorAll('.xtick text')].map(rect), yticks = [...g.querySelectorAll('.ytick text')];
  const t = title ? rect(title) : null;
  return { id: g.parentElement.closest('[id]').id, xtick: px('.xtick text'), ytick: px('.ytick text'), title: px('.gtitle'),
           legend: px('.legend text'), annotation: px('.annotation-text'), hover: g._fullLayout.hoverlabel.font.size,
           yticks: yticks.length, ylabels: new Set(yticks.map((e) => e.textContent)).size,
           titleInside: !t || (t.top >= box.top - 1 && t.left >= box.left - 1 && t.right <= box.right + 1),
           legendClear: !legend || xticks.every((r) => apart(r, rect(legend))),
           bottom: box.bottom };
})
"""


def chart_text(page) -> dict:
    return {c["id"]: c for c in page.evaluate(CHART_TEXT)}


def test_presentation_mode_enlarges_chart_text_and_gives_it_back(app_url, browser, shot):
    """The toggle scales every chart's text about 1.3x (and undoes it), charts drawn while it is on too; the
    margins grow with it, so nothing is clipped and the stage chart still fits the first screen at 1280×720."""
    from playwright.sync_api import expect

    page = new_page(browser, app_url, width=1280, height=720)
    open_tab(page, "Decoding lab")
    page.click("#lab-btn")
    expect(page.locator("#lab-info")).to_contain_text("tokens possible", timeout=60_000)
    page.wait_for_selector("#lab-temp-plot .xtick text")
    page.wait_for_timeout(500)
    plain = chart_text(page)
    stage = plain["lab-plot"]
    assert stage["xtick"] == 9 and stage["ytick"] == 12 and stage["hover"] == 13, stage  # playground.charts' sizes

    page.locator("#present-toggle input").check()
    page.wait_for_function("() => parseFloat(getComputedStyle(document.querySelector('#lab-plot .xtick text')).fontSize) > 9")
    page.wait_for_timeout(500)  # the second pass that gives the plotting area back its height
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "lab-present-charts-1280.png")
    big = chart_text(page)
    for plot in ("lab-plot", "lab-hist", "lab-temp-plot"):
        for text in ("xtick", "ytick", "title", "legend", "annotation", "hover"):
            if plain[plot][text] is not None:
                assert big[plot][text] >= 1.25 * plain[plot][text], (plot, text, plain[plot][text], big[plot][text])
        assert big[plot]["titleInside"] and big[plot]["legendClear"], big[plot]
        assert big[plot]["ylabels"] == plain[plot]["ylabels"], (plot, big[plot])  # no token label dropped
    assert big["lab-plot"]["bottom"] <= 720, big["lab-plot"]  # the whole stage chart on the first screen
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    page.locator("#lab-temp-plot").scroll_into_view_if_needed()
    shot(page, "lab-present-charts-full-1280.png")

    # A chart drawn while presentation mode is on (gradio draws each figure into a new element) is scaled too.
    open_tab(page, "Evaluate")
    page.click("#eval-btn")
    page.wait_for_selector("#eval-plot .xtick text")
    page.wait_for_function("() => parseFloat(getComputedStyle(document.querySelector('#eval-plot .xtick text')).fontSize) > 16")
    evaluate = chart_text(page)["eval-plot"]
    assert evaluate["xtick"] >= 1.25 * 13 and evaluate["titleInside"], evaluate
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    shot(page, "evaluate-present-charts-1280.png")

    # Off again: every size is playground.charts' own.
    page.locator("#present-toggle input").uncheck()
    page.wait_for_function("() => parseFloat(getComputedStyle(document.querySelector('#eval-plot .xtick text')).fontSize) === 13")
    open_tab(page, "Decoding lab")
    page.wait_for_function("() => parseFloat(getComputedStyle(document.querySelector('#lab-plot .xtick text')).fontSize) === 9")
    page.wait_for_timeout(300)
    again = chart_text(page)
    for plot in ("lab-plot", "lab-hist", "lab-temp-plot"):
        assert {k: v for k, v in again[plot].items() if k != "bottom"} == \
               {k: v for k, v in plain[plot].items() if k != "bottom"}, plot
    assert page.locator("#lab-plot .js-plotly-plot").evaluate("g => g._fullLayout.height") == 110 + 26 * stage["ylabels"]
    page.close()


# At a phone's width, where pages overflowed: 1280 x 720 is checked by the presentation-mode tests.
@pytest.mark.parametrize("width,height", [(390, 844)])
def test_nothing_clipped_and_no_toolbar_over_titles(app_url, browser, peaky_model_dir, shot, width, height):
    from playwright.sync_api import expect

    page = new_page(browser, app_url, width=width, height=height)
    go_to_tab(page, "Decoding lab")
    page.click("#lab-btn")
    expect(page.locator("#lab-info")).to_contain_text("tokens possible", timeout=60_000)
    page.wait_for_selector("#lab-plot .main-svg")
    page.locator("#lab-plot .js-plotly-plot").hover()  # plotly shows its toolbar on hover
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    shot(page, f"lab-{width}.png")
    go_to_tab(page, "Compare")
    set_number(page, "#compare-max-new", 10)
    page.click("#compare-btn")
    expect(page.locator("#compare-table")).to_contain_text("yours", timeout=90_000)
    page.wait_for_selector("#compare-plot .main-svg")
    page.locator("#compare-plot .js-plotly-plot").hover()
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    shot(page, f"compare-{width}.png")
    go_to_tab(page, "Evaluate")
    page.click("#eval-btn")
    page.wait_for_selector("#eval-plot .main-svg")
    expect(page.locator("#eval-message")).to_contain_text("Scored the text box")
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    shot(page, f"evaluate-{width}.png")
    page.close()


# The narrow screen, where the upload box clipped and the page overflowed (the wide one showed nothing more;
# the suite runs in about five minutes).
@pytest.mark.parametrize("width,height", [(390, 844)])
def test_evaluate_a_long_file_says_what_it_scored_and_shows(app_url, browser, shot, width, height):
    from playwright.sync_api import expect

    page = new_page(browser, app_url, width=width, height=height)
    go_to_tab(page, "Evaluate")
    upload = page.locator("#eval-file")
    assert upload.evaluate("e => e.scrollHeight <= e.clientHeight + 1"), "the upload box is clipped"
    expect(upload).to_contain_text("scored instead of the text")
    upload.locator("input[type=file]").set_input_files(str(DATA / "macbeth.txt"))
    page.wait_for_timeout(500)
    assert upload.evaluate("e => e.scrollHeight <= e.clientHeight + 1"), "the upload box is clipped"
    page.click("#eval-btn")
    expect(page.locator("#eval-message")).to_contain_text("Scored the file macbeth.txt", timeout=120_000)
    expect(page.locator("#eval-message")).to_contain_text("the coloured tokens are the first 2,000 of")
    page.wait_for_selector("#eval-plot .main-svg")
    expect(page.locator("#eval-plot")).to_contain_text("windows of")
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    shot(page, f"evaluate-long-{width}.png")
    page.close()
