"""The Decoding lab's figures: every stage's distribution, sampled counts, the temperature sweep.

They are built once for the same data (`_shared`): a class asks for the same few at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.charts.base import (BLUE, CUT, GREEN, GREY, KEPT, ORANGE, PURPLE, SKY, VERMILION, _empty, _layout,
                                    _shared, percent, unique_labels)


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
