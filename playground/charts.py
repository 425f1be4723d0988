"""Plotly figures for the app: pure functions from plain Python data (lists, dicts) to figures.

Nothing here imports torch or knows about Gradio; the UI passes what the engine returned, turned into
lists. Each builder returns a complete `go.Figure` with titles and hover text, so it can be tested
(tests/test_charts.py) and reused in a notebook.

    loss_chart             train / val loss, val perplexity on a second axis (log scale, smoothing)
    length_histogram       tokens per document or line of a corpus
    stage_chart            the next-token distribution after every decoding knob, kept vs cut
    sample_histogram       sampled token counts beside the expected counts
    temperature_chart      one distribution at several temperatures
    compare_chart          decoding strategies side by side: diversity and perplexity
    surprisal_chart        per-token surprisal of a text under one or two models
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

# One palette for the whole app (colour-blind safe: Okabe-Ito).
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#B0B0B0",
)
KEPT, CUT = BLUE, "#E4B5A2"
FONT = dict(family="Inter, system-ui, -apple-system, Segoe UI, sans-serif", size=13)


def _layout(fig: go.Figure, title: str, height: int = 380, **extra) -> go.Figure:
    layout = dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15)),
        template="plotly_white", font=FONT, height=height,
        margin=dict(l=60, r=30, t=56, b=48),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        hoverlabel=dict(font=FONT),
    )
    fig.update_layout(**(layout | extra))
    return fig


def _empty(title: str, note: str, height: int = 380) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=14, color="#777"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height)


def percent(p: float) -> str:
    """A probability as a short percentage that stays readable when tiny: 51%, 4.2%, 0.013%."""
    if p >= 0.095:
        return f"{p:.0%}"
    if p >= 0.0095:
        return f"{p:.1%}"
    if p <= 0:
        return "0%"
    digits = max(1, -math.floor(math.log10(p * 100)))  # two significant digits
    return f"{p * 100:.{digits + 1}f}%"


def show_token(text: str) -> str:
    """A token as it should appear on an axis: leading spaces, newlines and tabs made visible."""
    if text == "":
        return "∅"
    return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def unique_labels(texts: Sequence[str]) -> list[str]:
    """Visible, distinct axis labels (a categorical axis merges equal labels)."""
    seen: dict[str, int] = {}
    out = []
    for t in texts:
        label = show_token(t)
        n = seen.get(label, 0)
        seen[label] = n + 1
        out.append(label if n == 0 else f"{label} ({n + 1})")
    return out


# --------------------------------------------------------------------------- training


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """TensorBoard-style exponential moving average, debiased so the first points are not pulled to 0."""
    if not 0 <= weight < 1:
        raise ValueError(f"smoothing weight must be in [0, 1), not {weight}")
    out, avg = [], 0.0
    for i, v in enumerate(values, 1):
        avg = weight * avg + (1 - weight) * v
        out.append(avg / (1 - weight**i))
    return out


def loss_chart(records: Sequence[dict], *, log_scale: bool = False, smoothing: float = 0.0,
               title: str = "Loss and perplexity") -> go.Figure:
    """Train loss (raw, faint, plus smoothed), val loss, and val perplexity on a second axis.

    `records` are the engine's metric records: dicts with "step" and "train_loss", or "val_loss" and
    "val_perplexity" (other keys are ignored).
    """
    train = [(r["step"], r["train_loss"]) for r in records if r.get("train_loss") is not None]
    val = [(r["step"], r["val_loss"], r.get("val_perplexity", math.exp(min(r["val_loss"], 50))))
           for r in records if r.get("val_loss") is not None]
    if not train and not val:
        return _empty(title, "The curves appear here once training has logged its first steps.")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if train:
        xs, ys = zip(*train)
        if smoothing > 0:
            fig.add_trace(go.Scatter(x=xs, y=ys, name="train loss (raw)", mode="lines",
                                     line=dict(color=BLUE, width=1), opacity=0.25, showlegend=False,
                                     hovertemplate="step %{x}<br>train loss %{y:.4f}<extra></extra>"))
        fig.add_trace(go.Scatter(x=xs, y=smooth(ys, smoothing) if smoothing > 0 else ys, name="train loss",
                                 mode="lines", line=dict(color=BLUE, width=2.2),
                                 hovertemplate="step %{x}<br>train loss %{y:.4f}<extra></extra>"))
    if val:
        xs, ys, ppl = zip(*val)
        fig.add_trace(go.Scatter(x=xs, y=ys, name="val loss", mode="lines+markers",
                                 line=dict(color=ORANGE, width=2.5), marker=dict(size=8),
                                 hovertemplate="step %{x}<br>val loss %{y:.4f}<extra></extra>"))
        fig.add_trace(go.Scatter(x=xs, y=ppl, name="val perplexity", mode="lines+markers",
                                 line=dict(color=GREEN, width=1.5, dash="dot"), marker=dict(size=6, symbol="diamond"),
                                 hovertemplate="step %{x}<br>val perplexity %{y:.1f}<extra></extra>"),
                      secondary_y=True)
    axis_type = "log" if log_scale else "linear"
    fig.update_xaxes(title_text="optimizer step", rangemode="tozero")
    fig.update_yaxes(title_text="loss (nats / token)", type=axis_type, secondary_y=False)
    fig.update_yaxes(title_text="perplexity", type=axis_type, secondary_y=True, showgrid=False,
                     title_font=dict(color=GREEN), tickfont=dict(color=GREEN))
    return _layout(fig, title, height=400, hovermode="x unified")


# --------------------------------------------------------------------------- corpus


def length_histogram(lengths: Sequence[int], *, unit: str = "document", block_size: int | None = None,
                     title: str | None = None) -> go.Figure:
    """How many tokens each document (or line) has; a dashed line marks the block size."""
    title = title or f"Tokens per {unit}"
    if not lengths:
        return _empty(title, "No examples yet.", height=320)
    fig = go.Figure(go.Histogram(x=list(lengths), nbinsx=min(60, max(5, len(set(lengths)))), marker_color=BLUE,
                                 opacity=0.85, hovertemplate="%{x} tokens: %{y} " + unit + "s<extra></extra>"))
    if block_size:
        fig.add_vline(x=block_size, line=dict(color=VERMILION, dash="dash"),
                      annotation_text=f"block size {block_size}", annotation_position="top right")
    fig.update_xaxes(title_text=f"tokens per {unit}")
    fig.update_yaxes(title_text=f"{unit}s")
    n = len(lengths)
    mean = sum(lengths) / n
    return _layout(fig, f"{title} — {n:,} {unit}s, mean {mean:,.1f}", height=320, bargap=0.05)


# --------------------------------------------------------------------------- decoding lab


STAGE_TITLES = {
    "raw": "raw softmax", "repetition_penalty": "repetition penalty", "no_repeat_ngram": "no-repeat n-gram",
    "temperature": "temperature", "top_k": "top-k", "top_p": "top-p", "min_p": "min-p", "typical": "typical-p",
    "final": "final",
}


def stage_chart(tokens: Sequence[str], stages: Sequence[dict], *, only_active: bool = True,
                title: str = "Next-token distribution, knob by knob") -> go.Figure:
    """Small multiples: the raw top-N tokens (rows) after every decoding stage (columns).

    `tokens` are the raw distribution's top-N token texts, likeliest first. Each stage is a dict with
    "name", "active" (bool), "kept" (tokens still possible) and "probs" (the probability of each of
    `tokens` after that stage; 0 means the stage cut it). Kept tokens are blue bars; a cut token shows
    as a pale bar at its raw probability, so you see what was thrown away.
    """
    if not tokens or not stages:
        return _empty(title, "Press “Show distribution” to see the next-token distribution.", height=420)
    shown = [s for s in stages if s.get("active", True) or s["name"] in ("raw", "final")] if only_active else list(stages)
    labels = unique_labels(tokens)
    raw = list(stages[0]["probs"])
    fig = make_subplots(rows=1, cols=len(shown), shared_yaxes=True, horizontal_spacing=0.015,
                        subplot_titles=[f"{STAGE_TITLES.get(s['name'], s['name'])}<br><sub>{s['kept']:,} kept</sub>"
                                        for s in shown])
    for col, s in enumerate(shown, 1):
        probs = list(s["probs"])
        cut = [p == 0 for p in probs]
        shown_x = [raw[i] if c else p for i, (p, c) in enumerate(zip(probs, cut))]
        fig.add_trace(go.Bar(
            y=labels, x=shown_x, orientation="h",
            marker=dict(color=[CUT if c else KEPT for c in cut],
                        pattern=dict(shape=["/" if c else "" for c in cut], fgcolor=VERMILION, size=6)),
            text=["cut" if c else percent(p) for p, c in zip(probs, cut)],
            textposition="outside", cliponaxis=False, textfont=dict(size=10),
            customdata=[[r, p] for r, p in zip(raw, probs)], showlegend=False,
            hovertemplate="%{y}<br>now %{customdata[1]:.3%}<br>raw %{customdata[0]:.3%}<extra>"
                          + STAGE_TITLES.get(s["name"], s["name"]) + "</extra>",
        ), row=1, col=col)
        # Each column on its own scale: a raw distribution over 50 000 tokens is flat next to a top-k one.
        fig.update_xaxes(range=[0, (max(shown_x) or 1.0) * 1.45], showticklabels=False, showgrid=False, row=1, col=col)
    # A legend that explains the colours (invisible dummy traces).
    fig.add_trace(go.Bar(x=[None], y=[None], marker_color=KEPT, name="kept (renormalised)"))
    fig.add_trace(go.Bar(x=[None], y=[None], marker=dict(color=CUT, pattern=dict(shape="/", fgcolor=VERMILION)),
                         name="cut (raw probability shown)"))
    fig.update_yaxes(autorange="reversed", tickfont=dict(family="ui-monospace, Menlo, monospace", size=12))
    fig.update_annotations(font=dict(size=12))
    return _layout(fig, title, height=max(360, 60 + 26 * len(tokens)), bargap=0.25,
                   legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0.0),
                   margin=dict(l=110, r=20, t=90, b=40))


def sample_histogram(counts: Sequence[dict], *, draws: int, other_count: int = 0, other_expected: float = 0.0,
                     title: str | None = None) -> go.Figure:
    """Sampled counts per token (bars) against the expected counts draws × p (diamonds).

    `counts`: dicts with "token", "count", "expected", likeliest first; draws landing elsewhere are
    summed into an "(other tokens)" column.
    """
    title = title or f"{draws:,} draws from the final distribution"
    if not counts:
        return _empty(title, "Press “Sample” to draw tokens.", height=360)
    labels = unique_labels([c["token"] for c in counts])
    got = [c["count"] for c in counts]
    exp = [c["expected"] for c in counts]
    if other_count or other_expected >= 0.5:
        labels.append("(other tokens)")
        got.append(other_count)
        exp.append(other_expected)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels, y=got, name="sampled", marker_color=BLUE, opacity=0.9,
                         hovertemplate="%{x}: drawn %{y:,}<extra></extra>"))
    fig.add_trace(go.Scatter(x=labels, y=exp, name="expected (draws × p)", mode="markers",
                             marker=dict(symbol="diamond", size=12, color=ORANGE, line=dict(color="white", width=1)),
                             hovertemplate="%{x}: expected %{y:,.1f}<extra></extra>"))
    fig.update_xaxes(tickfont=dict(family="ui-monospace, Menlo, monospace"))
    fig.update_yaxes(title_text="count")
    return _layout(fig, title, height=360)


def temperature_chart(curves: Sequence[dict], *, title: str = "The same logits at several temperatures") -> go.Figure:
    """Grouped bars: each curve is a dict with "temperature", "entropy" (nats) and "top" (list of
    (token, prob) pairs). Tokens are ordered by the curve closest to T = 1."""
    if not curves:
        return _empty(title, "No temperatures to compare.", height=360)
    ref = min(curves, key=lambda c: abs(c["temperature"] - 1.0))
    order = [t for t, _ in ref["top"]]
    for c in curves:
        order += [t for t, _ in c["top"] if t not in order]
    order = order[: max(len(ref["top"]), 10)]
    labels = dict(zip(order, unique_labels(order)))
    palette = [SKY, BLUE, VERMILION, ORANGE, GREEN, PURPLE]
    fig = go.Figure()
    for i, c in enumerate(sorted(curves, key=lambda c: c["temperature"])):
        probs = dict(c["top"])
        fig.add_trace(go.Bar(
            x=[labels[t] for t in order], y=[probs.get(t, 0.0) for t in order],
            name=f"T = {c['temperature']:g}  (entropy {c['entropy']:.2f} nats)", marker_color=palette[i % len(palette)],
            hovertemplate="%{x}: %{y:.2%}<extra>T = " + f"{c['temperature']:g}" + "</extra>",
        ))
    fig.update_xaxes(tickfont=dict(family="ui-monospace, Menlo, monospace"))
    fig.update_yaxes(title_text="probability", tickformat=".2~%")
    return _layout(fig, title, height=380, barmode="group", bargap=0.2,
                   legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0.0),
                   margin=dict(l=60, r=20, t=56, b=110))


# --------------------------------------------------------------------------- compare and evaluate


def compare_chart(rows: Sequence[dict], *, title: str = "Decoding strategies compared") -> go.Figure:
    """Left: distinct-1, distinct-2 and repeated-3-gram rate per strategy (0-1). Right: perplexity of
    each text under the model (lower = the model found it more predictable). `rows` are the engine's
    comparison results as dicts."""
    if not rows:
        return _empty(title, "Press “Compare” to run every strategy.", height=380)
    names = [r["name"] for r in rows]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.62, 0.38], horizontal_spacing=0.1,
                        subplot_titles=["diversity (higher = more varied)", "perplexity under the model"])
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


def surprisal_chart(series: dict[str, Sequence[tuple[str, float]]], *, title: str = "Surprisal of each token") -> go.Figure:
    """Per-token surprisal (nats = −log p) along the text, one trace per model.

    `series` maps a model name to its (token text, nats) pairs in text order. One model: bars; two
    models over the same tokens: lines, so you see where fine-tuning made the text less surprising.
    """
    series = {k: list(v) for k, v in series.items() if v}
    if not series:
        return _empty(title, "Press “Evaluate” to score the text.", height=340)
    fig = go.Figure()
    palette = [BLUE, ORANGE, GREEN, PURPLE]
    for i, (name, pairs) in enumerate(series.items()):
        tokens = [show_token(t) for t, _ in pairs]
        nats = [n for _, n in pairs]
        kw = dict(x=list(range(len(pairs))), y=nats, name=name, customdata=tokens,
                  hovertemplate="#%{x} %{customdata}<br>%{y:.2f} nats<extra>" + name + "</extra>")
        if len(series) == 1:
            fig.add_trace(go.Bar(marker=dict(color=nats, colorscale="YlOrRd", cmin=0, cmax=max(10.0, max(nats))), **kw))
        else:
            fig.add_trace(go.Scatter(mode="lines", line=dict(color=palette[i % len(palette)], width=1.6), **kw))
    first = next(iter(series.values()))
    if len(first) <= 40:
        fig.update_xaxes(tickmode="array", tickvals=list(range(len(first))), ticktext=[show_token(t) for t, _ in first],
                         tickfont=dict(family="ui-monospace, Menlo, monospace", size=11))
    else:
        fig.update_xaxes(title_text="token position")
    fig.update_yaxes(title_text="surprisal (nats)", rangemode="tozero")
    return _layout(fig, title, height=340, showlegend=len(series) > 1)
