"""The UI in English and Simplified Chinese (playground.ui.i18n): both tables complete, nothing static left
untranslated in the built app, and what the server writes in the page's language."""

from __future__ import annotations

import re
import string
from types import SimpleNamespace

import pytest

from playground.ui.i18n import EN, I18N, ZH, chinese, error, language, language_of, localize, tr, untranslated

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_both_languages_with_the_same_fields():
    assert set(I18N.translations) == {"en", "zh-CN"}
    assert set(I18N.translations["en"]) == set(I18N.translations["zh-CN"]) == set(ZH) == set(EN)
    for english, chinese_ in ZH.items():
        assert CJK.search(chinese_), f"not translated: {english!r}"
        assert fields(chinese_) == fields(english), english  # tr() fills the same {names} in either language
        # Markdown keeps its headings and bold; the browser shows the whole string, so they must survive.
        assert english.startswith("#") == chinese_.startswith("#") and english.count("**") == chinese_.count("**"), english


def test_the_built_app_has_no_english_label_left(tiny_model_dir, peaky_model_dir, tmp_path):
    import gradio as gr
    from gradio.i18n import I18nData

    from playground.ui import build_app

    demo = build_app(models=[str(peaky_model_dir), str(tiny_model_dir)], runs_dir=str(tmp_path / "runs"))
    assert untranslated(demo) == []
    # Labels, info, buttons, tab names and choices really went to the browser as translation keys.
    labels = {b.label.key for b in demo.blocks.values() if isinstance(getattr(b, "label", None), I18nData)}
    assert {"Temperature", "Prompt", "Model (used by every tab)", "Data", "Decoding lab", "Internals"} <= labels
    buttons = [b.value for b in demo.blocks.values() if isinstance(b, gr.Button)]
    assert str(I18N("Start training")) in buttons and str(I18N("Show distribution")) in buttons
    radio = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "train-source")
    assert [c[0].key for c in radio.choices] == ["Fine-tune a model", "Train from scratch"]
    assert [c[1] for c in radio.choices] == ["Fine-tune a model", "Train from scratch"]  # the API's values unchanged
    # A label built from numbers (the size list) is translated by its pattern and joins both tables.
    size = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "train-size")
    assert all(isinstance(c[0], I18nData) and CJK.search(ZH[c[0].key]) for c in size.choices)
    assert set(EN) == set(ZH)
    localize(demo)  # twice is harmless: what is already I18nData stays
    assert untranslated(demo) == []


def test_every_text_the_handlers_translate_has_its_chinese():
    """Each literal the UI passes to tr() or I18N(), and each status word, is in the table (a new English
    sentence without its Chinese fails here, not in front of a class)."""
    import ast
    from pathlib import Path

    from playground.ui import runs, train

    texts = [*train.STATUS_WORDS.values(), *runs.STATUS_WORDS.values()]
    for path in sorted((Path(__file__).parents[2] / "playground" / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("tr", "I18N"):
                arg = node.args[1 if node.func.id == "tr" else 0] if node.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    texts.append(arg.value)
    assert len(texts) > 60
    assert [t for t in texts if chinese(t) is None] == []


def request(**headers):
    return SimpleNamespace(headers=headers, query_params={})


def test_the_page_language_comes_from_the_address_the_switch_or_the_browser():
    assert language_of(None) == "en"
    assert language_of(request()) == "en"  # API clients send no language
    assert language_of(request(**{"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})) == "zh-CN"
    assert language_of(request(**{"accept-language": "zh-TW,zh;q=0.9"})) == "en"  # traditional: not ours
    assert language_of(request(**{"accept-language": "zh-CN", "cookie": "a=1; pg_lang=en"})) == "en"  # the switch wins
    assert language_of(request(cookie="pg_lang=zh-CN", referer="http://x/?lang=en")) == "en"  # and ?lang= over both
    assert language_of(SimpleNamespace(headers={}, query_params={"lang": "zh-CN"})) == "zh-CN"
    assert [language(t) for t in ("zh", "zh-Hans-CN", "zh_CN", "zh-SG", "zh-HK", "en-GB", "")] == \
        ["zh-CN", "zh-CN", "zh-CN", "zh-CN", "en", "en", "en"]


def test_messages_in_either_language_and_engine_errors_never_guessed():
    assert tr("en", "step {step} / {max}", step=3, max=10) == "step 3 / 10"
    assert tr("zh-CN", "step {step} / {max}", step=3, max=10) == "第 3 / 10 步"
    assert tr("zh-CN", "demo (bundled)") == "demo（内置）"  # a pattern
    assert tr("zh-CN", "a sentence nobody translated") == "a sentence nobody translated"
    known = "Press Show distribution first; then sample from it."
    assert error("zh-CN", known) == ZH[known] and error("en", known) == known
    assert error("zh-CN", "Stride must be between 1 and the block size (128), not 512.") == \
        "步幅必须在 1 和块大小（128）之间，而不是 512。"  # a common engine sentence, by its pattern
    engine = "Could not load the model 'x': safetensors header is too large"
    assert error("zh-CN", engine) == f"{ZH['Error (in English):']} {engine}"  # any other: English, said so
    assert chinese("Temperatures must be numbers separated by commas, like 0.3, 1, 1.5 — not 'x'.").endswith("而不是“x”。")
    assert tr("zh-CN", "the prompt is longer than 2,000 characters.") == "提示词超过了 2,000 个字符。"  # a share link's
    assert tr("en", "Opened from a shared link: the {tab} tab{model}{knobs}.", tab="Compare", model="", knobs="") == \
        "Opened from a shared link: the Compare tab."
    assert tr("zh-CN", "Scored the file a.txt (the text box is ignored while a file is attached): the coloured tokens are "
                       "the first 2,000 of 9,000; the chart shows every token.") == \
        "已评估文件 a.txt（附有文件时忽略文本框）：着色的是 9,000 个词元中的前 2,000 个；图表显示每个词元。"


def test_handlers_write_in_the_sessions_language(tiny_model_dir, peaky_model_dir, tmp_path):
    from playground.ui.generate import on_generate
    from playground.ui.state import AppContext
    from tests.ui.test_tabs import KNOBS

    ctx = AppContext(models=[str(peaky_model_dir), str(tiny_model_dir)], runs_dir=tmp_path / "runs")
    session = ctx.session(None)
    session.language = "zh-CN"
    *_, (text, tokens, info) = on_generate(ctx, session, dict(prompt="Hello", model=str(peaky_model_dir), knobs=KNOBS))
    assert "种子 7" in info and "12 个词元" in info


@pytest.mark.parametrize("accept, expected", [("zh-CN,zh;q=0.9", "还没有上传文件"), ("en-US", "No file uploaded yet")])
def test_the_api_answers_in_the_asking_browsers_language(app_url, accept, expected):
    from gradio_client import Client

    client = Client(app_url, verbose=False, headers={"Accept-Language": accept})
    message, *_ = client.predict("Uploaded files", [], [], "blocks", 64, 0, 10, "", api_name="/prepare_corpus")
    assert expected in message and "pg-error" in message
