"""Plotly figures for the app: pure functions from plain Python data (lists, dicts) to figures.

Nothing here imports torch or knows about Gradio; the UI passes what the engine returned, turned into
lists. Each builder returns a complete `go.Figure` with titles and hover text, so it can be tested
(tests/test_charts.py) and reused in a notebook.

The Decoding lab's three builders keep their recent figures (`_shared`): building one costs tens of
milliseconds of Python, a class asks for the same few at once, and a figure from the same data is the same
figure. Those figures are shared: read them, copy them (i18n.localize_figure does), never change them.

    loss_chart             train / val loss, val perplexity on a second axis (log scale, smoothing)
    runs_chart             several runs' curves overlaid (x: step, tokens, wall time or epoch)
    length_histogram       tokens per document or line of a corpus
    stage_chart            the next-token distribution after every decoding knob, kept vs cut
    sample_histogram       sampled token counts beside the expected counts
    temperature_chart      one distribution at a temperature on a fixed axis (a slider sweeps it)
    compare_chart          decoding strategies side by side: diversity and perplexity
    surprisal_chart        per-token surprisal of a text under one or two models
    attention_heatmap      one head's attention weights, query × key
    attention_lines        the same weights as lines between the tokens (BertViz-style)
    logit_lens_chart       layer × position: the top next token after every block
    beam_tree_chart        the hypotheses beam search weighed, kept, finished and pruned
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.memo import SharedResults

# One palette for the whole app (colour-blind safe: Okabe-Ito).
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#B0B0B0",
)
KEPT, CUT = BLUE, "#E4B5A2"
FONT = dict(family="Inter, system-ui, -apple-system, Segoe UI, sans-serif", size=13)


_FIGURES = SharedResults(128)  # the lab's recent figures, by builder and arguments


def _shared(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """`builder`, computed once for the same arguments (plain data: keyed by their JSON), also while it runs."""
    @functools.wraps(builder)
    def shared(*args, **kwargs):
        key = (builder.__name__, json.dumps([args, kwargs], sort_keys=True, default=str))
        return _FIGURES.get(key, lambda: builder(*args, **kwargs))
    return shared


TITLE_CHARS = 44  # about what fits a 390 px phone at the title's 15 px: longer first lines wrap


def wrap_title(title: str) -> str:
    """A long title as a headline and a smaller second line, split at its first " — " or ": ".

    Plotly never wraps a title, so on a phone a long one runs off the chart's edge (and under its toolbar).
    """
    first, br, more = title.partition("<br>")
    if len(first) <= TITLE_CHARS:
        return title
    for sep, keep in ((" — ", ""), (": ", ""), (" (", "(")):
        head, found, rest = first.partition(sep)
        if found and head:
            return f"{head}<br><sub>{keep}{rest}</sub>{br}{more}"
    return title


def _layout(fig: go.Figure, title: str, height: int = 380, **extra) -> go.Figure:
    title = wrap_title(title)
    if "<br>" in title:  # room for the second line above the plot
        margin = extra.get("margin", dict(l=60, r=30, t=56, b=48))
        extra["margin"] = margin | dict(t=max(margin.get("t", 56), 76))
    # A wrapped title hangs from the top edge; centred in the margin its second line met the panels' titles.
    # (pad: plotly measures the lines as if all were the headline's size, so the headline rose past the top.)
    top = dict(y=0.97, yanchor="top", pad=dict(t=6)) if "<br>" in title else {}
    layout = dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15), **top),
        template="plotly_white", font=FONT, height=height,
        margin=dict(l=60, r=30, t=56, b=48),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        hoverlabel=dict(font=FONT),
        # Only "save as PNG" in the toolbar: eight zoom/pan/select buttons covered the top right of every chart
        # (a title, a legend) on hover; dragging still zooms, a double click resets.
        modebar=dict(remove=["zoom", "pan", "select", "lasso", "zoomin", "zoomout", "autoscale", "resetscale"]),
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


# --------------------------------------------------------------------------- decoding lab


STAGE_TITLES = {
    "raw": "raw softmax", "repetition_penalty": "repetition penalty", "no_repeat_ngram": "no-repeat n-gram",
    "temperature": "temperature", "top_k": "top-k", "top_p": "top-p", "min_p": "min-p", "typical": "typical-p",
    "final": "final",
}


def choices_text(entropy: float) -> str:
    """Entropy and its "effective choices" exp(H): as uncertain as a fair pick among that many tokens."""
    n = math.exp(entropy)
    return f"{entropy:.2f} nats ≈ {n:.1f} choices" if n < 9.95 else f"{entropy:.2f} nats ≈ {n:,.0f} choices"


@_shared
def stage_chart(tokens: Sequence[str], stages: Sequence[dict], *, only_active: bool = True,
                title: str = "Next-token distribution, knob by knob") -> go.Figure:
    """Small multiples on ONE probability scale: the raw top-N tokens (rows) after every decoding stage (columns).

    `tokens` are the raw distribution's top-N token texts, likeliest first. Each stage is a dict with
    "name", "active" (bool), "kept" (tokens still possible), "probs" (the probability of each of `tokens`
    after that stage; 0 means cut) and optionally "entropy" (nats) and "kept_mass" (the share of the
    previous stage's mass the stage keeps). Kept tokens are blue bars; a black tick marks where a bar
    stood before the stage, so the renormalisation (every survivor × 1 / kept mass) shows as bars
    growing past their tick. A cut token stays as a pale, hatched bar at the probability it had when
    it was cut. Every column shares one x-axis range: a 2 % bar looks 2 % long next to a 100 % one.
    """
    if not tokens or not stages:
        return _empty(title, "Press “Show distribution” to see the next-token distribution.", height=420)
    labels = unique_labels(tokens)
    # For each stage: the probabilities before it, and what each token had when it was last alive.
    before, last_alive, rows = list(stages[0]["probs"]), list(stages[0]["probs"]), []
    for s in stages:
        probs = list(s["probs"])
        last_alive = [p if p > 0 else la for p, la in zip(probs, last_alive)]
        rows.append((s, before, list(last_alive)))
        before = probs
    shown = [r for r in rows if r[0].get("active", True) or r[0]["name"] in ("raw", "final")] if only_active else rows
    xmax = max([max(la) for _, _, la in shown] + [max(s["probs"]) for s, _, _ in shown]) or 1.0
    fig = make_subplots(rows=1, cols=len(shown), shared_yaxes=True, horizontal_spacing=0.012,
                        subplot_titles=[_stage_title(s) for s, _, _ in shown])
    for col, (s, prev, alive) in enumerate(shown, 1):
        name = STAGE_TITLES.get(s["name"], s["name"])
        probs = list(s["probs"])
        cut = [p == 0 for p in probs]
        x = [a if c else p for p, a, c in zip(probs, alive, cut)]
        fig.add_trace(go.Bar(
            y=labels, x=x, orientation="h", showlegend=False,
            marker=dict(color=[CUT if c else KEPT for c in cut],
                        line=dict(color=[VERMILION if c else KEPT for c in cut], width=1),
                        pattern=dict(shape=["/" if c else "" for c in cut], fgcolor=VERMILION, size=5, solidity=0.35)),
            text=["cut" if c else percent(p) for p, c in zip(probs, cut)],
            textposition="outside", cliponaxis=False, textfont=dict(size=10),
            customdata=[[b, p, "cut — shown at the probability it had before" if c else "kept"]
                        for b, p, c in zip(prev, probs, cut)],
            hovertemplate="%{y}: %{customdata[2]}<br>before this stage %{customdata[0]:.3%}<br>after %{customdata[1]:.3%}"
                          "<extra>" + name + "</extra>",
        ), row=1, col=col)
        moved = [(lab, b) for lab, b, p in zip(labels, prev, probs) if p > 0 and abs(p - b) > 1e-9]
        if moved and s["name"] != "raw":
            fig.add_trace(go.Scatter(
                y=[m[0] for m in moved], x=[m[1] for m in moved], mode="markers", showlegend=False,
                marker=dict(symbol="line-ns", size=16, line=dict(color="#222", width=2)),
                hovertemplate="%{y}: %{x:.3%} before this stage<extra>" + name + "</extra>",
            ), row=1, col=col)
        fig.update_xaxes(range=[0, xmax * 1.3], tickformat=".0%", nticks=3, showgrid=True, tickfont=dict(size=9),
                         row=1, col=col)
    # A legend that explains the marks (invisible dummy traces), short enough for one row at 1280 px in
    # presentation mode (text × 1.3): a second row would push the chart below the fold.
    fig.add_trace(go.Bar(x=[None], y=[None], marker_color=KEPT, name="kept (renormalised)"))
    fig.add_trace(go.Bar(x=[None], y=[None], name="cut (its p before the cut)",
                         marker=dict(color=CUT, line=dict(color=VERMILION, width=1),
                                     pattern=dict(shape="/", fgcolor=VERMILION, size=5, solidity=0.35))))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="p before this stage",
                             marker=dict(symbol="line-ns", size=14, line=dict(color="#222", width=2))))
    fig.update_yaxes(autorange="reversed", tickfont=dict(family="ui-monospace, Menlo, monospace", size=12))
    fig.update_annotations(font=dict(size=12))
    return _layout(fig, title + " — one probability scale for every stage", height=max(380, 110 + 26 * len(tokens)),
                   bargap=0.25, legend=dict(orientation="h", yanchor="top", y=-0.06, xanchor="left", x=0.0),
                   margin=dict(l=110, r=20, t=112, b=50))


def _stage_title(s: dict) -> str:
    name = STAGE_TITLES.get(s["name"], s["name"])
    kept = f"{s['kept']:,} kept"
    mass = s.get("kept_mass", 1.0)
    if mass < 1 - 1e-6:
        kept += f" · ×{1 / mass:.2f}" if mass > 0 else ""
    lines = [f"<b>{name}</b>", f"<sub>{kept}</sub>"]
    if s.get("entropy") is not None:
        lines.append(f"<sub>{choices_text(s['entropy'])}</sub>")
    return "<br>".join(lines)


@_shared
def sample_histogram(counts: Sequence[dict], *, draws: int, other_count: int = 0, other_expected: float = 0.0,
                     other_tokens: int = 0, title: str | None = None) -> go.Figure:
    """Sampled counts per token (bars) against the expected counts draws × p (diamonds).

    `counts`: dicts with "token", "count", "expected", most drawn first. Draws landing elsewhere are
    summed into a grey "(other tokens)" column, or, when they outnumber every listed token (a flat
    distribution), told in the title so they do not squash the bars that matter.
    """
    title = title or f"{draws:,} draws from the final distribution"
    if not counts:
        return _empty(title, "Press “Sample” to draw tokens.", height=360)
    labels = unique_labels([c["token"] for c in counts])
    got = [c["count"] for c in counts]
    exp = [c["expected"] for c in counts]
    colors = [BLUE] * len(got)
    listed = sum(got)
    share = f"the {len(got)} tokens shown got {listed / draws:.0%} of the draws" if draws else ""
    if other_count or other_expected >= 0.5:
        others = f"{other_count:,} draws on {other_tokens:,} other tokens" if other_tokens else f"{other_count:,} draws on other tokens"
        if other_count <= max(got):
            labels.append("(other tokens)")
            got.append(other_count)
            exp.append(other_expected)
            colors.append(GREY)
        share += f";<br>{others} (expected {other_expected:,.0f})"  # its own line: one is too wide for a phone
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels, y=got, name="sampled", marker_color=colors, opacity=0.9,
                         hovertemplate="%{x}: drawn %{y:,}<extra></extra>"))
    fig.add_trace(go.Scatter(x=labels, y=exp, name="expected (draws × p)", mode="markers",
                             marker=dict(symbol="diamond", size=12, color=ORANGE, line=dict(color="white", width=1)),
                             hovertemplate="%{x}: expected %{y:,.1f}<extra></extra>"))
    fig.update_xaxes(tickfont=dict(family="ui-monospace, Menlo, monospace"))
    fig.update_yaxes(title_text="count")
    # The legend sits inside, top right, where the bars (most drawn first) are lowest: above the plot it ran
    # into the title's lines on a phone.
    return _layout(fig, f"{title}<br><sub>{share}</sub>" if share else title, height=400,
                   legend=dict(orientation="v", yanchor="top", y=1.0, xanchor="right", x=1.0, bgcolor="rgba(255,255,255,0.75)"),
                   title_y=0.97, title_yanchor="top", margin=dict(l=60, r=30, t=104, b=48))


@_shared
def temperature_chart(tokens: Sequence[str], sweep: dict | None, references: Sequence[dict] = (), *,
                      title: str = "Temperature") -> go.Figure:
    """The raw top-N tokens' bars at one temperature, on a fixed 0–100 % axis, so a slider sweeps them.

    `sweep` and each of `references` are dicts with "temperature", "entropy" (nats), "probs" (one per
    token in `tokens`, which are ordered likeliest first — temperature never reorders them) and
    optionally "rest" (the probability of every other token). The sweep is drawn as bars plus a grey
    "(all other tokens)" bar: cooling moves mass onto the top token, heating spreads it into the tail.
    References are markers, one symbol per temperature.
    """
    if not tokens or sweep is None:
        return _empty(title, "Press “Show distribution”, then move the temperature slider.", height=380)
    labels = unique_labels(tokens) + ["(all other tokens)"]
    def with_rest(curve):
        rest = curve.get("rest", max(0.0, 1.0 - sum(curve["probs"])))
        return list(curve["probs"]) + [rest]
    ys = with_rest(sweep)
    t = sweep["temperature"]
    fig = go.Figure(go.Bar(x=labels, y=ys, name=f"T = {t:g}", marker_color=[BLUE] * len(tokens) + [GREY],
                           text=[percent(p) for p in ys], textposition="outside", cliponaxis=False,
                           textfont=dict(size=10), hovertemplate="%{x}: %{y:.2%}<extra>T = " + f"{t:g}" + "</extra>"))
    symbols = ["diamond", "circle", "triangle-up", "square", "x", "star"]
    palette = [ORANGE, VERMILION, GREEN, PURPLE, SKY, "#000000"]
    for i, ref in enumerate(sorted(references, key=lambda c: c["temperature"])):
        rt = ref["temperature"]
        fig.add_trace(go.Scatter(x=labels, y=with_rest(ref), mode="markers", name=f"T = {rt:g} ({choices_text(ref['entropy'])})",
                                 marker=dict(symbol=symbols[i % len(symbols)], size=10, color=palette[i % len(palette)],
                                             line=dict(color="white", width=1)),
                                 hovertemplate="%{x}: %{y:.2%}<extra>T = " + f"{rt:g}" + "</extra>"))
    # The legend at the figure's bottom edge and the margin grown to the rotated tokens (automargin): a legend
    # placed a fraction of the plot below the axis covered the longest tokens, more so with larger text.
    fig.update_xaxes(tickfont=dict(family="ui-monospace, Menlo, monospace"), automargin=True)
    fig.update_yaxes(title_text="probability", tickformat=".0%", range=[0, 1.08])
    head = "greedy: all on the top token" if t == 0 else choices_text(sweep["entropy"])
    return _layout(fig, f"{title} {t:g} on the raw logits: {head}", height=480,
                   legend=dict(orientation="h", yref="container", yanchor="bottom", y=0.0, xanchor="left", x=0.0),
                   margin=dict(l=60, r=20, t=56, b=16))


# --------------------------------------------------------------------------- compare and evaluate


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


# --------------------------------------------------------------------------- internals


def attention_heatmap(tokens: Sequence[str], weights: Sequence[Sequence[float]], *,
                      title: str = "Attention weights") -> go.Figure:
    """Rows: the token that looks (query), columns: the tokens it looks at (keys); each row sums to 1.

    GPT-2 is causal, so everything right of the diagonal is 0.
    """
    if not tokens:
        return _empty(title, "Press “Look inside” to see the attention weights.", height=420)
    labels = unique_labels(tokens)
    fig = go.Figure(go.Heatmap(
        z=[list(r) for r in weights], x=labels, y=labels, colorscale="Blues", zmin=0,
        colorbar=dict(title=dict(text="weight", side="right"), thickness=12, tickformat=".0%"),
        hovertemplate="%{y} looks at %{x}: %{z:.1%}<extra></extra>", xgap=1, ygap=1,
    ))
    small = len(tokens) <= 40
    fig.update_xaxes(title_text="looked at (key)", tickangle=-60, showticklabels=small,
                     tickfont=dict(family="ui-monospace, Menlo, monospace", size=10), constrain="domain")
    fig.update_yaxes(title_text="looking (query)", autorange="reversed", showticklabels=small, scaleanchor="x",
                     tickfont=dict(family="ui-monospace, Menlo, monospace", size=10), constrain="domain")
    return _layout(fig, title, height=520, margin=dict(l=90, r=20, t=56, b=90))


def attention_lines(tokens: Sequence[str], weights: Sequence[Sequence[float]], *, focus: int | None = None,
                    title: str = "Who looks at whom") -> go.Figure:
    """BertViz-style: the tokens twice, looking (left) and looked at (right), joined by lines whose
    opacity and width grow with the weight. Weights under 2 % are left out; `focus` (a position) draws
    one token's lines only, labelled with their weights."""
    if not tokens:
        return _empty(title, "Press “Look inside” to see the attention lines.", height=520)
    labels = unique_labels(tokens)
    n = len(labels)
    rows = range(n) if focus is None else [focus]
    bins = [(0.02, 0.1, 0.8, 0.15), (0.1, 0.3, 1.6, 0.35), (0.3, 0.6, 2.6, 0.6), (0.6, 1.01, 3.6, 0.9)]
    fig = go.Figure()
    for lo, hi, width, alpha in bins:
        xs, ys = [], []
        for i in rows:
            for j in range(n):
                if lo <= weights[i][j] < hi:
                    xs += [0, 1, None]
                    ys += [i, j, None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=True,
                                     name=f"{lo:.0%}–{min(hi, 1):.0%}",
                                     line=dict(color=f"rgba(0,114,178,{alpha})", width=width)))
    left_text = [lab if focus is None or i == focus else "" for i, lab in enumerate(labels)]
    right_text = [f"{lab}  {weights[focus][j]:.0%}" if focus is not None and weights[focus][j] >= 0.02 else lab
                  for j, lab in enumerate(labels)]
    font = dict(family="ui-monospace, Menlo, monospace", size=11 if n <= 32 else 9)
    fig.add_trace(go.Scatter(x=[0] * n, y=list(range(n)), mode="markers+text", text=left_text, textposition="middle left",
                             textfont=font, marker=dict(size=5, color=ORANGE), showlegend=False,
                             hovertemplate="%{text} (looking)<extra></extra>"))
    fig.add_trace(go.Scatter(x=[1] * n, y=list(range(n)), mode="markers+text", text=right_text,
                             textposition="middle right", textfont=font, marker=dict(size=5, color=BLUE),
                             showlegend=False, customdata=labels, hovertemplate="%{customdata} (looked at)<extra></extra>"))
    fig.update_xaxes(visible=False, range=[-0.6, 1.6])
    fig.update_yaxes(visible=False, autorange="reversed")
    return _layout(fig, title, height=max(420, 100 + 15 * n), legend=dict(orientation="h", yanchor="top", y=0.0,
                                                                           xanchor="left", x=0.0, title_text="weight"),
                   margin=dict(l=20, r=20, t=56, b=40))


def logit_lens_chart(tokens: Sequence[str], rows: Sequence[Sequence[dict]], *, title: str = "Logit lens") -> go.Figure:
    """Layer × position grid: what the residual stream after each block predicts for the next token.

    `tokens` are the input tokens (columns); `rows` go from the embeddings up to the last block, each a
    list of cells {"top": [(token, prob), …], "next_prob": p of the real next token or None}. A cell's
    colour is its top token's probability and its text the token; the last row is the model's output.
    """
    if not tokens or not rows:
        return _empty(title, "Press “Look inside” to see the logit lens.", height=420)
    names = ["embeddings"] + [f"after block {i}" for i in range(1, len(rows))]
    z, text, hover = [], [], []
    for name, row in zip(names, rows):
        z.append([c["top"][0][1] for c in row])
        text.append([show_token(c["top"][0][0])[:8] for c in row])
        hover.append([
            f"{name}, after “{show_token(tok)}”<br>"
            + "<br>".join(f"{show_token(t)}  {p:.1%}" for t, p in c["top"])
            + (f"<br>real next token {show_token(tokens[i + 1])}: {c['next_prob']:.1%}" if c.get("next_prob") is not None else "")
            for i, (tok, c) in enumerate(zip(tokens, row))])
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(len(tokens))), y=names, text=text, customdata=hover, colorscale="YlGnBu", zmin=0, zmax=1,
        texttemplate="%{text}" if len(tokens) <= 40 else "", textfont=dict(family="ui-monospace, Menlo, monospace", size=10),
        colorbar=dict(title=dict(text="top p", side="right"), thickness=12, tickformat=".0%"),
        hovertemplate="%{customdata}<extra></extra>", xgap=1, ygap=1,
    ))
    fig.update_xaxes(tickmode="array", tickvals=list(range(len(tokens))), ticktext=unique_labels(tokens), tickangle=-60,
                     tickfont=dict(family="ui-monospace, Menlo, monospace", size=10), title_text="input token (the lens predicts what follows it)")
    return _layout(fig, title + ": the top next token read after every block (ln_f, then the LM head)",
                   height=max(320, 140 + 30 * len(rows)), margin=dict(l=110, r=20, t=56, b=110))


BEAM_STYLE = {  # status -> (colour, legend text)
    "root": ("#333333", "prompt"),
    "running": (BLUE, "kept: continues as a beam"),
    "final": (GREEN, "final beam (what generate returns)"),
    "finished": (ORANGE, "finished (ended), not among the final beams"),
    "stopped": (PURPLE, "stopped: could no longer win"),
    "pruned": (GREY, "pruned"),
}


def beam_tree_chart(nodes: Sequence[dict], *, title: str = "Beam search, step by step") -> go.Figure:
    """The tree of hypotheses beam search weighed: one column per step, one node per candidate.

    `nodes` are dicts with "id", "parent" (None for the prompt), "step", "token", "logprob",
    "cum_logprob", "status" (a BEAM_STYLE key) and "reason". Siblings are ordered best first; the
    paths of the final beams are drawn thick and green.
    """
    if not nodes:
        return _empty(title, "Press “Beam tree” to run beam search.", height=420)
    by_id = {n["id"]: n for n in nodes}
    children: dict = {n["id"]: [] for n in nodes}
    for n in nodes:
        if n["parent"] is not None:
            children[n["parent"]].append(n["id"])
    y: dict = {}
    leaves = 0
    def place_rows(i: int) -> float:
        nonlocal leaves
        kids = sorted(children[i], key=lambda k: -by_id[k]["cum_logprob"])
        if not kids:
            y[i] = float(leaves)
            leaves += 1
        else:
            y[i] = sum(place_rows(k) for k in kids) / len(kids)
        return y[i]
    root = next(n["id"] for n in nodes if n["parent"] is None)
    place_rows(root)
    on_final = set()
    for n in nodes:
        if n["status"] == "final":
            i = n["id"]
            while i is not None:
                on_final.add(i)
                i = by_id[i]["parent"]
    fig = go.Figure()
    for final in (False, True):
        xs, ys = [], []
        for n in nodes:
            if n["parent"] is not None and (n["id"] in on_final) == final:
                p = by_id[n["parent"]]
                xs += [p["step"], n["step"], None]
                ys += [y[p["id"]], y[n["id"]], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                 line=dict(color=GREEN if final else "#C8C8C8", width=3 if final else 1)))
    for status, (color, label) in BEAM_STYLE.items():
        group = [n for n in nodes if n["status"] == status]
        if not group:
            continue
        fig.add_trace(go.Scatter(
            x=[n["step"] for n in group], y=[y[n["id"]] for n in group], mode="markers+text", name=label,
            text=[f"{show_token(n['token'])[:14]} {n['cum_logprob']:.2f}" if n["parent"] is not None else "prompt"
                  for n in group],
            textposition="middle right", textfont=dict(family="ui-monospace, Menlo, monospace", size=10,
                                                       color="#999" if status == "pruned" else "#222"),
            marker=dict(color=color, size=11 if status == "final" else 8, line=dict(color="white", width=1)),
            customdata=[[show_token(n["token"])[:60], n["logprob"], n["cum_logprob"], n["reason"]] for n in group],
            hovertemplate="%{customdata[0]}<br>log p(token) %{customdata[1]:.3f} · cumulative %{customdata[2]:.3f}"
                          "<br>%{customdata[3]}<extra></extra>",
        ))
    steps = max(n["step"] for n in nodes)
    fig.update_xaxes(title_text="step (new token)", tickmode="array", tickvals=list(range(steps + 1)),
                     ticktext=["prompt"] + [str(i) for i in range(1, steps + 1)], range=[-0.3, steps + 0.9])
    fig.update_yaxes(visible=False, autorange="reversed")
    return _layout(fig, title + " — labels: token and cumulative log-prob", height=max(420, 90 + 22 * leaves),
                   legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0.0),
                   margin=dict(l=20, r=20, t=56, b=90))
