"""Evaluate tab: perplexity of a text under one or two models, and the surprisal of every token."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from playground import charts
from playground.corpus import read_text_file
from playground.ui import engine
from playground.ui.common import SURPRISAL_BINS, SURPRISAL_COLORS, legend, note, stat_cards, surprisal_bin
from playground.ui.i18n import I18N, headed, localize_figure, tr
from playground.ui.state import AppContext, friendly

NONE = "(none)"
HEADERS = ["model", "perplexity", "loss (nats/token)", "nats/char", "tokens", "characters"]
EXAMPLE = ("MACBETH:\nTo-morrow, and to-morrow, and to-morrow,\nCreeps in this petty pace from day to day,\n"
           "To the last syllable of recorded time;\n")


MAX_COLOURED = 2000  # tokens in the coloured view; the chart shows every token


def scored_line(file_, tokens: int) -> str:
    """Which text was scored (a file wins over the text box) and how much of it each view shows."""
    source = f"the file {Path(file_).name} (the text box is ignored while a file is attached)" if file_ else "the text box"
    coloured = (f"the coloured tokens are the first {MAX_COLOURED:,} of {tokens:,}" if tokens > MAX_COLOURED
                else f"all {tokens:,} tokens are coloured")
    return f"Scored {source}: {coloured}; the chart shows every token."


def build(ctx: AppContext, model_select: gr.Dropdown) -> dict:
    gr.Markdown("How surprised is a model by a text? **Perplexity** is e^(mean surprisal); **nats/char** compares models "
                "with different tokenizers. Score the same text under the selected model and, optionally, a second one "
                "— say, before and after fine-tuning — and see which tokens each found surprising.", elem_classes="pg-intro")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            text = gr.Textbox(EXAMPLE, label="Text", lines=7, elem_id="eval-text")
            # The label stays short: gradio draws it on one line, and a long one widens the page on a phone.
            upload = gr.File(label="…or a file, scored instead of the text", file_types=[".txt", ".md"], elem_id="eval-file")
        with gr.Column(scale=2):
            second = gr.Dropdown([(NONE, NONE), *ctx.model_choices(None)], value=NONE, label="Second model (optional)",
                                 elem_id="eval-model-b", info="The first is the model selected at the top.")
            stride = gr.Number(0, label="Stride (0 = half the context)", precision=0, minimum=0)
            run = gr.Button("Evaluate", variant="primary", elem_id="eval-btn", elem_classes="pg-primary")
    message = gr.HTML(elem_id="eval-message")
    cards = gr.HTML(elem_id="eval-cards")
    table = gr.Dataframe(headers=HEADERS, interactive=False, elem_id="eval-table", label="Scores")
    gr.HTML(legend(SURPRISAL_BINS, I18N("Surprisal of each token under the first model:")))
    tokens = gr.HighlightedText(color_map=SURPRISAL_COLORS, show_legend=False, show_inline_category=False,
                                elem_id="eval-tokens", label="Tokens coloured by surprisal")
    plot = gr.Plot(charts.surprisal_chart({}), elem_id="eval-plot", show_label=False)

    @friendly(message=4, outputs=5)
    def on_eval(text_, file_, model_a, model_b, stride_, request: gr.Request):
        session = ctx.session(request)
        body = read_text_file(file_) if file_ else text_
        if ctx.limits is not None:
            ctx.limits.check_eval(body)
        names = [model_a] + ([model_b] if model_b and model_b != NONE else [])
        results = {}
        for name in names:
            model, tok = ctx.model(session, name)
            results[ctx.label(name) + (" (2)" if ctx.label(name) in results else "")] = engine.perplexity(
                model, tok, body, stride=int(stride_) or None)
        rows = [[k, round(r.perplexity, 2), round(r.loss, 4), round(r.nats_per_char, 4), r.tokens, r.characters]
                for k, r in results.items()]
        first_name, first = next(iter(results.items()))
        items = [("perplexity", f"{first.perplexity:,.2f}"), ("nats / token", f"{first.loss:.3f}"),
                 ("nats / char", f"{first.nats_per_char:.3f}"), ("tokens", f"{first.tokens:,}")]
        if len(results) == 2:
            other = list(results.values())[1]
            items.append(("second model's perplexity", f"{other.perplexity:,.2f}"))
        items = [(tr(session.language, k), v) for k, v in items]
        shown = first.surprisal[:MAX_COLOURED]
        highlighted = [(t, surprisal_bin(n)) for t, n in shown]
        series = {k: r.surprisal for k, r in results.items()}  # the chart takes every token (in windows)
        scored = note(tr(session.language, scored_line(file_, first.tokens)), "info")
        return stat_cards(items), headed(session.language, HEADERS, rows), highlighted, \
            localize_figure(charts.surprisal_chart(series), session.language), scored

    run.click(on_eval, [text, upload, model_select, second, stride], [cards, table, tokens, plot, message], api_name="evaluate",
              concurrency_limit=2)
    return {"second": second}
