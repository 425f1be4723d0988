"""Internals tab: attention weights, the logit lens, per-token surprisal and the beam-search tree.

All numbers come from `playground.internals` (one forward pass through an eager-attention twin of the
shared model, and `generate`'s own beam search); this module only turns them into plain lists for
`playground.charts` and wires the controls.
"""

from __future__ import annotations

import gradio as gr

from playground import charts
from playground.knobs import MAX_BEAM_STEPS, MAX_BEAMS, MAX_TOKENS
from playground.errors import PlaygroundError
from playground.ui import engine
from playground.ui.common import esc, note, token_label
from playground.ui.forms import Form, bind
from playground.ui.i18n import localize_figure, tr
from playground.ui.errors import friendly
from playground.ui.sessions import Session
from playground.ui.state import AppContext
from playground.values import number

EXAMPLE = "GLOUCESTER:\nI thank you, my lord.\n\nKING EDWARD IV:\nI thank you, good Gloucester; I thank you all."


def attention_figures(result, layer: int, head: int, focus: int, lang: str = "en") -> tuple:
    """Heatmap and lines of one head (1-based sliders; head 0 = the mean over heads, focus 0 = every token)."""
    layer = min(max(int(layer), 1), result.layers)
    head = min(max(int(head), 0), result.heads)
    weights = result.attention(layer - 1, head - 1 if head else None)
    which = f"layer {layer}, " + (f"head {head}" if head else f"mean of the {result.heads} heads")
    focus = int(focus) - 1 if focus and 0 < int(focus) <= len(result.tokens) else None
    return (localize_figure(charts.attention_heatmap(result.tokens, weights, title=f"Attention weights — {which}"), lang),
            localize_figure(charts.attention_lines(result.tokens, weights, focus=focus, title="Who looks at whom"
                                                   + (f" — token {focus + 1} only" if focus is not None else "")), lang))


def lens_rows(result) -> list[list[dict]]:
    return [[{"top": [(t.token, t.prob) for t in cell.top], "next_prob": cell.next_prob} for cell in row]
            for row in result.lens]


def beam_nodes(tree) -> list[dict]:
    return [{"id": n.id, "parent": n.parent, "step": n.step, "token": n.token, "logprob": n.logprob,
             "cum_logprob": n.cum_logprob, "status": n.status, "reason": n.reason} for n in tree.nodes]


def prompt_end(tok, ids: list[int], chars: int) -> str:
    """The end of a prompt as whole tokens, about `chars` characters of it: never a token cut in half ("…" when
    the prompt is longer)."""
    take = 0
    while take < len(ids) and len(tok.decode(ids[len(ids) - take - 1:])) <= chars:
        take += 1
    take = max(take, 1 if ids else 0)  # one token even when it alone is longer
    shown = tok.decode(ids[len(ids) - take:]) if take else ""
    return ("…" if take < len(ids) else "") + shown


def finals_html(tree, prompt: str) -> str:
    """The final beams, each after the end of the prompt (`prompt`: as prompt_end cut it)."""
    mono = "font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap"
    rows = "".join(f"<tr><td>{i}</td><td style='{mono}'>{esc(prompt)}<b>{esc(f.text)}</b></td><td>{f.score:.3f}</td></tr>"
                   for i, f in enumerate(tree.finals, 1))
    return (f"<table style='width:100%'><tr><th>#</th><th>final beam (end of the prompt, <b>new tokens</b>)</th>"
            f"<th>score = Σ log p / length</th></tr>{rows}</table>")


def look_inside(ctx: AppContext, session: Session, form: dict):
    """Look inside: attention of one head, the logit lens and each token's surprisal, on the text's first
    tokens. `form`: text, model, layer, head (0 = their mean), focus (0 = every token)."""
    layer = number("Layer", form["layer"], integer=True, lo=1, hi=1000)  # then clamped to the model's
    head = number("Head", form["head"], integer=True, lo=0, hi=1000)
    focus = number("Follow one token", form["focus"], integer=True, lo=0, hi=MAX_TOKENS)
    model, tok = ctx.model(session, form["model"])
    result = engine.inspect(model, tok, form["text"])
    lang = session.language
    heat_fig, lines_fig = attention_figures(result, layer, head, focus, lang)
    pairs = list(zip(result.tokens[1:], result.surprisal[1:]))
    surprisal_fig = localize_figure(charts.surprisal_chart({ctx.label(form["model"]): pairs},
                                                           title="Surprisal of each token given the ones before it"), lang)
    lens_fig = localize_figure(charts.logit_lens_chart(result.tokens, lens_rows(result)), lang)
    mean = sum(n for _, n in pairs) / len(pairs) if pairs else None
    bits = [tr(lang, "{n} tokens", n=len(result.tokens)), tr(lang, "{n} layers × {h} heads", n=result.layers, h=result.heads)]
    if mean is not None:
        bits.append(tr(lang, "mean surprisal {s} nats", s=f"{mean:.2f}"))
    msg = (note(result.notice, "warn") if result.notice else "") + note(" · ".join(bits), "info")
    return (result, heat_fig, lines_fig, lens_fig, surprisal_fig, msg,
            gr.update(maximum=result.layers, value=min(max(layer, 1), result.layers)),
            gr.update(maximum=result.heads, value=min(max(head, 0), result.heads)),
            gr.update(maximum=len(result.tokens), value=min(max(focus, 0), len(result.tokens))))


def beam_search_tree(ctx: AppContext, session: Session, form: dict):
    """Beam tree: every hypothesis beam search weighed, and its final beams. `form`: text, model, beams, steps."""
    model, tok = ctx.model(session, form["model"])
    beams = number("Beams", form["beams"], integer=True, lo=2, hi=MAX_BEAMS)
    steps = number("New tokens", form["steps"], integer=True, lo=1, hi=MAX_BEAM_STEPS)
    tree = engine.beam_tree(model, tok, form["text"], beams, steps)
    title_end, shown = prompt_end(tok, tree.prompt_ids, 30), prompt_end(tok, tree.prompt_ids, 80)
    fig = localize_figure(charts.beam_tree_chart(beam_nodes(tree), title=f"Beam search with {tree.num_beams} beams "
                                                 f"after “{token_label(title_end)}”"), session.language)
    return fig, finals_html(tree, shown), note(tree.notice, "warn") if tree.notice else ""


def build(ctx: AppContext, model_select: gr.Dropdown) -> dict:
    gr.Markdown(f"Look inside the selected GPT-2 while it reads a text (its first {MAX_TOKENS} tokens). **Attention**: "
                "for one layer and head, how much each token (row) draws from each earlier token (column). **Logit "
                "lens**: the residual stream after every block read through the final layer norm and the LM head — "
                "the model's guess for the next token, layer by layer. **Surprisal**: −ln p of each token given the "
                "ones before it. Below, the **beam-search tree**: every hypothesis beam search weighed, and why it "
                "was kept, finished or pruned.")
    result_state = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=280):
            text = gr.Textbox(EXAMPLE, label="Text", lines=5, elem_id="internals-text", elem_classes="pg-step")
            look = gr.Button("Look inside", variant="primary", elem_id="internals-btn", elem_classes="pg-primary")
            layer = gr.Slider(1, 12, value=1, step=1, label="Layer", elem_id="internals-layer")
            head = gr.Slider(0, 12, value=0, step=1, label="Head", info="0 = the mean of every head", elem_id="internals-head")
            focus = gr.Slider(0, MAX_TOKENS, value=0, step=1, label="Follow one token",
                              info="its position in the text; 0 = every token", elem_id="internals-focus")
            info = gr.HTML(elem_id="internals-info")
        with gr.Column(scale=5):
            with gr.Row():
                heat = gr.Plot(charts.attention_heatmap([], []), elem_id="internals-heatmap", show_label=False)
                lines = gr.Plot(charts.attention_lines([], []), elem_id="internals-lines", show_label=False)
    lens = gr.Plot(charts.logit_lens_chart([], []), elem_id="internals-lens", show_label=False)
    surprisal = gr.Plot(charts.surprisal_chart({}), elem_id="internals-surprisal", show_label=False)

    gr.Markdown("### Beam-search tree\nBeam search keeps the *B* best partial texts by summed log-probability. At each "
                "step it ranks 2*B* candidate continuations; the *B* best unfinished ones continue, candidates that end "
                "(end-of-text, or the length limit) join the finished list with their score divided by their length, "
                "and the rest are pruned. Hover a node to read its fate. The green paths are exactly what "
                "`generate(num_beams=B)` returns.")
    with gr.Row(equal_height=True):
        beams = gr.Slider(2, MAX_BEAMS, value=3, step=1, label="Beams", elem_id="internals-beams", scale=2)
        steps = gr.Slider(1, MAX_BEAM_STEPS, value=6, step=1, label="New tokens", elem_id="internals-steps", scale=2)
        beam_btn = gr.Button("Beam tree", elem_id="internals-beam-btn", scale=1)
    tree_plot = gr.Plot(charts.beam_tree_chart([]), elem_id="internals-tree", show_label=False)
    finals = gr.HTML(elem_id="internals-finals")
    beam_message = gr.HTML(elem_id="internals-beam-message")

    look_form = Form(text=text, model=model_select, layer=layer, head=head, focus=focus)
    look.click(friendly(message=5, outputs=9)(bind(ctx, look_inside, look_form)), look_form.inputs,
               [result_state, heat, lines, lens, surprisal, info, layer, head, focus],
               api_name="internals", concurrency_limit=2, concurrency_id="internals")

    @friendly(message=2, outputs=3)
    def on_pick(result, layer_, head_, focus_, request: gr.Request):
        if result is None:
            raise PlaygroundError("Press Look inside first; then choose a layer and head.")
        layer_, head_, focus_ = (number(name, v, integer=True, lo=0, hi=1000) for name, v in
                                 (("Layer", layer_), ("Head", head_), ("Follow one token", focus_)))
        return (*attention_figures(result, layer_, head_, focus_, ctx.session(request).language), gr.skip())

    # Layer, head and token redraw from the kept weights: no forward pass.
    gr.on([layer.input, head.input, focus.input], on_pick, [result_state, layer, head, focus], [heat, lines, info],
          trigger_mode="always_last", show_progress="minimal", api_visibility="undocumented")

    beam_form = Form(text=text, model=model_select, beams=beams, steps=steps)
    beam_btn.click(friendly(message=2, outputs=3)(bind(ctx, beam_search_tree, beam_form)), beam_form.inputs,
                   [tree_plot, finals, beam_message], api_name="beam_tree", concurrency_limit=2, concurrency_id="internals")
    return {}
