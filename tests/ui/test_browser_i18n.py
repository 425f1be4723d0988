"""The page in Simplified Chinese, in headless Chromium: from the browser's language, from the header's
switch and from ?lang=zh-CN; what the server writes follows the page, and so do gradio's own texts. The app
ships with server-side rendering off (playground/ui/page.py); the switch is also checked with it on, where
Node is there to run it."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tests.ui.conftest import shot

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def pages(browser, app_url):
    """A page as a browser set to Chinese opens it, and one set to English."""
    contexts = []

    def open_page(locale: str, query: str = ""):
        context = browser.new_context(locale=locale, viewport={"width": 1440, "height": 900}, device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(app_url + query)
        page.wait_for_selector("#model-select")
        return page

    yield open_page
    for context in contexts:
        context.close()


def tab_names(page) -> list[str]:
    return [t.strip() for t in page.get_by_role("tab").all_inner_texts()]


def test_a_chinese_browser_gets_the_chinese_page(pages, shots_dir):
    from playwright.sync_api import expect

    page = pages("zh-CN")
    expect(page.get_by_role("tab", name="解码实验室")).to_be_visible()
    assert tab_names(page) == ["数据", "训练", "训练记录", "生成", "解码实验室", "对比", "评估", "模型内部"]
    expect(page.locator("#pg-header")).to_contain_text("GPT-2 演练场")
    expect(page.locator("#model-select")).to_contain_text("模型（所有标签页共用）")
    expect(page.locator("#corpus-source")).to_contain_text("莎士比亚（38 部戏剧）")  # a choice
    expect(page.locator("#data-prepare")).to_have_text("准备语料")
    expect(page.locator("#lang-select input[value='zh-CN']")).to_be_checked()
    expect(page.locator("#data-hist .gtitle")).to_have_text("每篇文档的词元数")  # an empty chart, redrawn in Chinese

    page.get_by_role("tab", name="训练", exact=True).click()
    expect(page.locator("#train-source")).to_contain_text("从零训练")
    # Its value stays the one the server sent (gradio's page translated a value equal to a translation key; issue 18).
    expect(page.locator("#train-source input:checked")).to_have_count(1)
    expect(page.locator("#train-start")).to_have_text("开始训练")
    expect(page.locator("#train-status")).to_contain_text("就绪")  # a marker inside built-in HTML
    expect(page.locator("#train-estimate")).to_contain_text("本机预计")  # written by the server, in Chinese
    shot(page, shots_dir, "train-zh.png")

    page.get_by_role("tab", name="生成", exact=True).click()
    expect(page.locator("#gen-temperature")).to_contain_text("温度")
    expect(page.locator("#gen-temperature")).to_contain_text("0 = 贪心解码")  # info text
    page.click("#generate-btn")
    expect(page.locator("#generate-info")).to_contain_text("种子", timeout=90_000)
    expect(page.locator("#generate-picked")).to_contain_text("先生成，再点击上方的一个词元。")
    shot(page, shots_dir, "generate-zh.png")

    page.get_by_role("tab", name="解码实验室", exact=True).click()
    expect(page.locator("#lab-btn")).to_have_text("显示分布")
    page.click("#lab-btn")
    expect(page.locator("#lab-info")).to_contain_text("经过所有旋钮后还剩", timeout=90_000)
    expect(page.locator("#lab-plot .gtitle")).to_contain_text("下一个词元的分布，逐个旋钮")  # the chart's own text
    expect(page.locator("#lab-plot .legend")).to_contain_text("保留（重新归一化）")
    shot(page, shots_dir, "lab-zh.png")

    page.get_by_role("tab", name="训练记录", exact=True).click()
    expect(page.locator("#runs-table")).to_contain_text("最佳验证损失")  # column names, written by the server
    expect(page.locator("#runs-use")).to_have_text("使用这个模型")
    expect(page.locator("#runs-x input:checked")).to_have_count(1)  # the overlay's x axis: still one of its choices

    # The switch: English at once, no reload; the server follows (its cookie).
    page.locator("#lang-select label", has_text="English").click()
    expect(page.get_by_role("tab", name="Decoding lab")).to_be_visible()
    assert tab_names(page) == ["Data", "Train", "Runs", "Generate", "Decoding lab", "Compare", "Evaluate", "Internals"]
    page.get_by_role("tab", name="Decoding lab", exact=True).click()
    expect(page.locator("#lab-plot .gtitle")).to_contain_text("Next-token distribution, knob by knob")  # redrawn
    expect(page.locator("#lab-btn")).to_have_text("Show distribution")
    page.click("#lab-btn")
    expect(page.locator("#lab-info")).to_contain_text("tokens possible after every knob", timeout=90_000)


def test_an_english_browser_with_lang_in_the_address(pages, shots_dir):
    from playwright.sync_api import expect

    page = pages("en-US")
    expect(page.get_by_role("tab", name="Decoding lab")).to_be_visible()  # English by default
    expect(page.locator("#lang-select input[value='en']")).to_be_checked()

    # A teacher's share link with ?lang=zh-CN: the page, and what the server says about the link, in Chinese.
    page = pages("en-US", "?lang=zh-CN&tab=compare&seed=3&top_k=9999")
    expect(page.get_by_role("tab", name="模型内部")).to_be_visible()
    expect(page.locator("#share-note")).to_contain_text("已从分享链接打开“对比”标签页")
    expect(page.locator("#share-note")).to_contain_text("超出了滑块的范围")
    page.get_by_role("tab", name="评估", exact=True).click()
    expect(page.locator("#eval-btn")).to_have_text("评估")
    page.click("#eval-btn")
    expect(page.locator("#eval-cards")).to_contain_text("困惑度", timeout=90_000)
    expect(page.locator("#eval-table")).to_contain_text("损失（奈特/词元）")  # column names
    expect(page.locator("#eval-message")).to_contain_text("已评分：文本框中的文本")
    shot(page, shots_dir, "evaluate-zh.png")


# What shows a text gradio's page could not translate: a key of gradio's own (common.upload) or of ours.
LEFT_KEYS = """
() => {
  const sections = 'blocks|checkbox|common|dataframe|dropdown|errors|file|highlighted_text|label|number|plot|radio|slider|status|upload_text';
  const key = (t) => new RegExp('^(' + sections + ')\\.[a-z_]+$').test((t || '').trim()) || (t || '').includes('\u241f');
  const texts = [...document.querySelectorAll('gradio-app *:not(script):not(style)')].flatMap((e) => [e.getAttribute('title'), e.getAttribute('aria-label'),
    ...[...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.nodeValue)]);
  return texts.filter(key);
}
"""


def test_gradios_own_texts_follow_the_page_and_the_switch(pages, shots_dir):
    """An English browser opening ?lang=zh-CN: gradio's own texts (the upload area, its buttons' tooltips, an
    empty table's column names) are Chinese from the first paint, not only our labels; the switch turns them
    English, and the page keeps what it held (no reload: a hosted session's files would go with it)."""
    from playwright.sync_api import expect

    from playground.ui.i18n import tr

    page = pages("en-US", "?lang=zh-CN")
    upload = page.locator("#corpus-upload")
    expect(upload).to_contain_text("点击上传")
    expect(upload).not_to_contain_text("Drop File Here")
    expect(page.locator("#data-top thead")).to_contain_text(tr("zh-CN", "token"))  # empty, until Prepare
    upload.locator("input[type=file]").set_input_files(str(DATA / "macbeth.txt"))
    expect(upload.locator("button[title='上传']")).to_be_visible()  # gradio's "common.upload", which had no text
    expect(page.locator("#data-top button[title='复制表格数据']")).to_have_count(1)  # a tooltip gradio writes in English
    assert page.evaluate(LEFT_KEYS) == []
    # gradio's own toast for a file it refuses before any handler sees it
    upload.locator("input[type=file]").set_input_files(files=[{"name": "notes.pdf", "mimeType": "application/pdf",
                                                              "buffer": b"%PDF-1.4"}])
    expect(page.locator(".toast-wrap").first).to_contain_text("文件类型不对：notes.pdf")
    expect(page.locator(".toast-wrap").first).to_contain_text("错误")
    page.evaluate("() => document.querySelectorAll('.toast-wrap').forEach((e) => e.remove())")

    page.evaluate("() => { window.pgSamePage = true; }")
    page.locator("#lang-select label", has_text="English").click()
    expect(page.locator("#corpus-upload")).to_contain_text("Upload text files")
    expect(page.locator("#corpus-upload button[title='Upload']")).to_be_visible()  # drawn again, in English
    expect(page.locator("#corpus-upload")).to_contain_text("macbeth")  # the file is still there
    expect(page.locator("#data-top button[title='Copy table data']")).to_have_count(1)
    assert page.evaluate("() => window.pgSamePage") is True
    assert "lang=en" in page.url
    expect(page.locator("#lang-select input[value='en']")).to_be_checked()
    expect(page.locator("#data-top thead")).to_contain_text("token")
    assert page.evaluate(LEFT_KEYS) == []


def node_major() -> int:
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        return 0
    out = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    return int(out.lstrip("v").split(".")[0]) if out.startswith("v") else 0


def test_the_switch_under_server_side_rendering(browser, tiny_model_dir, tmp_path, monkeypatch):
    """Gradio's SSR (the Spaces default, which the app turns off) picks the language from the browser's
    Accept-Language on the server; ?lang= and the switch still change the page, live."""
    from playwright.sync_api import expect

    from playground.ui import build_app

    if node_major() < 20:
        pytest.skip("gradio's server-side rendering needs Node 20 or newer")
    import httpx
    from gradio import networking

    # launch() asks the page for 3 s at most before it gives up; Node renders it slower than that on a busy machine.
    monkeypatch.setattr(networking, "url_ok", lambda url: httpx.head(url, timeout=60, verify=False).status_code == 200)
    demo = build_app(models=[str(tiny_model_dir)], runs_dir=str(tmp_path / "runs"))
    with own_page(browser, demo, ssr_mode=True) as (page, url):
        page.goto(url + "?lang=zh-CN")
        page.wait_for_function("() => performance.getEntriesByType('resource').some((e) => e.name.includes('/_app/immutable/'))")
        # (SvelteKit's build: the page came from gradio's Node server, and its scripts with it)
        expect(page.locator("#model-select")).to_contain_text("模型（所有标签页共用）")
        expect(page.get_by_role("tab", name="解码实验室")).to_be_visible()
        page.locator("#lang-select label", has_text="English").click()
        expect(page.locator("#model-select")).to_contain_text("Model (used by every tab)")
        expect(page.get_by_role("tab", name="Decoding lab")).to_be_visible()


@contextlib.contextmanager
def own_page(browser, demo, **options):
    """A new page and the address of `demo`, launched on a port of its own with `options` (a test that changes
    the app's launch or code), closed after the test, with the Node server gradio's close() leaves running."""
    from playground.ui import launch
    from tests.ui.conftest import free_port

    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True, warm_up=False, **options)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page, f"http://127.0.0.1:{port}/"
    finally:
        context.close()
        demo.close()
        node = getattr(demo, "node_process", None)
        if node is not None and node.poll() is None:
            node.terminate()
            node.wait(10)


def test_a_switch_as_the_page_opens_waits_for_its_opening_answers(browser, tiny_model_dir, tmp_path, monkeypatch):
    """The header's switch pressed while the page's opening events are still out: one that answers after the
    switch rewrote the page must not leave its first language there (CI once saw English rows under Chinese
    headers). Here the model list the page asked for as it opened answers 3 s late, in English."""
    import threading
    import time

    from playwright.sync_api import expect

    from playground.ui import build_app
    from playground.ui.i18n import tr
    from playground.ui.state import AppContext

    demo = build_app(models=["demo", str(tiny_model_dir)], runs_dir=str(tmp_path / "runs"))
    chinese = tr("zh-CN", demo.ctx.label("demo"))
    assert chinese != "demo (bundled)"
    choices, answered = AppContext.model_choices, threading.Event()

    def late(self, session):
        out = choices(self, session)
        if session is not None and session.language == "en" and not answered.is_set():
            time.sleep(3)
            answered.set()
        return out

    monkeypatch.setattr(AppContext, "model_choices", late)
    with own_page(browser, demo) as (page, url):
        page.goto(url)
        page.wait_for_selector("#model-select")
        page.locator("#lang-select label", has_text="简体中文").click()
        assert answered.wait(30)
        page.wait_for_timeout(1000)  # the late answer has reached the page
        expect(page.locator("#model-select input")).to_have_value(chinese)


# Contrast (WCAG) between each element's text colour and what it is drawn on: its background and its parents',
# semi-transparent ones composited (a legend's chip is its colour at 50 % over the page).
CONTRAST = """
(sel) => {
  const rgba = (c) => { const v = (c.match(/[\\d.]+/g) || []).map(Number); return [v[0] || 0, v[1] || 0, v[2] || 0, v.length > 3 ? v[3] : (c === 'transparent' ? 0 : 1)]; };
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const under = (e) => {
    const layers = [];
    for (let el = e; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((acc, [r, g, b, a]) => [r * a + acc[0] * (1 - a), g * a + acc[1] * (1 - a), b * a + acc[2] * (1 - a)], [255, 255, 255]);
  };
  return [...document.querySelectorAll(sel)].filter((e) => e.offsetParent).map((e) => {
    const a = lum(rgba(getComputedStyle(e).color)), b = lum(under(e));
    return Math.round(100 * (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) / 100;
  });
}
"""
# Each visible chart: (its title's colour's luminance, its background colour).
CHART_COLOURS = """
() => [...document.querySelectorAll('.js-plotly-plot')].filter((g) => g.offsetParent).map((g) => {
  const fill = (g.querySelector('.gtitle') || g.querySelector('text')).style.fill || '';
  const [r, gr, b] = (fill.match(/[\\d.]+/g) || [0, 0, 0]).map(Number);
  return [(0.2126 * r + 0.7152 * gr + 0.0722 * b) / 255, g._fullLayout.paper_bgcolor];
})
"""
CHARTS_THEMED = "() => [...document.querySelectorAll('.js-plotly-plot')].filter((g) => g.offsetParent).every((g) => g._pgDark)"


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_dark_theme_is_readable(pages, shots_dir, lang):
    """?__theme=dark: notes, the progress bar and the charts in dark colours with light text, in both languages
    (screenshots of the lab and Train: lab-dark*.png, train-dark*.png)."""
    from playwright.sync_api import expect

    page = pages("en-US", f"?__theme=dark&lang={lang}")
    expect(page.locator("body.dark")).to_have_count(1)
    suffix = "" if lang == "en" else "-zh"
    page.locator("#tabs [role=tab]").nth(1).click()  # Train
    expect(page.locator("#train-status .pg-bar")).to_be_visible()
    assert page.evaluate("() => getComputedStyle(document.querySelector('#train-status .pg-bar')).backgroundColor") != \
        "rgb(233, 237, 242)"  # the light theme's track
    assert min(page.evaluate(CONTRAST, ".pg-note, .pg-progress-top span, .pg-card-value")) >= 4.5
    page.wait_for_function(CHARTS_THEMED)  # page.js themes a chart in the animation frame after it is first drawn
    assert all(lum > 0.6 and bg == "rgba(0, 0, 0, 0)" for lum, bg in page.evaluate(CHART_COLOURS))
    shot(page, shots_dir, f"train-dark{suffix}.png")

    page.locator("#tabs [role=tab]").nth(4).click()  # the decoding lab
    page.click("#lab-btn")
    page.wait_for_selector("#lab-temp-plot .xtick text", timeout=90_000)
    page.wait_for_function(CHARTS_THEMED)
    colours = page.evaluate(CHART_COLOURS)
    assert len(colours) >= 3 and all(lum > 0.6 and bg == "rgba(0, 0, 0, 0)" for lum, bg in colours), colours
    assert min(page.evaluate(CONTRAST, ".pg-note, .pg-legend b, .pg-chip")) >= 4  # chips: a bin colour at 50 % over the page
    shot(page, shots_dir, f"lab-dark{suffix}.png")
