"""The UI in English and Simplified Chinese (playground.ui.i18n, playground/ui/locales/*.po): both tables
complete, nothing static left untranslated in the built app, what the server writes in the page's language,
and a third language is a file."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from types import SimpleNamespace

import pytest
from gradio.i18n import I18nData

from playground.ui.i18n import (EN, I18N, KEY_PREFIX, LANGUAGES, TRANSLATIONS, english, error, language, language_of, localize,
                                tr, translate, untranslated)

ZH = TRANSLATIONS["zh-CN"]  # the file's whole strings (+ localize's), by their English
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_both_languages_with_the_same_fields():
    assert set(I18N.translations) == {"en", "zh-CN"}
    ours = {k for k in I18N.translations["en"] if k.startswith(KEY_PREFIX)}
    assert ours == {k for k in I18N.translations["zh-CN"] if k.startswith(KEY_PREFIX)} == {KEY_PREFIX + k for k in ZH} \
        == {KEY_PREFIX + k for k in EN}
    # gradio's own keys its page uses without a text in gradio's zh-CN (or at all): both languages, gradio's name
    gradio = set(I18N.translations["en"]) - ours
    assert {"common.upload", "common.complete", "status.queue_position"} <= gradio == set(I18N.translations["zh-CN"]) - ours
    assert (I18N.translations["en"]["common.upload"], I18N.translations["zh-CN"]["common.upload"]) == ("Upload", "上传")
    for source, chinese_ in ZH.items():
        assert CJK.search(chinese_) or not re.search("[A-Za-z]", source), f"not translated: {source!r}"
        assert fields(chinese_) == fields(source), source  # tr() fills the same {names} in either language
        # Markdown keeps its headings and bold; the browser shows the whole string, so they must survive.
        assert source.startswith("#") == chinese_.startswith("#") and source.count("**") == chinese_.count("**"), source


def test_the_built_app_has_no_english_label_left(tiny_model_dir, peaky_model_dir, tmp_path):
    import gradio as gr
    from gradio.i18n import I18nData

    from playground.ui import build_app

    demo = build_app(models=[str(peaky_model_dir), str(tiny_model_dir)], runs_dir=str(tmp_path / "runs"))
    assert untranslated(demo) == []
    # Labels, info, buttons, tab names and choices really went to the browser as translation keys.
    labels = {english(b.label.key) for b in demo.blocks.values() if isinstance(getattr(b, "label", None), I18nData)}
    assert {"Temperature", "Prompt", "Model (used by every tab)", "Data", "Decoding lab", "Internals"} <= labels
    buttons = [b.value for b in demo.blocks.values() if isinstance(b, gr.Button)]
    assert str(I18N("Start training")) in buttons and str(I18N("Show distribution")) in buttons
    radio = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "train-source")
    assert [english(c[0].key) for c in radio.choices] == ["Fine-tune a model", "Train from scratch"]
    assert [c[1] for c in radio.choices] == ["finetune", "scratch"]  # the values the API and the page send: never translated
    # A label built from numbers (the size list) is translated by its pattern and joins both tables.
    size = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "train-size")
    assert all(isinstance(c[0], I18nData) and CJK.search(ZH[english(c[0].key)]) for c in size.choices)
    assert set(EN) == set(ZH)
    localize(demo)  # twice is harmless: what is already I18nData stays
    assert untranslated(demo) == []


# Props gradio's page passes through its translator whatever they hold (gradio/templates/frontend: src-*.js, v = […]).
TRANSLATED_PROPS = ("label", "info", "placeholder", "description", "title", "value")


def test_no_value_can_be_taken_for_a_translation_key(tiny_model_dir, peaky_model_dir, tmp_path, monkeypatch):
    """Gradio's page translates any of those props that EQUALS a key of its dictionaries, I18nData or not: keyed by
    plain English, the Train tab's initial value "Train from scratch" reached the server as "从零训练" (issue 18).
    The keys are namespaced, so no initial value or choice value is one; and localize translates the labels of
    choices, never their values."""
    from playground.ui import app, build_app, i18n

    before = {}

    def localize(blocks):  # the choices as the tabs built them, before translation
        before.update({id(b): list(b.choices) for b in blocks.blocks.values() if isinstance(getattr(b, "choices", None), list)})
        i18n.localize(blocks)

    monkeypatch.setattr(app, "localize", localize)
    demo = build_app(models=[str(peaky_model_dir), str(tiny_model_dir)], runs_dir=str(tmp_path / "runs"))
    keys = {key for table in I18N.translations.values() for key in table}
    assert all(k.startswith(KEY_PREFIX) or re.fullmatch(r"[a-z_]+\.[a-z_]+", k) for k in keys)  # ours, or gradio's own
    assert set(I18N.translations["en"].values()) >= {"Train from scratch", "step", "Shakespeare (38 plays)"}

    plain, values = [], 0
    for component in demo.config["components"]:
        props, name = component.get("props", {}), component.get("props", {}).get("elem_id") or component["type"]
        for prop in TRANSLATED_PROPS:
            if isinstance(props.get(prop), str):
                plain += [f"{name}.{prop} = {props[prop]!r}"] if props[prop] in keys else []
        held = props.get("value") if isinstance(props.get("value"), list) else [props.get("value")]
        choices = [c[1] for c in props.get("choices") or [] if isinstance(c, (list, tuple))]
        for value in [*held, *choices]:
            values += 1
            if isinstance(value, str) and value.startswith(KEY_PREFIX):
                plain.append(f"{name}: the value {value!r}")
    assert plain == [] and values > 100

    changed = []
    for block in demo.blocks.values():
        if id(block) in before:
            labels = [c[0] for c in block.choices]
            if [c[1] for c in block.choices] != [c[1] if isinstance(c, tuple) else c for c in before[id(block)]]:
                changed.append(getattr(block, "elem_id", None) or type(block).__name__)
            assert not any(isinstance(l, str) and l.startswith(KEY_PREFIX) for l in labels)
    assert changed == [] and len(before) > 10
    source = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "train-source")
    assert all(isinstance(label, I18nData) for label, _ in source.choices)  # the labels: translated in the browser


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
    assert [t for t in texts if translate('zh-CN', t) is None] == []


FRENCH = r'''msgid ""
msgstr ""
"Language: fr\n"
"Content-Type: text/plain; charset=UTF-8\n"
"X-Language-Name: Français\n"
"X-Browser-Languages: fr fr-*\n"

msgid "Temperature"
msgstr "Température"

msgctxt "sentence"
msgid "Layer must be between 1 and {n}, not {layer}."
msgstr "La couche doit être entre 1 et {n}, pas {layer}."

msgctxt "regex"
msgid "(.+) \\(bundled\\)"
msgstr "\\1 (fourni)"

#, fuzzy
msgid "Seed"
msgstr "Graine ?"
'''


def test_a_language_is_a_file(tmp_path):
    """The switch's languages and the browser tags each answers come from the files' headers; a third language
    needs no code: its whole strings, sentences and patterns are read like Chinese's."""
    from playground.ui.i18n_catalog import LOCALES, read_all

    assert LANGUAGES == [("English", "en"), ("简体中文", "zh-CN")]
    assert {p.name for p in LOCALES.glob("*.po")} == {"zh-CN.po"}
    (tmp_path / "fr.po").write_text(FRENCH, encoding="utf-8")
    (fr,) = read_all(tmp_path).values()
    assert (fr.code, fr.name) == ("fr", "Français")
    assert [t for t in ("fr", "fr-ca", "fra", "en") if fr.answers(t)] == ["fr", "fr-ca"]
    assert fr.translate("Temperature") == "Température" and fr.translate("Seed") is None  # fuzzy: not checked yet
    assert fr.translate("Layer must be between 1 and 12, not 13.") == "La couche doit être entre 1 et 12, pas 13."
    assert fr.translate("demo (bundled)") == "demo (fourni)"


def test_the_translation_files_pass_gettexts_own_check():
    """msgfmt --check: well-formed, and each python-brace-format entry keeps its {fields} (translators' tools
    read the same files)."""
    import shutil
    import subprocess

    from playground.ui.i18n_catalog import LOCALES

    if shutil.which("msgfmt") is None:
        pytest.skip("gettext's msgfmt is not installed")
    for path in LOCALES.glob("*.po"):
        done = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


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
    engine = "A sentence the engine may write one day."
    assert error("zh-CN", engine) == f"{ZH['Error (in English):']} {engine}"  # any other: English, said so
    assert error("zh-CN", "Could not load the model 'x': safetensors header is too large") == \
        "无法加载模型“x”：safetensors header is too large"  # the library's own words stay as they came
    assert translate("zh-CN", "Temperatures must be numbers separated by commas, like 0.3, 1, 1.5 — not 'x'.").endswith("而不是“x”。")
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
    message, *_ = client.predict(source="uploaded", files=[], api_name="/prepare_corpus")
    assert expected in message and "pg-error" in message


# --------------------------------------------------------------------------- charts

STAGES = [{"name": n, "active": True, "kept": k, "probs": p, "entropy": h, "kept_mass": m} for n, k, p, h, m in [
    ("raw", 50257, [0.5, 0.3, 0.2], 1.0, 1.0), ("repetition_penalty", 50257, [0.5, 0.3, 0.2], 1.0, 1.0),
    ("no_repeat_ngram", 50257, [0.5, 0.3, 0.2], 1.0, 1.0), ("temperature", 50257, [0.6, 0.3, 0.1], 0.9, 1.0),
    ("top_k", 2, [0.667, 0.333, 0.0], 0.6, 0.9), ("top_p", 2, [0.667, 0.333, 0.0], 0.6, 1.0),
    ("min_p", 2, [0.667, 0.333, 0.0], 0.6, 1.0), ("typical", 2, [0.667, 0.333, 0.0], 0.6, 1.0),
    ("final", 2, [0.667, 0.333, 0.0], 0.6, 1.0)]]
WORDS = ["cut", " 的", "kept"]  # tokens that read like the charts' own words must stay themselves
RECORDS = [{"step": s, "train_loss": 9.0 - s, "tokens": 100 * s, "elapsed": 6.0 * s, "epoch": 0.1 * s} for s in (1, 2)] + \
    [{"step": 2, "val_loss": 6.5, "val_perplexity": 665.1, "tokens": 200, "elapsed": 12.0, "epoch": 0.2}]
REASONS = ["ranked 1 of 6: one of the 3 beams that continue",
           "ranked 5 of the 6 candidates; only the 3 best unfinished ones continue",
           "ended with the end-of-text token '<|endoftext|>'; joins the finished beams with score -1.234",
           "reached the length limit; joins the finished beams with score -2.000",
           "ended with the end-of-text token '\\n', but ranked 4, below the top 3",
           "reached the length limit, but 3 finished beams already score higher",
           "finished, then pushed out by better finished beams",
           "still running when beam search stopped: it could no longer beat the finished beams",
           "final beam 1: score -0.300 = -0.600 / 2", "final beam 2: score -0.250 = -0.500 / 2^1.5"]
STATUSES = ["running", "pruned", "finished", "finished", "pruned", "pruned", "pruned", "stopped", "final", "final"]


PER_CHAR = [{"step": 0, "val_loss": 7.0, "val_nats_per_char": 3.0, "val_bits_per_char": 4.33},
            {"step": 10, "val_loss": 5.0, "val_nats_per_char": 2.1, "val_bits_per_char": 3.03}]


def chart_figures():
    """(name, figure) from every builder of playground.charts, empty and drawn, with the titles the UI gives."""
    from playground import charts as c

    nodes = [{"id": 0, "parent": None, "step": 0, "token": "你", "logprob": 0.0, "cum_logprob": 0.0, "status": "root", "reason": ""}]
    nodes += [{"id": i, "parent": 0 if i < 8 else 1, "step": 1 if i < 8 else 2, "token": ["prompt", "step", " 3"][i % 3],
               "logprob": -0.5, "cum_logprob": -0.5 * i, "status": s, "reason": r}
              for i, (s, r) in enumerate(zip(STATUSES, REASONS), 1)]
    lens = [[{"top": [(t, 0.5), ("好", 0.1)], "next_prob": 0.2 if i < 2 else None} for i, t in enumerate(WORDS)]] * 3
    counts = [{"token": t, "count": 50 - i, "expected": 48.0} for i, t in enumerate(WORDS)]
    sweep = {"temperature": 0.7, "entropy": 1.2, "probs": [0.5, 0.3, 0.1]}
    refs = [{"temperature": 1.5, "entropy": 2.5, "probs": [0.3, 0.2, 0.2]}, {"temperature": 0.3, "entropy": 12.5, "probs": [0.9, 0, 0]}]
    w = [[1.0, 0.0, 0.0], [0.7, 0.3, 0.0], [0.5, 0.01, 0.49]]
    runs = [{"name": "r1", "records": RECORDS}, {"name": "r2", "records": RECORDS}]
    pairs = list(zip(WORDS, (1.0, 3.0, 2.0)))
    yield from [
        ("loss", c.loss_chart([])), ("loss", c.loss_chart(RECORDS, smoothing=0.6)), ("runs", c.runs_chart([])),
        *[(f"runs {x}", c.runs_chart(runs, x=x)) for x in c.RUN_X_AXES],
        # Loss per character (issue 22): drawn, and for runs from before it was recorded.
        ("loss", c.loss_chart(PER_CHAR, per_char=True)), ("loss", c.loss_chart(RECORDS, per_char=True)),
        *[(f"runs {y}", c.runs_chart([*runs, {"name": "r2", "records": PER_CHAR}], y=y)) for y in c.RUN_Y_AXES],
        ("runs", c.runs_chart(runs, y="nats_per_char")),
        ("histogram", c.length_histogram([])), ("histogram", c.length_histogram([3, 5, 200] * 400, block_size=128)),
        ("histogram", c.length_histogram([3, 5, 200], unit="line", block_size=128)),
        ("stages", c.stage_chart([], [])), ("stages", c.stage_chart(WORDS, STAGES)),
        ("samples", c.sample_histogram([], draws=0)),
        ("samples", c.sample_histogram(counts, draws=1000, other_count=10, other_expected=10.0, other_tokens=4,
                                       title="1,000 draws from the final distribution (seed 7)")),
        ("samples", c.sample_histogram(counts, draws=1000, other_count=600, other_expected=600.0,
                                       title="1,000 draws from the final distribution (seed 7)")),
        ("temperature", c.temperature_chart([], None)), ("temperature", c.temperature_chart(WORDS, sweep, refs)),
        ("temperature", c.temperature_chart(WORDS, {"temperature": 0, "entropy": 0.0, "probs": [1.0, 0, 0]})),
        ("compare", c.compare_chart([])),
        ("compare", c.compare_chart([{"name": "greedy", "distinct_1": 0.5, "distinct_2": 0.6, "repeat_3gram_rate": 0.1,
                                      "perplexity": 2.0}, {"name": "top-k 50", "distinct_1": 0.8, "perplexity": 900.0}])),
        ("surprisal", c.surprisal_chart({})), ("surprisal", c.surprisal_chart({"m1": pairs}, title=
                                                                              "Surprisal of each token given the ones before it")),
        ("surprisal", c.surprisal_chart({"m1": pairs * 300, "m2": pairs * 300})),
        ("attention", c.attention_heatmap([], [])), ("attention", c.attention_heatmap(WORDS, w, title="Attention weights — layer 3, head 2")),
        ("attention", c.attention_heatmap(WORDS, w, title="Attention weights — layer 3, mean of the 12 heads")),
        ("lines", c.attention_lines([], [])), ("lines", c.attention_lines(WORDS, w, title="Who looks at whom")),
        ("lines", c.attention_lines(WORDS, w, focus=2, title="Who looks at whom — token 3 only")),
        ("lens", c.logit_lens_chart([], [])), ("lens", c.logit_lens_chart(WORDS, lens)),
        ("beam", c.beam_tree_chart([])), ("beam", c.beam_tree_chart(nodes, title="Beam search with 3 beams after “你好”")),
    ]


# English that stays in the Chinese charts: knob and metric names, code names, symbols.
KEPT_ENGLISH = {"top-k", "top-p", "min-p", "typical-p", "softmax", "n-gram", "3-gram", "distinct-1", "distinct-2", "logits", "ln_f",
                "log", "token", "generate", "Logit", "logit", "key", "query", "r1", "r2", "m1", "m2", "greedy"}


def chart_text(fig) -> list[str]:
    """What a reader reads on a chart: title, axis and colour-bar titles, legend, annotations, hover templates."""
    layout = fig.layout
    texts = [layout.title.text, layout.legend.title.text, *[a.text for a in layout.annotations]]
    texts += [getattr(layout, k).title.text for k in layout.to_plotly_json() if k[1:5] == "axis"]
    for t in fig.data:
        texts += [t.name, t.hovertemplate, getattr(getattr(t, "colorbar", None), "title", None) and t.colorbar.title.text]
        texts += [c[-1] for c in (t.customdata or []) if not isinstance(c, str) and t.type != "heatmap"]  # sentences
    return [re.sub(r"%\{[^}]*\}|<[^>]*>", " ", t) for t in texts if isinstance(t, str)]


def same(a, b) -> bool:
    import json

    return json.loads(a.to_json()) == json.loads(b.to_json())


def values(fig) -> list:
    import json

    return [(t.get("x"), t.get("y"), t.get("z")) for t in json.loads(fig.to_json())["data"]]


def test_every_chart_reads_in_chinese_and_switches_back():
    from playground.ui.i18n import localize_figure

    names = set()
    for name, fig in chart_figures():
        names.add(name)
        zh = localize_figure(fig, "zh-CN")
        english = {w for text in chart_text(zh) for w in re.findall(r"[\w\-]+", text, re.ASCII) if re.search("[A-Za-z]{2}", w)}
        english -= KEPT_ENGLISH
        assert not english, f"{name}: {sorted(english)} in {chart_text(zh)}"
        assert CJK.search(zh.layout.title.text), name
        # The same figure otherwise: data, token texts, numbers and names untouched; English again on the way back.
        assert values(zh) == values(fig) or name in ("lens", "samples", "temperature")  # their rows, "(other tokens)"
        assert same(localize_figure(zh, "en"), fig) and same(localize_figure(fig, "en"), fig)
        assert same(localize_figure(localize_figure(zh.to_json(), "zh-CN"), "zh-CN"), zh)  # a gr.Plot's value: JSON
    assert {"loss", "runs", "histogram", "stages", "samples", "temperature", "compare", "surprisal", "attention", "lines",
            "lens", "beam"} <= names


def test_chart_text_keeps_token_texts_and_values():
    from playground import charts
    from playground.ui.i18n import localize_figure

    figures = dict(chart_figures())  # the last of each name
    stages = localize_figure(figures["stages"], "zh-CN")
    assert stages.layout.title.text == "下一个词元的分布，逐个旋钮<br><sub>所有阶段共用同一个概率刻度</sub>"
    assert "<b>原始 softmax</b><br><sub>保留 50,257 个</sub><br><sub>1.00 奈特 ≈ 2.7 个选择</sub>" in \
        [a.text for a in stages.layout.annotations]
    assert list(stages.data[0].y) == ["cut", "␣的", "kept"]  # tokens on the axis stay themselves
    assert "剪掉" in stages.data[-5].text  # the bars' own word "cut" (top-k's cut token) is translated
    lens = localize_figure(figures["lens"], "zh-CN")
    assert list(lens.data[0].y) == ["嵌入层", "第 1 个模块之后", "第 2 个模块之后"]
    assert list(lens.data[0].text[0]) == ["cut", "␣的", "kept"]
    assert lens.data[0].customdata[1][0].startswith("第 1 个模块之后，在“cut”之后<br>cut  50.0%")
    beam = localize_figure(figures["beam"], "zh-CN")
    nodes = {t.name: t for t in beam.data if t.name}
    assert list(nodes["提示词"].text) == ["提示词"] and beam.layout.xaxis.ticktext[0] == "提示词"
    assert {c[0] for c in nodes["被剪枝"].customdata} == {"step", "␣3", "prompt"}  # token texts, not translated
    assert nodes["最终的束（generate 返回的结果）"].customdata[0][3] == "第 1 个最终束：得分 -0.300 = -0.600 / 2"
    heat = localize_figure(charts.attention_heatmap(["prompt", "step"], [[1, 0], [0.5, 0.5]]), "zh-CN")
    assert list(heat.data[0].x) == ["prompt", "step"] and heat.layout.title.text == "注意力权重"
    samples = localize_figure(charts.sample_histogram([{"token": "cut", "count": 5, "expected": 4.0}], draws=9, other_count=4,
                                                      other_expected=5.0, title="9 draws from the final distribution (seed 7)"), "zh-CN")
    assert samples.layout.title.text.startswith("从最终分布中抽样 9 次（种子 7）<br><sub>图中 1 个词元得到了 56% 的抽样；")
    assert list(samples.data[0].x) == ["cut", "（其他词元）"]


# --------------------------------------------------------------------------- the engine's error sentences

SAMPLE = "7"  # what each {value} of a template becomes here: the patterns take any value
WORDS_OF = {"what": ("document", "record"), "which": ("corpus", "validation file")}  # values the sentence spells out


def templates(node) -> list[str]:
    """The sentences a string literal or f-string can be, each value replaced by SAMPLE (or its WORDS_OF)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if not isinstance(node, ast.JoinedStr):
        return []
    out = [""]
    for v in node.values:
        words = WORDS_OF.get(getattr(v.value, "id", None), (SAMPLE,)) if isinstance(v, ast.FormattedValue) else (v.value,)
        out = [o + w for o in out for w in words]
    return out


def error_sentences(root: Path) -> dict[str, str]:
    """{sentence: where} for every sentence a PlaygroundError (or a failed run's status) can carry, read from the
    source under `root`: the literal given, or what a variable, a helper's return or a checks table holds."""
    trees = [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(root.rglob("*.py"))]
    constants, functions = {}, {}
    for _, tree in trees:
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                child.parent = node
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and templates(node.value):
                constants[node.targets[0].id] = templates(node.value)
            if isinstance(node, ast.FunctionDef):
                functions.setdefault(node.name, []).append(node)

    def enclosing(node):
        while node is not None and not isinstance(node, ast.FunctionDef):
            node = getattr(node, "parent", None)
        return node

    def sources(arg, at) -> list[str]:
        if templates(arg):
            return templates(arg)
        if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):  # f"…" + ("…" if … else "…")
            return [a + b for a in sources(arg.left, at) for b in sources(arg.right, at)]
        if isinstance(arg, ast.IfExp):
            return sources(arg.body, at) + sources(arg.orelse, at)
        if isinstance(arg, ast.Call):  # a helper that words it: self._diverged_message()
            name = getattr(arg.func, "attr", getattr(arg.func, "id", None))
            return [s for f in functions.get(name, []) for r in ast.walk(f) if isinstance(r, ast.Return) and r.value
                    for n in ast.walk(r.value) for s in templates(n) if " " in s and not isinstance(n.parent, ast.JoinedStr)]
        fn = enclosing(at)
        if not isinstance(arg, ast.Name) or fn is None:
            return []
        if arg.id in [a.arg for a in fn.args.args]:  # def bad(message): raise PlaygroundError(message)
            return [s for c in ast.walk(enclosing(fn.parent)) if isinstance(c, ast.Call) and getattr(c.func, "id", None) == fn.name
                    for s in sources(c.args[0], c)]
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == arg.id for t in node.targets):
                return sources(node.value, node)  # problem = _json_line_error(…)
            if isinstance(node, ast.For) and isinstance(node.target, ast.Tuple) and isinstance(node.iter, ast.Name):
                names = [getattr(e, "id", None) for e in node.target.elts]  # for ok, message in checks
                if arg.id in names:
                    tables = [a.value for a in ast.walk(fn) if isinstance(a, ast.Assign) and getattr(a.targets[0], "id", None) == node.iter.id]
                    return [s for table in tables for row in table.elts for s in templates(row.elts[names.index(arg.id)])]
        return constants.get(arg.id, [])

    found = {}
    for path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and (getattr(node.func, "id", None) == "PlaygroundError"
                                                             or getattr(node.func, "attr", None) == "_fail"):
                if ast.unparse(node.args[0]) == "str(e)":  # a PlaygroundError passed on: its sentence is read where raised
                    continue
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                for sentence in sources(node.args[0], node) or [f"<not read: {ast.unparse(node.args[0])}>"]:
                    found.setdefault(sentence, where)
    return found


def test_every_error_sentence_of_the_engine_has_its_chinese():
    """A new English error without its Chinese (a "sentence" or "regex" entry of locales/zh-CN.po) fails here, not
    in front of a class."""
    sentences = error_sentences(Path(__file__).parents[2] / "playground")
    assert len(sentences) > 120
    assert "Could not load the model '7': 7" in sentences and "Stop texts must be non-empty strings." in sentences
    missing = [f"{where}: {s}" for s, where in sentences.items() if not CJK.search(error("zh-CN", s).replace(ZH["Error (in English):"], ""))]
    assert missing == []
    assert error("zh-CN", "The file 'notes.txt' is empty; choose a file with some text in it.") == \
        "文件“notes.txt”是空的；请选择有文本内容的文件。"
    assert error("zh-CN", "The corpus has 10 tokens, too short for a train and a validation block of 64 tokens; add text or "
                          "choose a block size of at most 2.") == \
        "语料只有 10 个词元，不够组成一个训练块和一个验证块（每块 64 个词元）；请添加文本，或把块大小设为不超过 2。"
    assert error("zh-CN", "'a.json' must be a list of objects with a text field, like [{\"text\": \"...\"}].") == \
        "“a.json”必须是带文本字段的对象列表，例如 [{\"text\": \"...\"}]。"
