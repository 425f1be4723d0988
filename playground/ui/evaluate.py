"""Evaluate tab: perplexity of a text under one or two models, and the surprisal of every token."""

from __future__ import annotations

import math
from pathlib import Path

import gradio as gr

from playground import charts
from playground.corpus_files import read_text_file
from playground.errors import PlaygroundError
from playground.ui import engine
from playground.ui.common import SURPRISAL_BINS, SURPRISAL_COLORS, legend, note, stat_cards, surprisal_bin
from playground.ui.forms import Form, bind
from playground.ui.i18n import I18N, headed, localize_figure, tr
from playground.ui.errors import friendly
from playground.ui.sessions import Session
from playground.ui.state import AppContext
from playground.values import number

NONE = ""  # the second model's "(none)" choice
HEADERS = ["model", "perplexity", "loss (nats/token)", "nats/char", "tokens", "characters"]
EXAMPLE = ("MACBETH:\nTo-morrow, and to-morrow, and to-morrow,\nCreeps in this petty pace from day to day,\n"
           "To the last syllable of recorded time;\n")


MAX_COLOURED = 2000  # tokens in the coloured view; the chart shows every token


def scored_line(file_, tokens: int, lang: str = "en") -> str:
    """Which text was scored (a file wins over the text box) and how much of it each view shows — the chart as
    charts.surprisal_chart draws it: every token, or the mean of each window of consecutive tokens."""
    source = (tr(lang, "the file {name} (the text box is ignored while a file is attached)", name=Path(file_).name)
              if file_ else tr(lang, "the text box"))
    coloured = (tr(lang, "the coloured tokens are the first {shown} of {n}", shown=f"{MAX_COLOURED:,}", n=f"{tokens:,}")
                if tokens > MAX_COLOURED else tr(lang, "all {n} tokens are coloured", n=f"{tokens:,}"))
    window = charts.surprisal_window(tokens)
    chart = (tr(lang, "the chart shows every token") if window == 1 else
             tr(lang, "the chart shows the mean of each window of {k} tokens ({n} windows; the worst token on hover)",
                k=window, n=f"{math.ceil(tokens / window):,}"))
    return tr(lang, "Scored {source}: {coloured}; {chart}.", source=source, coloured=coloured, chart=chart)


def evaluate_text(ctx: AppContext, session: Session, form: dict):
    """Evaluate: perplexity and nats/char of the text (or the attached file) under the selected model and an
    optional second one. `form`: text, file, model, second_model, stride."""
    file_, body = form["file"], form["text"]
    if file_:
        body = read_text_file(file_)
    if not isinstance(body, str) or not body:
        raise PlaygroundError("There is no text to score; type or paste some, or attach a file.")
    if ctx.limits is not None:
        ctx.limits.check_eval(body)
    stride = number("Stride", form["stride"], integer=True, lo=0, blank=0) or None  # 0: half the context
    lang = session.language
    names = [form["model"]] + ([form["second_model"]] if form["second_model"] not in (None, NONE) else [])
    results = {}
    for name in names:
        model, tok = ctx.model(session, name)
        results[ctx.label(name) + (" (2)" if ctx.label(name) in results else "")] = engine.perplexity(
            model, tok, body, stride=stride)
    rows = [[k, round(r.perplexity, 2), round(r.loss, 4), round(r.nats_per_char, 4), r.tokens, r.characters]
            for k, r in results.items()]
    first = next(iter(results.values()))
    items = [("perplexity", f"{first.perplexity:,.2f}"), ("nats / token", f"{first.loss:.3f}"),
             ("nats / char", f"{first.nats_per_char:.3f}"), ("tokens", f"{first.tokens:,}")]
    if len(results) == 2:
        other = list(results.values())[1]
        items.append(("second model's perplexity", f"{other.perplexity:,.2f}"))
    items = [(tr(lang, k), v) for k, v in items]
    highlighted = [(t, surprisal_bin(n)) for t, n in first.surprisal[:MAX_COLOURED]]
    series = {k: r.surprisal for k, r in results.items()}  # the chart takes every token (in windows)
    scored = note(scored_line(file_, first.tokens, lang), "info")
    return stat_cards(items), headed(lang, HEADERS, rows), highlighted, \
        localize_figure(charts.surprisal_chart(series), lang), scored


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
            second = gr.Dropdown([("(none)", NONE), *ctx.model_choices(None)], value=NONE, label="Second model (optional)",
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

    form = Form(text=text, file=upload, model=model_select, second_model=second, stride=stride)
    run.click(friendly(message=4, outputs=5)(bind(ctx, evaluate_text, form)), form.inputs,
              [cards, table, tokens, plot, message], api_name="evaluate", concurrency_limit=2)
    return {"second": second}
