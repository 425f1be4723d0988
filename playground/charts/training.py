"""Training's figures: the live loss curve, several runs overlaid, and a corpus's example lengths."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.charts.base import BLUE, GREEN, ORANGE, PURPLE, SKY, VERMILION, _empty, _layout


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
               title: str | None = None, per_char: bool = False) -> go.Figure:
    """Train loss (raw, faint, plus smoothed), val loss, and val perplexity on a second axis.

    `records` are the engine's metric records: dicts with "step" and "train_loss", or "val_loss" and
    "val_perplexity" (other keys are ignored). `per_char`: the val loss in nats per character instead
    ("val_nats_per_char", bits per character beside it in the hover), the figure that compares across
    tokenizers; records without it (runs from before it was recorded) are left out.
    """
    if per_char:
        return _per_char_chart(records, log_scale=log_scale, title=title or "Val loss per character")
    title = title or "Loss and perplexity"
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


def _per_char_chart(records: Sequence[dict], *, log_scale: bool, title: str) -> go.Figure:
    val = [(r["step"], r["val_nats_per_char"], r.get("val_bits_per_char", r["val_nats_per_char"] / math.log(2)))
           for r in records if r.get("val_nats_per_char") is not None]
    if not val:
        return _empty(title, "The val loss per character appears here after the first evaluation.")
    xs, nats, bits = zip(*val)
    fig = go.Figure(go.Scatter(x=xs, y=nats, customdata=[[b] for b in bits], name="val loss", mode="lines+markers",
                               line=dict(color=ORANGE, width=2.5), marker=dict(size=8),
                               hovertemplate="step %{x}<br>val %{y:.4f} nats/char<br>val %{customdata[0]:.4f} bits/char"
                                             "<extra></extra>"))
    fig.update_xaxes(title_text="optimizer step", rangemode="tozero")
    fig.update_yaxes(title_text="val loss (nats / character)", type="log" if log_scale else "linear")
    return _layout(fig, title, height=400, hovermode="x unified")


RUN_X_AXES = {  # x-axis choice -> (record key, axis title, the choice's name)
    "step": ("step", "optimizer step", "step"),
    "tokens": ("tokens", "tokens seen", "tokens seen"),
    "time": ("elapsed", "wall time (minutes)", "wall time"),
    "epoch": ("epoch", "epoch", "epoch"),
}
RUN_Y_AXES = {  # y-axis choice -> (the val record key, whether train loss is drawn too, axis title, the choice's name)
    "loss": ("val_loss", True, "loss (nats / token)", "loss per token"),
    # Per character, runs with different tokenizers compare: a token of GPT-2's BPE spells more text than one of
    # a 1 024-token BPE, so per-token losses of the two do not. Only val: it is what the metric is measured on.
    "nats_per_char": ("val_nats_per_char", False, "val loss (nats / character)", "val nats per character"),
    "bits_per_char": ("val_bits_per_char", False, "val loss (bits / character)", "val bits per character"),
}
RUN_COLORS = [BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, "#000000"]


def runs_chart(runs: Sequence[dict], *, x: str = "step", y: str = "loss", log_scale: bool = False,
               smoothing: float = 0.6, title: str = "Runs compared") -> go.Figure:
    """Several runs' train and val loss on one chart, one colour a run.

    `runs` are dicts {"name", "records"} with the runs' metric records. Train loss is drawn smoothed
    (debiased EMA) over its faint raw line; val loss dashed with markers. `x` is a RUN_X_AXES key, `y` a
    RUN_Y_AXES key (per character: val only); records without those values (older runs had no token count,
    nor a loss per character) are left out.
    """
    key, axis_title, _ = RUN_X_AXES[x]
    val_key, with_train, y_title, _ = RUN_Y_AXES[y]
    scale = (lambda v: v / 60) if key == "elapsed" else (lambda v: v)
    fig = go.Figure()
    for i, run in enumerate(runs):
        color, name = RUN_COLORS[i % len(RUN_COLORS)], run["name"]
        train = [(scale(r[key]), r["train_loss"]) for r in run["records"]
                 if with_train and r.get("train_loss") is not None and r.get(key) is not None]
        val = [(scale(r[key]), r[val_key]) for r in run["records"]
               if r.get(val_key) is not None and r.get(key) is not None]
        hover = f"{name}<br>{axis_title} %{{x:,.4~g}}<br>%{{fullData.meta}} %{{y:.4f}}<extra></extra>"
        if train:
            xs, ys = zip(*train)
            if smoothing > 0:
                fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=color, width=1), opacity=0.25,
                                         showlegend=False, legendgroup=name, meta="train loss (raw)", hovertemplate=hover))
            fig.add_trace(go.Scatter(x=xs, y=smooth(ys, smoothing) if smoothing > 0 else list(ys), mode="lines",
                                     name=f"{name} · train", line=dict(color=color, width=2.2), legendgroup=name,
                                     meta="train loss", hovertemplate=hover))
        if val:
            xs, ys = zip(*val)
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=f"{name} · val", legendgroup=name,
                                     line=dict(color=color, width=2, dash="dash"), marker=dict(size=7),
                                     meta="val loss" if with_train else RUN_Y_AXES[y][3], hovertemplate=hover))
    if not fig.data:
        return _empty(title, "Pick runs above to overlay their curves." if with_train or not runs else
                      "These runs have no val loss per character: they were trained before it was recorded.")
    fig.update_xaxes(title_text=axis_title, rangemode="tozero")
    fig.update_yaxes(title_text=y_title, type="log" if log_scale else "linear")
    return _layout(fig, title, height=420, legend=dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02),
                   margin=dict(l=60, r=30, t=56, b=48))


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
