"""UI language: English and Simplified Chinese, through gradio's own i18n.

English is the source language and each English string is its own key, so the tab modules read in
English and a string missing from `ZH` stays English instead of showing a key. Two halves:

- Static text (labels, info, placeholders, button and Markdown values, tab and accordion names, the
  display side of choices) is turned into gradio's I18nData by `localize(demo)` once the Blocks are built;
  the browser translates it (`launch(i18n=I18N)`) and re-translates it live when the language changes.
- Text the server writes while the app runs (notes, progress, status words, table cells) cannot be
  translated by the browser (gradio only swaps whole static strings), so handlers translate it with
  `tr(lang, text, **values)` for the language of the page that asked (`language_of(request)`).

Which language a page shows: `?lang=zh-CN` (or `?lang=en`) in the address, else the one last chosen with
the header's switch (a cookie, so the server learns it too), else the browser's language. Gradio itself
only follows the browser's language, so the switch calls gradio's own `changeLocale` (page_js).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import gradio as gr

from playground.ui.i18n_zh import PATTERNS, ZH

COOKIE = "pg_lang"
LANGUAGES = [("English", "en"), ("简体中文", "zh-CN")]
EN = {key: key for key in ZH}
I18N = gr.I18n(en=EN, **{"zh-CN": ZH})


def language(tag: str | None) -> str:
    """One of the two languages for a BCP 47 tag: Simplified Chinese for zh, zh-CN, zh-Hans, zh-SG, else English
    (zh-TW and zh-HK readers get English rather than a script they did not ask for)."""
    tag = (tag or "").strip().lower().replace("_", "-")
    return "zh-CN" if tag == "zh" or tag.startswith(("zh-cn", "zh-hans", "zh-sg")) else "en"


def language_of(request: gr.Request | None) -> str:
    """The page's language, as page_js sets it: the address's ?lang=, the switch's cookie, else the
    browser's first Accept-Language (API clients send none: English)."""
    if request is None:
        return "en"
    headers = getattr(request, "headers", None) or {}
    query = (getattr(request, "query_params", None) or {}).get("lang") or \
        parse_qs(urlparse(headers.get("referer", "")).query).get("lang", [None])[0]
    if query:
        return language(query)
    cookie = re.search(rf"(?:^|;\s*){COOKIE}=([^;]+)", headers.get("cookie", ""))
    if cookie:
        return language(cookie.group(1))
    return language(headers.get("accept-language", "").split(",")[0].split(";")[0])


_PATTERNS = [(re.compile(english), chinese) for english, chinese in PATTERNS]


def chinese(text: str) -> str | None:
    """The Chinese of an English UI string (a whole string of ZH, or one PATTERNS matches), else None."""
    if text in ZH:
        return ZH[text]
    for english, zh in _PATTERNS:
        if english.fullmatch(text):
            return english.sub(zh, text)
    return None


def tr(lang: str, text: str, **values) -> str:
    """`text` in `lang`, with `values` filled in (str.format). Text without a translation stays English."""
    template = (chinese(text) or text) if lang == "zh-CN" else text
    return template.format(**values) if values else template


def error(lang: str, message: str) -> str:
    """An error sentence, which the engine writes in English: known ones translated, any other kept in English
    behind a Chinese lead-in (a guessed translation of a message that names what went wrong would mislead)."""
    if lang != "zh-CN":
        return message
    return chinese(message) or f"{ZH['Error (in English):']} {message}"


# --------------------------------------------------------------------------- charts

ENGLISH_KEY = "pg_english"  # layout.meta: the English each translated text had, so a figure can switch back


def localize_figure(fig, lang: str):
    """A playground.charts figure in `lang`: title, axis titles, trace and legend names, annotations (subplot
    titles, notes), colour-bar titles, the fixed words of hover templates and of the charts' own labels ("cut",
    the beam tree's "prompt", its reasons) through the ZH and PATTERNS tables, line by line (a title's `<br>`
    lines separately). Token texts, numbers and run and model names stay as they are.

    A translated figure keeps its English in `layout.meta`, so the same function turns it back (English) or
    into the other language: the language switch redraws the charts on the page from what the page holds.
    Takes a go.Figure or its dict/JSON form (a gr.Plot's value); returns a new go.Figure (an English go.Figure
    as it is).
    """
    import plotly.graph_objects as go

    if isinstance(fig, go.Figure) and lang != "zh-CN" and not (isinstance(fig.layout.meta, dict)
                                                              and ENGLISH_KEY in fig.layout.meta):
        return fig  # English already: the figure as charts.py drew it
    if hasattr(fig, "to_plotly_json"):
        fig = fig.to_plotly_json()
    elif isinstance(fig, str):
        fig = json.loads(fig)
    fig = json.loads(json.dumps(fig, default=_plain))  # a deep copy in plain types
    data, layout = fig.setdefault("data", []), fig.setdefault("layout", {})
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    for path, english in meta.pop(ENGLISH_KEY, []):  # back to English first
        _set(fig, path, english)
    if lang == "zh-CN":
        done = []
        for path, whole in list(_chart_texts(data, layout)):  # read before anything is translated
            english = _get(fig, path)
            zh = _lines(english, whole)
            if zh != english:
                _set(fig, path, zh)
                done.append([path, english])
        if done:
            meta[ENGLISH_KEY] = done
    if meta:
        layout["meta"] = meta
    else:
        layout.pop("meta", None)
    return go.Figure(fig, skip_invalid=True)


def _plain(value):
    return value.tolist() if hasattr(value, "tolist") else str(value)


def _chart_texts(data: list, layout: dict):
    """(path, whole) of every translatable string of a figure dict; `whole`: may be a ZH key, not only a
    pattern (False where a token text could stand: a token that reads like an English word stays itself)."""
    def title(obj, *path):
        t = obj.get("title")
        if isinstance(t, dict) and isinstance(t.get("text"), str):
            yield (*path, "title", "text"), True
        elif isinstance(t, str):
            yield (*path, "title"), True

    yield from title(layout, "layout")
    for i, a in enumerate(layout.get("annotations") or []):
        if isinstance(a.get("text"), str):
            yield ("layout", "annotations", i, "text"), True
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(axis, dict):
            yield from title(axis, "layout", key)
            ticks = axis.get("ticktext") or []
            words = [j for j, t in enumerate(ticks) if not re.fullmatch(r"[\d.,\-]*", str(t))]
            if len(words) == 1:  # the beam tree's "prompt, 1, 2, …"; a token axis has many words
                yield ("layout", key, "ticktext", words[0]), True
    if isinstance(layout.get("legend"), dict):
        yield from title(layout["legend"], "layout", "legend")
    for i, trace in enumerate(data):
        at = ("data", i)
        for key in ("name", "meta", "hovertemplate"):
            if isinstance(trace.get(key), str):
                yield (*at, key), True
        for where in (("colorbar",), ("marker", "colorbar")):
            bar = trace
            for key in where:
                bar = bar.get(key) if isinstance(bar, dict) else None
            if isinstance(bar, dict):
                yield from title(bar, *at, *where)
        rows = trace.get("y")
        if trace.get("type") == "heatmap" and isinstance(rows, list) and rows[:1] == ["embeddings"]:  # the logit lens
            yield from (((*at, "y", j), True) for j in range(len(rows)))
        text = trace.get("text")
        # Bars' labels are numbers or a word ("cut"); the beam tree's prompt node says "prompt". Other
        # text (heatmap cells, the attention lines' columns, beam nodes) is tokens.
        if isinstance(text, list) and (trace.get("type") == "bar" or trace.get("name") == "prompt"):
            yield from (((*at, "text", j), True) for j, t in enumerate(text) if isinstance(t, str))
        for j, x in enumerate(trace.get("x") or [] if trace.get("type") in ("bar", "scatter") else []):
            if isinstance(x, str) and x.startswith("(") and " " in x:  # "(other tokens)": a token label has no space
                yield (*at, "x", j), True
        for j, c in enumerate(trace.get("customdata") or []):
            if trace.get("type") == "heatmap" and isinstance(c, list):  # the logit lens's hover, cell by cell
                yield from (((*at, "customdata", j, k), False) for k, cell in enumerate(c) if isinstance(cell, str))
            elif isinstance(c, list) and c and isinstance(c[-1], str):  # [values…, the sentence]: stage, beam tree
                yield (*at, "customdata", j, len(c) - 1), True
            elif isinstance(c, str):  # hover lines around token texts: by pattern only
                yield (*at, "customdata", j), False


def _get(obj, path):
    for key in path:
        obj = obj[key]
    return obj


def _set(obj, path, value):
    _get(obj, path[:-1])[path[-1]] = value


_TAGS = re.compile(r"((?:<[a-z]+>)*)(.*?)((?:</[a-z]+>)*)", re.S)
_EXTRA = re.compile(r"(.*)<extra>(.*)</extra>", re.S)


def _lines(text: str, whole: bool = True) -> str:
    """`text` in Chinese, each `<br>` line on its own (its <b>/<sub> tags kept); a hover template's
    `<extra>` name too. Lines without a translation stay English."""
    extra = _EXTRA.fullmatch(text)
    if extra:
        body, name = extra.groups()
        return _lines(body, whole) + f"<extra>{_lines(name, whole) if name else ''}</extra>"
    out = []
    for line in text.split("<br>"):
        opening, inner, closing = _TAGS.fullmatch(line).groups()
        zh = chinese(inner) if whole else _pattern(inner)
        if zh is None and " — " in inner:  # "Attention weights — layer 3, head 2": each half by itself
            halves = [chinese(h) if whole else _pattern(h) for h in inner.split(" — ", 1)]
            if None not in halves:
                zh = "——".join(halves)
        out.append(f"{opening}{zh if zh is not None else inner}{closing}")
    return "<br>".join(out)


def _pattern(text: str) -> str | None:
    for english, zh in _PATTERNS:
        if english.fullmatch(text):
            return english.sub(zh, text)
    return None


def headed(lang: str, headers: list[str], rows: list[list]):
    """A Dataframe's value with its column names in `lang` (the browser does not translate table headers).
    English: the rows as they are, so the API's answer does not change."""
    return rows if lang != "zh-CN" else {"headers": [tr(lang, h) for h in headers], "data": rows}


def localize(blocks: gr.Blocks) -> None:
    """Every static string of the built Blocks that has a translation becomes I18nData for the browser.

    Call it inside the `with gr.Blocks()` body, after the last component: gradio reads the attributes when
    the Blocks are closed. Values (Markdown, buttons) become gradio's marker string, as Markdown itself does.
    """
    def key(text):
        """I18nData for a translatable string, else the text itself. A string a pattern translates (a size's
        description, a model's label) joins both tables: they are the dicts gr.I18n sends at launch."""
        if isinstance(text, str) and text not in ZH and (zh := chinese(text)) is not None:
            ZH[text], EN[text] = zh, text
        return I18N(text) if isinstance(text, str) and text in ZH else text

    for block in blocks.blocks.values():
        for attr in ("label", "info", "placeholder"):
            if isinstance(getattr(block, attr, None), str):
                setattr(block, attr, key(getattr(block, attr)))
        if isinstance(block, STATIC_VALUES) and isinstance(block.value, str):
            block.value = str(key(block.value))  # gradio's marker string, as Markdown makes of I18nData
        choices = getattr(block, "choices", None)
        if isinstance(choices, list):
            block.choices = [(key(c[0]), c[1]) if isinstance(c, tuple) else c for c in choices]


def untranslated(blocks: gr.Blocks) -> list[str]:
    """Static English strings of the built Blocks that `localize` left as they were (tests: none)."""
    out = []
    for block in blocks.blocks.values():
        texts = [getattr(block, a, None) for a in ("label", "info", "placeholder")]
        if isinstance(block, STATIC_VALUES):
            texts.append(block.value)
        if getattr(block, "elem_id", None) not in MODEL_LISTS:
            texts += [c[0] for c in getattr(block, "choices", None) or [] if isinstance(c, tuple)]
        out += [t for t in texts if isinstance(t, str) and re.search("[A-Za-z]{2}", t) and t not in NAMES
                and not t.startswith("__i18n__")]  # a value localize made gradio's marker
    return out


# Components whose value is text written in the code, not data.
STATIC_VALUES = (gr.Markdown, gr.Button, gr.DownloadButton)

# Lists of model names (their "(bundled)", "(Hub)" … are translated; a name is a name).
MODEL_LISTS = {"model-select", "train-base", "eval-model-b"}

# Strings that read the same in both languages: names, symbols, code.
NAMES = {"English", "简体中文", "Language · 语言", "Top-k", "Min-p", "Typical-p", "text", "/path/to/model"}


def page_js(tabs: list[str]) -> tuple[str, str]:
    """The browser half: (the switch's change handler, the page-load handler that picks the language).

    Gradio follows the browser's language only; its own Settings panel changes it with `changeLocale`, which
    its core module exports: this imports that module from the URL the page already loaded it from (so the
    same module and language store as the page's). Gradio re-translates only what is on the page, and a tab's
    name only once its content has been shown, so the names of `tabs` not opened yet are set here.
    """
    names = json.dumps({key: {"en": key, "zh-CN": ZH[key]} for key in tabs}, ensure_ascii=False)
    set_language = """
const setLanguage = async (lang) => {
  lang = lang === "zh-CN" ? "zh-CN" : "en";
  document.cookie = "%(cookie)s=" + lang + "; path=/; max-age=31536000; SameSite=Lax";
  const url = new URL(window.location.href);
  if (url.searchParams.has("lang") && url.searchParams.get("lang") !== lang) {
    url.searchParams.set("lang", lang);  // the server reads ?lang= first: keep it true
    window.history.replaceState(null, "", url);
  }
  const showing = document.documentElement.lang === "zh-CN" ? "zh-CN" : "en";
  if (showing !== lang) {
    const core = performance.getEntriesByType("resource").map((e) => e.name)
      .find((name) => /\\/assets\\/core-[^/]*\\.js/.test(name));
    if (core) (await import(core)).changeLocale(lang);
  }
  const names = Object.values(%(names)s);
  const bar = [...document.querySelectorAll("#tabs button")].filter((b) => !b.closest(".tabitem"));  // not the contents
  bar.forEach((button) => {
    const walk = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      const name = names.find((n) => node.nodeValue.trim() === n.en || node.nodeValue.trim() === n["zh-CN"]);
      if (name) node.nodeValue = node.nodeValue.replace(node.nodeValue.trim(), name[lang]);
    }
  });
  return lang;
};
""" % {"cookie": COOKIE, "names": names}
    # The page opens in ?lang=, else the switch's cookie, else the browser's language (read as language() does).
    load = """
async () => {
  %(set)s
  const pick = (tag) => {
    tag = (tag || "").toLowerCase().replace("_", "-");
    return tag === "zh" || /^zh-(cn|hans|sg)/.test(tag) ? "zh-CN" : "en";
  };
  const query = new URLSearchParams(window.location.search).get("lang");
  const cookie = (document.cookie.match(/(?:^|;\\s*)%(cookie)s=([^;]+)/) || [])[1];
  return await setLanguage(pick(query || cookie || navigator.language));
}
""" % {"set": set_language, "cookie": COOKIE}
    switch = "async (lang) => {\n%s\n  return await setLanguage(lang);\n}" % set_language
    return switch, load
