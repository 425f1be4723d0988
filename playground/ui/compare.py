"""Compare tab: one prompt and seed through several decoding strategies, with the engine's metrics."""

from __future__ import annotations

import gradio as gr

from playground import charts
from playground.compare import compare
from playground.ui.common import esc
from playground.ui.generate import settings_from
from playground.ui.state import AppContext, friendly

HEADERS = ["strategy", "perplexity", "mean log-prob", "distinct-1", "distinct-2", "repeated 3-grams", "tokens"]


def texts_html(prompt: str, results) -> str:
    cards = "".join(
        f'<div class="pg-card"><div class="pg-card-label">{esc(r.name)}</div>'
        f'<div style="white-space:pre-wrap;font-size:14px;max-height:220px;overflow:auto"><span style="color:#888">{esc(prompt)}</span>{esc(r.text)}</div></div>'
        for r in results)
    return f'<div class="pg-cards" style="display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));align-items:start">{cards}</div>'


def build(ctx: AppContext, model_select: gr.Dropdown, generate_knobs: list) -> dict:
    gr.Markdown("The same prompt and seed through six classic strategies (and, if you like, your own settings from the "
                "Generate tab). **Perplexity** of the text under the model: low means predictable (greedy and beam "
                "search), high means surprising. **Distinct-n**: share of different n-grams (low = repetitive). "
                "**Repeated 3-grams**: share of 3-grams seen earlier in the same text.")
    with gr.Row(equal_height=False):
        prompt = gr.Textbox("The king", label="Prompt", lines=2, scale=4, elem_id="compare-prompt")
        with gr.Column(scale=3):
            with gr.Row():
                max_new = gr.Slider(5, 200, value=60, step=5, label="New tokens", elem_id="compare-max-new")
                seed = gr.Number(0, label="Seed", precision=0, elem_id="compare-seed")
            mine = gr.Checkbox(True, label="Include my Generate-tab settings (“yours”)", elem_id="compare-mine")
    run = gr.Button("Compare strategies", variant="primary", elem_id="compare-btn", elem_classes="pg-primary")
    message = gr.HTML(elem_id="compare-message")
    table = gr.Dataframe(headers=HEADERS, interactive=False, elem_id="compare-table", label="Metrics")
    plot = gr.Plot(charts.compare_chart([]), elem_id="compare-plot", show_label=False)
    texts = gr.HTML(elem_id="compare-texts")

    @friendly(message=3, outputs=4)
    def on_compare(request: gr.Request, prompt_text, model_name, n, seed_, include, *knob_values):
        session = ctx.session(request)
        model, tok = ctx.model(session, model_name)
        own = settings_from(*knob_values).replace(num_return_sequences=1) if include else None
        results = compare(model, tok, prompt_text, max_new_tokens=int(n), seed=int(seed_ or 0), own=own)
        rows = [[r.name, None if r.perplexity is None else round(r.perplexity, 2),
                 None if r.mean_logprob is None else round(r.mean_logprob, 3), round(r.distinct_1, 3),
                 round(r.distinct_2, 3), round(r.repeat_3gram_rate, 3), r.length] for r in results]
        return rows, charts.compare_chart([r.as_json() for r in results]), texts_html(prompt_text, results), ""

    run.click(on_compare, [prompt, model_select, max_new, seed, mine, *generate_knobs], [table, plot, texts, message],
              api_name="compare", concurrency_limit=2)
    return {}
