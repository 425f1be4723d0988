"""Charts in the page's language: the text of a playground.charts figure translated through the same
catalogs as the rest of the UI (playground.ui.i18n_catalog), and back to English.

The browser translates only whole static strings, never a figure: the server redraws the figures it sends
in the page's language, and the language switch redraws the ones on the page (playground.ui.app).
"""

from __future__ import annotations

import json
import re

from playground.ui.i18n_catalog import CATALOGS

ENGLISH_KEY = "pg_english"  # layout.meta: the English each translated text had, so a figure can switch back


def localize_figure(fig, lang: str):
    """A playground.charts figure in `lang`: title, axis titles, trace and legend names, annotations (subplot
    titles, notes), colour-bar titles, the fixed words of hover templates and of the charts' own labels ("cut",
    the beam tree's "prompt", its reasons) through the language's catalog, line by line (a title's `<br>`
    lines separately). Token texts, numbers and run and model names stay as they are.

    A translated figure keeps its English in `layout.meta`, so the same function turns it back (English) or
    into the other language: the language switch redraws the charts on the page from what the page holds.
    Takes a go.Figure or its dict/JSON form (a gr.Plot's value); returns a new go.Figure (an English go.Figure
    as it is).
    """
    import plotly.graph_objects as go

    catalog = CATALOGS.get(lang)
    if isinstance(fig, go.Figure) and catalog is None and not (isinstance(fig.layout.meta, dict)
                                                               and ENGLISH_KEY in fig.layout.meta):
        return fig  # English already: the figure as playground.charts drew it
    if hasattr(fig, "to_plotly_json"):
        fig = fig.to_plotly_json()
    elif isinstance(fig, str):
        fig = json.loads(fig)
    fig = json.loads(json.dumps(fig, default=_plain))  # a deep copy in plain types
    data, layout = fig.setdefault("data", []), fig.setdefault("layout", {})
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    for path, english in meta.pop(ENGLISH_KEY, []):  # back to English first
        _set(fig, path, english)
    if catalog is not None:
        done = []
        for path, whole in list(_chart_texts(data, layout)):  # read before anything is translated
            english = _get(fig, path)
            translated = _lines(catalog, english, whole)
            if translated != english:
                _set(fig, path, translated)
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
    """(path, whole) of every translatable string of a figure dict; `whole`: may be a whole-string entry, not only a
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


def _lines(catalog, text: str, whole: bool = True) -> str:
    """`text` in the catalog's language, each `<br>` line on its own (its <b>/<sub> tags kept); a hover template's
    `<extra>` name too. Lines without a translation stay English."""
    extra = _EXTRA.fullmatch(text)
    if extra:
        body, name = extra.groups()
        return _lines(catalog, body, whole) + f"<extra>{_lines(catalog, name, whole) if name else ''}</extra>"
    out = []
    for line in text.split("<br>"):
        opening, inner, closing = _TAGS.fullmatch(line).groups()
        find = catalog.translate if whole else catalog.pattern
        done = find(inner)
        if done is None and " — " in inner:  # "Attention weights — layer 3, head 2": each half by itself
            halves = [find(h) for h in inner.split(" — ", 1)]
            if None not in halves:
                done = catalog.whole.get(" — ", " — ").join(halves)
        out.append(f"{opening}{done if done is not None else inner}{closing}")
    return "<br>".join(out)
