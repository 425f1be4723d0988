"""What every figure shares: the palette, fonts, layout, titles that wrap on a phone, token labels, and the
cache of figures built from the same data."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence

import plotly.graph_objects as go

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
