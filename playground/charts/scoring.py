"""Scores of texts: decoding strategies compared, and each token's surprisal under one or two models."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.charts.base import BLUE, GREEN, ORANGE, PURPLE, SKY, VERMILION, _empty, _layout, show_token


def compare_chart(rows: Sequence[dict], *, title: str = "Decoding strategies compared") -> go.Figure:
    """Left: distinct-1, distinct-2 and repeated-3-gram rate per strategy (0-1). Right: perplexity of
    each text under the model (lower = the model found it more predictable). `rows` are the engine's
    comparison results as dicts."""
    if not rows:
        return _empty(title, "Press “Compare” to run every strategy.", height=380)
    names = [r["name"] for r in rows]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.62, 0.38], horizontal_spacing=0.1,
                        subplot_titles=["diversity<br>(higher = more varied)", "perplexity<br>under the model"])  # 2 lines: a phone
    for key, label, color in (("distinct_1", "distinct-1", BLUE), ("distinct_2", "distinct-2", SKY),
                              ("repeat_3gram_rate", "repeated 3-grams", VERMILION)):
        fig.add_trace(go.Bar(x=names, y=[r.get(key) or 0.0 for r in rows], name=label, marker_color=color,
                             hovertemplate="%{x}: %{y:.2f}<extra>" + label + "</extra>"), row=1, col=1)
    ppl = [r.get("perplexity") for r in rows]
    fig.add_trace(go.Bar(x=names, y=[p or 0.0 for p in ppl], name="perplexity", marker_color=GREEN, showlegend=False,
                         text=[f"{p:.1f}" if p else "–" for p in ppl], textposition="outside", cliponaxis=False,
                         hovertemplate="%{x}: perplexity %{y:.2f}<extra></extra>"), row=1, col=2)
    fig.update_yaxes(range=[0, 1.05], row=1, col=1)
    known = [p for p in ppl if p]
    if known and max(known) > 20 * min(known):  # greedy ~2, high temperature ~1000: a log axis shows both
        fig.update_yaxes(type="log", dtick=1, row=1, col=2)
    fig.update_annotations(font=dict(size=12))
    return _layout(fig, title, height=420, barmode="group", margin=dict(l=50, r=20, t=80, b=110),
                   legend=dict(orientation="h", yanchor="top", y=-0.3, xanchor="left", x=0.0))


MAX_SURPRISAL_POINTS = 400  # past this many tokens a bar per token is thinner than a pixel: show windows


def surprisal_window(n_tokens: int, max_points: int = MAX_SURPRISAL_POINTS) -> int:
    """Tokens per plotted point: 1 up to `max_points` tokens, else the fewest that keep the chart to that many."""
    return max(1, math.ceil(n_tokens / max_points))


def _windows(pairs: list[tuple[str, float]], window: int) -> tuple[list[float], list[float], list[str]]:
    """(x, mean nats, hover text) per window of `window` tokens; x is the window's first token position."""
    xs, ys, hover = [], [], []
    for start in range(0, len(pairs), window):
        chunk = pairs[start : start + window]
        worst_token, worst = max(chunk, key=lambda p: p[1])
        xs.append(start)
        ys.append(sum(n for _, n in chunk) / len(chunk))
        hover.append(f"tokens {start}–{start + len(chunk) - 1}<br>most surprising: {show_token(worst_token)} ({worst:.2f} nats)")
    return xs, ys, hover


def surprisal_chart(series: dict[str, Sequence[tuple[str, float]]], *, title: str = "Surprisal of each token",
                    max_points: int = MAX_SURPRISAL_POINTS) -> go.Figure:
    """Per-token surprisal (nats = −log p) along the text, one trace per model.

    `series` maps a model name to its (token text, nats) pairs in text order. One model: bars; two
    models over the same tokens: lines, so you see where fine-tuning made the text less surprising.
    A long text is drawn as windows of consecutive tokens (their mean, the worst token on hover), at most
    `max_points` of them, and the title says so; a range slider zooms into any stretch.
    """
    series = {k: list(v) for k, v in series.items() if v}
    if not series:
        return _empty(title, "Press “Evaluate” to score the text.", height=340)
    n = max(len(v) for v in series.values())
    window = surprisal_window(n, max_points)
    fig = go.Figure()
    palette = [BLUE, ORANGE, GREEN, PURPLE]
    for i, (name, pairs) in enumerate(series.items()):
        if window == 1:
            x, nats, hover = list(range(len(pairs))), [v for _, v in pairs], [f"#{j} {show_token(t)}" for j, (t, _) in enumerate(pairs)]
        else:
            x, nats, hover = _windows(pairs, window)
        kw = dict(x=x, y=nats, name=name, customdata=hover,
                  hovertemplate="%{customdata}<br>%{y:.2f} nats" + (" (mean)" if window > 1 else "") + "<extra>" + name + "</extra>")
        if len(series) == 1:
            fig.add_trace(go.Bar(marker=dict(color=nats, colorscale="YlOrRd", cmin=0, cmax=max(10.0, max(nats))), **kw))
        else:
            fig.add_trace(go.Scatter(mode="lines", line=dict(color=palette[i % len(palette)], width=1.6), **kw))
    first = next(iter(series.values()))
    if n <= 40:
        fig.update_xaxes(tickmode="array", tickvals=list(range(len(first))), ticktext=[show_token(t) for t, _ in first],
                         tickfont=dict(family="ui-monospace, Menlo, monospace", size=11))
    else:
        fig.update_xaxes(title_text="token position", rangeslider=dict(visible=True, thickness=0.08))
    fig.update_yaxes(title_text="surprisal (nats)", rangemode="tozero")
    shown = f"all {n:,} tokens" if window == 1 else f"{n:,} tokens: the mean of {math.ceil(n / window):,} windows of {window}"
    zoom = "<br><sub>drag the slider below to zoom</sub>" if n > 40 else ""  # own line: narrow on a phone
    return _layout(fig, f"{title}<br><sub>{shown}</sub>{zoom}", height=400 if n > 40 else 340,
                   showlegend=len(series) > 1, margin=dict(l=60, r=30, t=92 if zoom else 70, b=48))
