"""Inside the model: attention weights, the logit lens and the beam-search tree."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from playground.charts.base import BLUE, GREEN, GREY, ORANGE, PURPLE, _empty, _layout, show_token, unique_labels


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
