"""What a newcomer does, in headless Chromium, in one language: the shared walk of test_browser_en.py and
test_browser_zh.py (issue 18: every tab's main action works in every language).

The app is started as README starts it: `python app.py` in a subprocess, under a fresh temporary HOME, with no
cache or model overrides (only HF_HUB_OFFLINE: the Hub is unreachable here). Its stdout and stderr go to a log
that must hold no `Traceback`. The page records every toast gradio shows (an init script: toasts vanish after
seconds) and every error badge; each test fails on an error toast, an error badge, a traceback in the log, and,
in Chinese, on any toast or error sentence left in English.

The walk trains on the untouched Train form for a few seconds, then uses the trained model on every tab, in the
order of a first session; the Runs tab (resume, delete) comes last. Expected texts are the app's own sentences
through its own `tr`, so one walk reads both languages.
"""

from __future__ import annotations

import functools
import json
import os
import re
import string
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from playground.ui.i18n import tr
from tests.ui.conftest import free_port, open_tab as _open_tab, set_number, shot

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
TABS = ("Data", "Train", "Runs", "Generate", "Decoding lab", "Compare", "Evaluate", "Internals")
# Committed screenshots (PLAYGROUND_SCREENSHOTS set) want a chart with a shape: train longer before Stop.
COMMITTED_SHOTS = bool(os.environ.get("PLAYGROUND_SCREENSHOTS"))


class App:
    """`python app.py` as a subprocess, as the README starts it, under a temporary HOME; its output in a log."""

    def __init__(self, home: Path):
        self.home, self.port, self.proc, self.log = home, free_port(), None, None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAYGROUND_", "HF_", "TRANSFORMERS_"))}
        # HF_HUB_OFFLINE only spares the default-model check its 2-second Hub probe (there is no network here).
        self.env |= {"HOME": str(home), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        self.logs: list[Path] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def runs_dir(self) -> Path:
        return self.home / ".cache" / "gpt2-playground" / "runs"

    def start(self) -> App:
        path = self.home / f"app-{len(self.logs)}.log"
        self.logs.append(path)
        self.log = open(path, "w")
        self.proc = subprocess.Popen([sys.executable, "app.py", "--port", str(self.port)], cwd=ROOT, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return self
            except OSError:
                assert self.proc.poll() is None, path.read_text()[-3000:]
                time.sleep(0.3)
        raise AssertionError("the app did not answer within 120 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.log:
            self.log.close()

    def tracebacks(self) -> str:
        """Every traceback the app printed (each with the lines after it), or ''."""
        text = "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())
        return "\n...\n".join(text[i:i + 2500] for i in (m.start() for m in re.finditer("Traceback", text)))


# Every toast and every error badge the page shows, kept: a toast lives a few seconds, a badge until the next event.
WATCH_JS = """
window.__pg_seen = [];
new MutationObserver(() => {
  document.querySelectorAll('[data-testid="toast-body"], [data-testid="status-tracker"] .error').forEach((e) => {
    if (e.__pg_seen) return;
    e.__pg_seen = true;
    const kind = e.matches('[data-testid="toast-body"]') ? 'toast ' + e.className.replace(/svelte-\\S+/g, '').trim()
                                                          : 'badge';
    window.__pg_seen.push(kind + ': ' + (e.innerText || '').replace(/\\s+/g, ' ').trim()
                          + ' [' + ((e.closest('[id]') || {}).id || '') + ']');
  });
}).observe(document, {childList: true, subtree: true});
"""

# A visible radio group with options and none checked (the Chinese Model radio showed nothing selected: issue 18),
# and any namespaced translation key that reached the screen as text.
PAGE_PROBLEMS = """
() => {
  const problems = [];
  const groups = new Map();
  document.querySelectorAll('input[type=radio]').forEach((r) => {
    if (!r.offsetParent) return;
    const id = (r.closest('[id]') || {}).id || r.name;
    groups.set(id, (groups.get(id) || false) || r.checked);
  });
  groups.forEach((checked, id) => { if (!checked) problems.push('nothing selected in ' + id); });
  if (document.body.innerText.includes('\\u241f')) problems.push('a translation key on screen');
  return problems;
}
"""


class Walk:
    """One language's page(s) on one app, and the checks every step ends with."""

    def __init__(self, app: App, browser, lang: str, shots_dir: Path):
        self.app, self.browser, self.lang, self.shots_dir = app, browser, lang, shots_dir
        self.pages: list = []
        self.run_name: str | None = None
        self.main = None  # the page the walk goes on with
        self.zip_time = None
        self.reported: set[str] = set()

    def t(self, text: str, **values) -> str:
        return tr(self.lang, text, **values)

    def lead(self, template: str) -> str:
        """The text of `template` before its first {field}, in this language: what a status line starts with."""
        fields = {name: "\0" for _, name, _, _ in string.Formatter().parse(self.t(template)) if name}
        fields |= {name: "\0" for _, name, _, _ in string.Formatter().parse(template) if name}
        return self.t(template, **fields).split("\0")[0]

    def open(self, query: str = "", width: int = 1280, height: int = 900, lang_param: bool = True):
        """A page in a new browser context (no cookie shared with the walk's other pages)."""
        context = self.browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                           accept_downloads=True, locale="en-US")
        context.add_init_script(WATCH_JS)
        page = context.new_page()
        page.set_default_timeout(60_000)
        self.pages.append(page)
        params = ([f"lang={self.lang}"] if self.lang != "en" and lang_param else []) + ([query] if query else [])
        page.goto(self.app.url + ("?" + "&".join(params) if params else ""))
        page.wait_for_selector("#model-select")
        if self.lang != "en" and lang_param:
            from playwright.sync_api import expect

            expect(page.get_by_role("tab", name=self.t("Internals"), exact=True)).to_be_visible()
        return page

    def tab(self, page, name: str) -> None:
        _open_tab(page, self.t(name))

    def shot(self, page, name: str) -> None:
        """README's screenshots under their names in English; in Chinese with -zh, into the tests' output only:
        the committed Chinese ones are test_browser_i18n.py's (one writer per file)."""
        if self.lang == "en":
            shot(page, self.shots_dir, name)
        elif not COMMITTED_SHOTS:
            stem, ext = name.rsplit(".", 1)
            shot(page, self.shots_dir, f"{stem}-{self.lang.split('-')[0]}.{ext}")

    def problems(self) -> list[str]:
        """What went wrong on every open page (toasts, badges, selection, English left in Chinese) and in the
        app's log since the last check (a toast is blamed on the step that showed it, not on every later one)."""
        found = []
        for page in self.pages:
            if page.is_closed():
                continue
            for seen in page.evaluate("() => window.__pg_seen || []"):
                if seen.startswith(("toast error", "badge")) or (self.lang != "en" and not re.search(r"[\u4e00-\u9fff]", seen)):
                    found.append(seen)
            found += page.evaluate(PAGE_PROBLEMS)
            if self.lang != "en":
                english = self.t("Error (in English):")
                if english in page.locator("body").inner_text():
                    found.append(f"an error sentence left in English: {page.locator('body').inner_text().split(english)[1][:200]}")
        tracebacks = self.app.tracebacks()
        if tracebacks:
            found.append("the app's log holds a traceback:\n" + tracebacks)
        return [f for f in found if f not in self.reported]

    def check(self) -> None:
        problems = self.problems()
        self.reported.update(problems)
        assert not problems, "\n".join(problems)

    def close(self) -> None:
        for page in self.pages:
            if not page.is_closed():
                page.context.close()


def step_of(walk: Walk, page) -> int:
    m = re.search(re.escape(walk.lead("step {step} / {max}")) + r"([\d,]+)", page.locator("#train-status").inner_text())
    return int(m.group(1).replace(",", "")) if m else -1


def wait_for_step(walk: Walk, page, above: int, timeout: int = 180_000) -> None:
    page.wait_for_function("([lead, above]) => { const m = document.querySelector('#train-status').innerText"
                           ".match(new RegExp(lead.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&') + '([\\\\d,]+)'));"
                           " return m && +m[1].replace(/,/g, '') > above; }",
                           arg=[walk.lead("step {step} / {max}"), above], timeout=timeout)


# --------------------------------------------------------------------------- the walk, one test per tab


def checked(step):
    """A step of the walk that ends with the page's and the log's check; when the step itself fails (a status
    that never came), what the page showed and the log said meanwhile comes with its message."""
    @functools.wraps(step)
    def run(walk: Walk, *args, **kwargs):
        try:
            result = step(walk, *args, **kwargs)
        except Exception as e:
            problems = walk.problems()
            walk.reported.update(problems)
            if problems:
                raise AssertionError(f"{e}\n\nMeanwhile, on the page and in the app's log:\n" + "\n".join(problems)) from e
            raise
        walk.check()
        return result
    return run


@checked
def core_loop(walk: Walk, *, reload_while_training: bool = False) -> None:
    """Start on the untouched Train form; the live chart; Stop; the model selected on every tab; the zip."""
    from playwright.sync_api import expect

    from playground.ui.train import TOKENIZERS
    from playground.ui.train_form import OPENING, form_defaults

    page = walk.main = walk.open()
    walk.tab(page, "Train")
    # The form as it opens (nothing clicked): a tiny model from scratch with a corpus BPE.
    expect(page.locator("#train-source input:checked")).to_have_count(1)
    assert page.locator("#train-source input:checked").get_attribute("value") == OPENING["source"]
    opening = form_defaults(OPENING["source"], None, OPENING["scratch"]) | OPENING  # as playground/ui/train.py
    assert opening["tokenizer"].startswith("bpe:")  # a corpus BPE: GPT-2's 50 257-token output layer would be slow
    tokenizer = walk.t({v: label for label, v in TOKENIZERS}[opening["tokenizer"]])
    assert page.locator("#train-tokenizer input").input_value() == tokenizer
    page.click("#train-start")
    expect(page.locator("#train-status")).to_contain_text(walk.t("Training"), timeout=180_000)
    wait_for_step(walk, page, 0)
    if reload_while_training:  # the job outlives the page: a reload re-attaches to it and its live chart
        page.reload()
        page.wait_for_selector("#model-select")
        expect(page.get_by_role("tab", name=walk.t("Train"), exact=True)).to_have_attribute("aria-selected", "true")
        expect(page.locator("#train-status")).to_contain_text(walk.t("Training"), timeout=30_000)
        expect(page.locator("#train-stop")).to_be_enabled()
        wait_for_step(walk, page, step_of(walk, page))
    # The live chart: the train loss drawn while it trains (the first point is logged after a few steps).
    page.wait_for_function("name => [...document.querySelectorAll('#loss-plot .legendtext')].some(e => e.textContent === name)",
                           arg=walk.t("train loss"), timeout=180_000)
    if COMMITTED_SHOTS:  # a few evaluations, so README's chart has a shape
        wait_for_step(walk, page, 45, timeout=300_000)
    walk.shot(page, "train.png")

    page.click("#train-stop")
    expect(page.locator("#train-status")).to_contain_text(walk.t("Stopped"), timeout=120_000)
    # Selected on every tab by the tick that shows "Stopped" (tests/ui/test_api.py checks that tick's outputs; no
    # wall-clock bound here: a loaded machine draws late).
    expect(page.locator("#model-select input")).to_have_value(re.compile(re.escape(walk.t("x (run)").removeprefix("x"))
                                                                         + "$"))
    walk.run_name = page.locator("#model-select input").input_value().split(" ")[0].split("（")[0]
    assert re.fullmatch(r"tiny-\d{8}-\d{6}", walk.run_name), walk.run_name
    expect(page.locator("#model-select")).to_contain_text(walk.lead("Every tab now uses {model}."))
    expect(page.locator("#train-start")).to_be_enabled()
    expect(page.locator("#train-estimate")).to_contain_text(walk.lead("Expected here: {estimate} (an estimate; "
                                                                      "preparing the corpus and evaluations come on top)."))
    with page.expect_download() as dl:
        page.click("#train-download")
    archive = walk.app.home / f"download-{walk.lang}.zip"
    dl.value.save_as(archive)
    names = zipfile.ZipFile(archive).namelist()
    assert f"{walk.run_name}/config.json" in names and f"{walk.run_name}/model.safetensors" in names, names
    assert not any("checkpoint-" in n for n in names)
    assert (walk.app.runs_dir / walk.run_name / "model.safetensors").exists()  # the default runs folder, under HOME
    walk.zip_time = (walk.app.runs_dir / f"{walk.run_name}.zip").stat().st_mtime
    walk.shot(page, "train-finished.png")

    # A refused setting: one sentence in the status box, in the page's language, naming the field; no toast.
    lr = page.locator("#train-lr input").first.input_value()
    set_number(page, "#train-lr", -1)
    page.click("#train-start")
    refusal = walk.t("Learning rate must be a positive number, not -1.0.").split("-1")[0]
    expect(page.locator("#train-status")).to_contain_text(refusal)
    if walk.lang == "en":  # not a 10-second toast: still there after the timer would have redrawn
        page.wait_for_timeout(2000)
        expect(page.locator("#train-status")).to_contain_text(refusal)
    set_number(page, "#train-lr", lr)


@checked
def generate(walk: Walk) -> None:
    """Generate with the trained model: the text streams in; click a token, pick another, continue from there."""
    from playwright.sync_api import expect

    page = walk.main
    walk.tab(page, "Generate")
    # The seed is blank (a fresh one each press); max new tokens fits the trained model's context (128).
    page.get_by_text(walk.t("More knobs"), exact=True).click()
    seed_box = page.locator("#gen-seed textarea, #gen-seed input").first
    expect(seed_box).to_have_value("")
    assert page.locator("#gen-max-new input[type=number]").first.get_attribute("max") == "127"
    page.fill("#prompt textarea", "MACBETH:")
    set_number(page, "#gen-max-new", 100)
    # Every value the page writes into the output box, caught by its setter: a timer polling the box is starved
    # on a loaded machine and saw only the finished text.
    page.evaluate("""() => { const box = document.querySelector('#generate-output textarea');
        const own = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value');
        window.__seen = [];
        Object.defineProperty(box, 'value', {configurable: true, get() { return own.get.call(this); },
                                             set(v) { window.__seen.push(v); own.set.call(this, v); }}); }""")
    page.click("#generate-btn")
    expect(page.locator("#generate-info")).to_contain_text(walk.lead("seed {seed}"), timeout=60_000)
    expect(page.locator("#generate-info")).to_contain_text(walk.run_name)  # the model just trained
    seen = [text for text in page.evaluate("() => window.__seen") if text.startswith("MACBETH:")]
    final = page.locator("#generate-output textarea").input_value()
    assert final.startswith("MACBETH:") and final in seen
    # The text grew in pieces: the page showed it unfinished before it was whole.
    assert any(len(s) < len(final) and final.startswith(s) for s in seen), seen
    page.locator("#generate-tokens .token.highlighted").nth(2).click()
    expect(page.locator("#generate-picked")).to_contain_text(walk.lead("picked with p = {p} (raw model: {raw})"))
    # (A token holding a newline is drawn as two spans, so the position is read from the panel.)
    position = re.search(r"(\d+)", page.locator("#generate-picked b").inner_text()).group(1)
    page.locator("#generate-alternatives label").nth(1).click()
    page.click("#generate-branch")
    expect(page.locator("#generate-picked")).to_contain_text(walk.t("Continued from token {i} with your choice.",
                                                                    i=position), timeout=60_000)
    walk.shot(page, "generate.png")
    # A bad seed: one sentence beside the output, in the page's language; the text stays.
    text = page.locator("#generate-output textarea").input_value()
    seed_box.fill("abc")
    page.click("#generate-btn")
    expect(page.locator("#generate-info")).to_contain_text(
        walk.t("Seed must be a whole number, or blank for a random one, not 'abc'."))
    assert page.locator("#generate-output textarea").input_value() == text
    seed_box.fill("")
    # Many timer ticks since the download: the zip was not rebuilt on a tick.
    assert (walk.app.runs_dir / f"{walk.run_name}.zip").stat().st_mtime == walk.zip_time


@checked
def share_link(walk: Walk) -> None:
    """Generate's share link opens, on a fresh page, the same tab, prompt and knobs, said in the page's language."""
    from playwright.sync_api import expect

    page = walk.main
    walk.tab(page, "Generate")
    set_number(page, "#gen-temperature", 0.55)
    page.locator("#gen-seed textarea, #gen-seed input").first.fill("11")
    page.click("#generate-share-btn")
    box = page.locator("#generate-share textarea, #generate-share input").first
    expect(box).to_have_value(re.compile(r"tab=generate"))
    url = box.input_value()
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    assert url.startswith(walk.app.url + "?"), url
    assert {k: params.get(k) for k in ("tab", "prompt", "temperature", "seed")} == \
        {"tab": "generate", "prompt": "MACBETH:", "temperature": "0.55", "seed": "11"}, url
    assert params["model"] == str(walk.app.runs_dir / walk.run_name), url  # the model just trained
    other = walk.open(urlsplit(url).query)
    expect(other.get_by_role("tab", name=walk.t("Generate"), exact=True)).to_have_attribute("aria-selected", "true")
    expect(other.locator("#share-note")).to_contain_text(walk.lead("Opened from a shared link: the {tab} tab{model}{knobs}."))
    expect(other.locator("#prompt textarea")).to_have_value("MACBETH:")
    expect(other.locator("#gen-temperature input[type=number]")).to_have_value("0.55")
    expect(other.locator("#model-select input")).to_have_value(page.locator("#model-select input").input_value())
    other.get_by_text(walk.t("More knobs"), exact=True).click()
    expect(other.locator("#gen-seed textarea, #gen-seed input").first).to_have_value("11")
    walk.check()
    other.context.close()


@checked
def decoding_lab(walk: Walk) -> None:
    """The lab: show the distribution knob by knob, sample from it, step, sweep the temperature. With the bundled
    demo model chosen again in the header (its example contexts have a clear favourite; the trained one has
    learnt little in seconds), which the later tabs use too, as docs/app.md's classroom walk does."""
    from playwright.sync_api import expect

    page = walk.main
    walk.tab(page, "Decoding lab")
    page.click("#model-select input")
    page.get_by_role("option", name=walk.t("demo (bundled)"), exact=True).click()
    expect(page.locator("#model-select input")).to_have_value(walk.t("demo (bundled)"))
    set_number(page, "#lab-top-k", 5)
    page.click("#lab-btn")
    expect(page.locator("#lab-info")).to_contain_text(walk.t("{n} tokens possible after every knob", n=5), timeout=60_000)
    expect(page.locator("#lab-step-choice input:checked")).to_have_count(1)
    set_number(page, "#lab-temperature", 0.7)  # a knob: the chart follows, now with a temperature stage
    expect(page.locator("#lab-plot")).to_contain_text(walk.t("temperature"))
    set_number(page, "#lab-draws", 100_000)
    page.click("#lab-sample-btn")
    expect(page.locator("#lab-hist .gtitle")).to_contain_text(walk.t("100,000 draws from the final distribution"))
    context = page.locator("#lab-context textarea").input_value()
    page.click("#lab-step-btn")
    expect(page.locator("#lab-info")).to_contain_text(walk.lead("Appended “{token}”"))
    assert page.locator("#lab-context textarea").input_value() != context
    set_number(page, "#lab-sweep", 0.5)  # the temperature chart redraws from the kept logits
    expect(page.locator("#lab-temp-plot .gtitle")).to_contain_text(walk.t("Temperature 0.5 on the raw logits"))
    walk.shot(page, "lab.png")


@checked
def compare(walk: Walk) -> None:
    """Compare: the progress line and the table grow strategy by strategy; the table downloads as CSV."""
    import csv

    from playwright.sync_api import expect

    from playground.ui.compare import HEADERS

    page = walk.main
    walk.tab(page, "Compare")
    set_number(page, "#compare-max-new", 60)
    strategies = ["greedy", "beam 4", "top-k 50", "top-p 0.9", "temperature 0.7", "temperature 1.3", "yours"]
    # What the page draws, as it draws it (a polling timer is starved on a loaded machine).
    page.evaluate("""(names) => { window.__progress = new Set(); window.__rows = new Set();
        window.__watch = new MutationObserver(() => {
            const m = document.querySelector('#compare-message'); if (m && m.innerText) window.__progress.add(m.innerText);
            const t = document.querySelector('#compare-table').innerText;
            window.__rows.add(names.filter((n) => t.includes(n)).length); });
        window.__watch.observe(document.querySelector('#tabs'), {childList: true, subtree: true, characterData: true}); }""",
                  [walk.t(n) for n in strategies])
    page.click("#compare-btn")
    expect(page.locator("#compare-table")).to_contain_text(walk.t("yours"), timeout=90_000)
    expect(page.locator("#compare-csv")).to_be_enabled(timeout=10_000)
    progress = page.evaluate("() => { window.__watch.disconnect(); return [...window.__progress]; }")
    rows = page.evaluate("() => [...window.__rows]")
    counts = [walk.t("{done} of {total} strategies", done=done, total=7) for done in range(7)]
    assert any(walk.lead("Running {name}…") in p and any(c in p for c in counts) for p in progress), progress
    assert any(0 < r < 7 for r in rows), rows  # the table grew row by row: shown unfinished before it was whole
    page.wait_for_selector("#compare-plot .main-svg")
    walk.shot(page, "compare.png")
    with page.expect_download() as dl:
        page.click("#compare-csv")
    path = walk.app.home / f"compare-{walk.lang}.csv"
    dl.value.save_as(path)
    table = list(csv.reader(path.open(encoding="utf-8")))
    assert table[0] == [walk.t(h) for h in HEADERS]  # as shown
    assert [row[0] for row in table[1:]] == [walk.t(n) for n in strategies]


@checked
def evaluate(walk: Walk) -> None:
    from playwright.sync_api import expect

    page = walk.main
    walk.tab(page, "Evaluate")
    page.click("#eval-btn")
    expect(page.locator("#eval-cards")).to_contain_text(walk.t("perplexity"), timeout=60_000)
    expect(page.locator("#eval-message")).to_contain_text(walk.lead("Scored {source}: {coloured}; {chart}."))
    page.wait_for_selector("#eval-plot .main-svg")
    walk.shot(page, "evaluate.png")


@checked
def internals(walk: Walk) -> None:
    """Internals: attention, the logit lens and the surprisal of the example text; then the beam tree."""
    from playwright.sync_api import expect

    page = walk.main
    walk.tab(page, "Internals")
    page.click("#internals-btn")
    demo = json.loads((ROOT / "assets" / "demo-model" / "config.json").read_text())  # the model the lab chose
    expect(page.locator("#internals-info")).to_contain_text(walk.t("{n} layers × {h} heads", n=demo["n_layer"],
                                                                   h=demo["n_head"]), timeout=60_000)
    for plot in ("#internals-heatmap", "#internals-lines", "#internals-lens", "#internals-surprisal"):
        page.wait_for_selector(f"{plot} .main-svg")
    expect(page.locator("#internals-lens .gtitle")).to_contain_text(walk.t("Logit lens"))
    page.click("#internals-beam-btn")
    title = walk.t("Beam search with 3 beams after “x”").split("“x")[0]  # a pattern, translated whole
    expect(page.locator("#internals-tree .gtitle")).to_contain_text(title, timeout=60_000)
    expect(page.locator("#internals-finals")).not_to_be_empty()
    walk.shot(page, "internals.png")


@checked
def data(walk: Walk) -> None:
    """Data: the bundled corpus prepared, then an uploaded one; the Train tab says which it will use."""
    from playwright.sync_api import expect

    page = walk.main
    walk.tab(page, "Data")
    expect(page.locator("#corpus-source input:checked")).to_have_count(1)
    ready = walk.lead("Ready: {label}. Preview with GPT-2's BPE: {n} training examples; the Train tab uses these "
                      "settings with its run's tokenizer.")
    # (The bundled plays are ready as they come; their Prepare, which runs 4.8 MB through GPT-2's BPE twice — 20 s on
    # a loaded machine — is the uploaded corpus's code path, so the walk prepares only the upload.)
    page.locator("#corpus-upload input[type=file]").set_input_files(str(DATA / "macbeth.txt"))
    expect(page.locator("#data-message")).to_contain_text(walk.t("{n} file(s) uploaded; press Prepare corpus.", n=1))
    expect(page.locator("#corpus-source input:checked")).to_have_attribute("value", "uploaded")
    assert page.locator("#corpus-preview textarea").input_value().startswith("Macbeth")
    page.click("#data-prepare")
    expect(page.locator("#data-message")).to_contain_text("macbeth.txt", timeout=60_000)
    expect(page.locator("#data-message")).to_contain_text(ready)
    expect(page.locator("#data-stats")).to_contain_text(walk.t("train examples"))
    page.wait_for_selector("#data-hist .main-svg")
    walk.shot(page, "data.png")
    walk.tab(page, "Train")  # which corpus Train now uses
    expect(page.get_by_text(walk.lead("Corpus: {label} — {n} training examples of {block} tokens ({mode}).")
                            + "macbeth.txt")).to_be_visible()
    # The bundled corpus chosen again applies at once, and the Train tab says so.
    walk.tab(page, "Data")
    page.locator("#corpus-source label").first.click()
    expect(page.locator("#data-message")).to_contain_text(walk.lead("The Train tab now uses {corpus} as it comes; press "
                                                                    "Prepare corpus to see its statistics or change its "
                                                                    "cleaning and block size."))
    walk.tab(page, "Train")
    expect(page.get_by_text(walk.t("Corpus: the bundled Shakespeare unless you prepare another on the Data tab."))
           ).to_be_visible()


@checked
def presentation_mode(walk: Walk) -> None:
    """The header's toggle: large text on, then off."""
    page = walk.main
    walk.tab(page, "Generate")
    normal = page.locator("#prompt textarea").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    page.locator("#present-toggle input").check()
    page.wait_for_function("() => document.body.classList.contains('pg-present')")
    big = page.locator("#prompt textarea").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert big >= 1.25 * normal, (normal, big)
    page.locator("#present-toggle input").uncheck()
    page.wait_for_function("() => !document.body.classList.contains('pg-present')")


@checked
def runs_open_overlay(walk: Walk, page=None) -> None:
    """The Runs tab: the run listed with its command lines; its curves overlaid."""
    from playwright.sync_api import expect

    page = page or walk.main
    walk.tab(page, "Runs")
    expect(page.locator("#runs-table")).to_contain_text(walk.run_name)
    expect(page.locator("#runs-table")).to_contain_text(walk.t("stopped"))
    expect(page.locator("#runs-command")).to_contain_text("--resume")
    expect(page.locator("#runs-x input:checked")).to_have_count(1)
    page.click("#runs-overlay input")
    page.get_by_role("option", name=walk.run_name).first.click()
    page.keyboard.press("Escape")  # the list closed, as a person leaves it
    page.wait_for_function("() => [...document.querySelectorAll('#runs-plot .legendtext')].some(e => e.textContent.includes('·'))")
    walk.shot(page, "runs.png")


@checked
def runs_resume(walk: Walk, page=None, *, past_the_stop: bool = True) -> int:
    """Resume the run from the Runs tab: the Train tab trains it (`past_the_stop`: on past the step where it
    stopped). Returns that step."""

    from playwright.sync_api import expect

    page = page or walk.main
    info = json.loads((walk.app.runs_dir / walk.run_name / "playground.json").read_text())
    stopped_at = info["final_metrics"]["step"]
    walk.tab(page, "Runs")
    page.click("#runs-pick input")
    page.get_by_role("option", name=walk.run_name).first.click()
    page.click("#runs-resume")
    expect(page.get_by_role("tab", name=walk.t("Train"), exact=True)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#train-status")).to_contain_text(walk.t("Training"), timeout=120_000)
    if past_the_stop:
        wait_for_step(walk, page, stopped_at)
    return stopped_at


@checked
def runs_delete(walk: Walk, page=None) -> None:
    from playwright.sync_api import expect

    page = page or walk.main
    walk.tab(page, "Runs")
    page.click("#runs-pick input")
    page.get_by_role("option", name=walk.run_name).first.click()
    page.click("#runs-delete")
    page.click("#runs-confirm")
    expect(page.locator("#runs-message")).to_contain_text(walk.t("Deleted {name}.", name=walk.run_name))
    expect(page.locator("#runs-table")).not_to_contain_text(walk.run_name)
    assert not (walk.app.runs_dir / walk.run_name).exists()


@pytest.fixture(scope="module")
def walk(lang, browser, shots_dir, tmp_path_factory):
    home = tmp_path_factory.mktemp(f"home-{lang}")
    app = App(home).start()
    w = Walk(app, browser, lang, shots_dir)
    yield w
    w.close()
    app.stop()


# The tests both language modules import (each module runs on one xdist worker, so the two languages run side by
# side). They share the module's app and page, in this order: a later tab uses the model the first one trained.

def test_train_on_the_untouched_form_live_chart_stop_select_download(walk):
    core_loop(walk, reload_while_training=walk.lang == "en")


def test_generate_streams_and_continues_from_a_token(walk):
    generate(walk)


def test_share_link_opens_the_same_tab(walk):
    share_link(walk)


def test_decoding_lab_show_sample_step_sweep(walk):
    decoding_lab(walk)


def test_compare(walk):
    compare(walk)


def test_evaluate(walk):
    evaluate(walk)


def test_internals_attention_logit_lens_beam_tree(walk):
    internals(walk)


def test_data_bundled_and_uploaded_corpus(walk):
    data(walk)


def test_presentation_mode(walk):
    presentation_mode(walk)
