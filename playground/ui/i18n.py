"""UI language: English and every language of playground/ui/locales/*.po, through gradio's own i18n.

English is the source language and each English string is its own key, so the tab modules read in
English and a string a language's file lacks stays English instead of showing a key. The translations are
data, one gettext file per language (read by playground.ui.i18n_catalog; how to add a language or a string:
docs/design.md). Two halves:

- Static text (labels, info, placeholders, button and Markdown values, tab and accordion names, the
  display side of choices) is turned into gradio's I18nData by `localize(demo)` once the Blocks are built;
  the browser translates it (`launch(i18n=I18N)`) and re-translates it live when the language changes.
- Text the server writes while the app runs (notes, progress, status words, table cells) cannot be
  translated by the browser (gradio only swaps whole static strings), so handlers translate it with
  `tr(lang, text, **values)` for the language of the page that asked (`language_of(request)`).
  Charts: `localize_figure` (playground.ui.i18n_charts).

Which language a page shows: `?lang=zh-CN` (or `?lang=en`) in the address, else the one last chosen with
the header's switch (a cookie, so the server learns it too), else the browser's language. Gradio itself
only follows the browser's language: the browser half is playground/ui/page.py and static/*.js.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import gradio as gr
from gradio.i18n import I18nData

from playground.ui.i18n_catalog import CATALOGS, SOURCE
from playground.ui.i18n_charts import ENGLISH_KEY, localize_figure  # noqa: F401 - the tabs' one import for language

COOKIE = "pg_lang"
# The switch's (label, value) choices: English, then each file's language under its own name.
LANGUAGES = [("English", SOURCE), *((c.name, c.code) for c in CATALOGS.values())]
# Each language's whole strings by their English (the server's side), English's keyed by themselves. `localize`
# adds the strings a pattern translates (a size's description, a model's label) to these same dicts.
TRANSLATIONS: dict[str, dict[str, str]] = {code: dict(c.whole) for code, c in CATALOGS.items()}
EN = {key: key for table in TRANSLATIONS.values() for key in table}

# The keys the browser gets start with this. Gradio's page translates EVERY string prop named label, info,
# placeholder, description, title or value that equals a key of its dictionaries, not only the I18nData it was
# sent: keyed by plain English, an initial value "Train from scratch" reached the server as "从零训练", a value
# outside the choices. Namespaced keys can equal no value a component holds (the symbol for "unit separator":
# nobody types it, and should a key ever show untranslated, it is plain to see).
KEY_PREFIX = "\u241f"


class BrowserI18n(gr.I18n):
    """gr.I18n over TRANSLATIONS with namespaced keys: `I18N("Start training")` is I18nData for the browser, and
    the dictionaries it sends are read when gradio builds a page's config (so `localize`'s additions count)."""

    def __init__(self, tables: dict[str, dict[str, str]]):  # no super().__init__: `translations` is computed
        self.tables = tables

    @property
    def translations(self) -> dict[str, dict[str, str]]:
        return {code: {**GRADIO.get(code, {}), **{KEY_PREFIX + english: text for english, text in table.items()}}
                for code, table in self.tables.items()}

    def __call__(self, text: str) -> I18nData:
        return I18nData(KEY_PREFIX + text)


def english(key: str) -> str:
    """The English of a browser key (I18nData.key)."""
    return key.removeprefix(KEY_PREFIX)


# Texts of gradio's own components, under gradio's keys (not namespaced: gradio asks for them by these names).
GRADIO: dict[str, dict[str, str]] = {
    SOURCE: {key: english for c in CATALOGS.values() for key, (english, _) in c.gradio.items()},
    **{code: {key: text for key, (_, text) in c.gradio.items()} for code, c in CATALOGS.items()}}
I18N = BrowserI18n({SOURCE: EN, **TRANSLATIONS})


def language(tag: str | None) -> str:
    """The language for a BCP 47 tag: the first whose file's X-Browser-Languages patterns take it, else English
    (so zh, zh-CN, zh-Hans, zh-SG are Simplified Chinese, while zh-TW and zh-HK readers get English rather than
    a script they did not ask for)."""
    tag = (tag or "").strip().lower().replace("_", "-")
    return next((c.code for c in CATALOGS.values() if c.answers(tag)), SOURCE)


def language_of(request: gr.Request | None) -> str:
    """The page's language, as page_js sets it: the address's ?lang=, the switch's cookie, else the
    browser's first Accept-Language (API clients send none: English)."""
    if request is None:
        return SOURCE
    headers = getattr(request, "headers", None) or {}
    query = (getattr(request, "query_params", None) or {}).get("lang") or \
        parse_qs(urlparse(headers.get("referer", "")).query).get("lang", [None])[0]
    if query:
        return language(query)
    cookie = re.search(rf"(?:^|;\s*){COOKIE}=([^;]+)", headers.get("cookie", ""))
    if cookie:
        return language(cookie.group(1))
    return language(headers.get("accept-language", "").split(",")[0].split(";")[0])


def translate(lang: str, text: str) -> str | None:
    """`text` in `lang` (a whole string of its file, or one of its patterns matches), else None (English too)."""
    catalog = CATALOGS.get(lang)
    return catalog.translate(text) if catalog is not None else None


def tr(lang: str, text: str, **values) -> str:
    """`text` in `lang`, with `values` filled in (str.format). Text without a translation stays English."""
    template = translate(lang, text) or text
    return template.format(**values) if values else template


def error(lang: str, message: str) -> str:
    """An error sentence, which the engine writes in English: known ones translated, any other kept in English
    behind a lead-in that says so (a guessed translation of a message that names what went wrong would mislead)."""
    if lang not in CATALOGS:
        return message
    return translate(lang, message) or f"{tr(lang, 'Error (in English):')} {message}"


def headed(lang: str, headers: list[str], rows: list[list]):
    """A Dataframe's value with its column names in `lang` (the browser does not translate table headers).
    English: the rows as they are, so the API's answer does not change."""
    return rows if lang != "zh-CN" else {"headers": [tr(lang, h) for h in headers], "data": rows}


def empty_tables(blocks: gr.Blocks) -> list[gr.Dataframe]:
    """The tables built with column names (and no rows). Those names are static English the browser does not
    translate (gradio shows a table's headers as they come): `table_headers` writes them in the page's language
    when it opens and at each switch — also for a table a handler has filled since, rows kept (the Runs table, the
    training samples)."""
    return [b for b in blocks.blocks.values() if isinstance(b, gr.Dataframe) and isinstance(b.value, dict)
            and not b.value.get("data") and b.headers]


def table_headers(lang: str, tables: list[gr.Dataframe], values: list) -> list:
    """Each table's value (a pandas DataFrame, as the page holds it) with its column names in `lang`, its rows
    kept; a table whose columns are not its built ones (a handler wrote others) is left as it is."""
    out = []
    for table, value in zip(tables, values):
        rows = value.values.tolist() if hasattr(value, "values") and len(getattr(value, "columns", [])) == len(table.headers) \
            else [] if value is None else None
        out.append(gr.skip() if rows is None else {"headers": [tr(lang, h) for h in table.headers], "data": rows})
    return out


def localize(blocks: gr.Blocks) -> None:
    """Every static string of the built Blocks that has a translation becomes I18nData for the browser.

    Call it inside the `with gr.Blocks()` body, after the last component: gradio reads the attributes when
    the Blocks are closed. Values (Markdown, buttons) become gradio's marker string, as Markdown itself does.
    """
    def key(text):
        """I18nData for a translatable string, else the text itself. A string a pattern translates (a size's
        description, a model's label) joins the tables: they are the dicts gr.I18n sends at launch."""
        if not isinstance(text, str):
            return text
        if text not in EN:
            for code, table in TRANSLATIONS.items():
                if (done := translate(code, text)) is not None:
                    table[text], EN[text] = done, text
        return I18N(text) if text in EN else text

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
        if getattr(block, "elem_id", None) not in MODEL_LISTS:  # a choice shown as its own code value is a name
            texts += [c[0] for c in getattr(block, "choices", None) or [] if isinstance(c, tuple)
                      and not (c[0] == c[1] and re.fullmatch(r"[a-z0-9_.:-]+", str(c[0])))]
        if isinstance(block, gr.Dataframe):  # column names: table_headers() writes them in the page's language
            texts += [h for h in block.headers or [] if any(translate(code, h) is None for code in CATALOGS)]
        out += [t for t in texts if isinstance(t, str) and re.search("[A-Za-z]{2}", t) and t not in NAMES
                and not t.startswith("__i18n__")]  # a value localize made gradio's marker
    return out


# Components whose value is text written in the code, not data.
STATIC_VALUES = (gr.Markdown, gr.Button, gr.DownloadButton)

# Lists of model names (their "(bundled)", "(Hub)" … are translated; a name is a name).
MODEL_LISTS = {"model-select", "train-base", "eval-model-b"}

# Strings that read the same in every language: names, symbols, code.
NAMES = {*(name for name, _ in LANGUAGES), "Language · 语言", "Top-k", "Min-p", "Typical-p", "text", "/path/to/model",
         "distinct-1", "distinct-2"}

