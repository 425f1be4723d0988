"""Compare tab: one prompt and seed through several decoding strategies, with the engine's metrics."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from playground import charts
from playground.ui import engine
from playground.ui.common import esc, progress_bar
from playground.ui.i18n import headed, localize_figure, tr
from playground.ui.forms import Form, KnobPanel, bind
from playground.ui.share import share_row, wire_share
from playground.ui.errors import friendly
from playground.ui.sessions import Session
from playground.ui.state import AppContext
from playground.values import check_seed, number

MAX_NEW = 200  # new tokens per strategy: seven strategies run one after the other
HEADERS = ["strategy", "perplexity", "mean log-prob", "distinct-1", "distinct-2", "repeated 3-grams", "tokens"]


def texts_html(prompt: str, results) -> str:
    cards = "".join(
        f'<div class="pg-card"><div class="pg-card-label">{esc(r.name)}</div>'
        f'<div style="white-space:pre-wrap;font-size:14px;max-height:220px;overflow:auto"><span style="color:#888">{esc(prompt)}</span>{esc(r.text)}</div></div>'
        for r in results)
    return f'<div class="pg-cards" style="display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));align-items:start">{cards}</div>'


def metric_row(r) -> list:
    return [r.name, None if r.perplexity is None else round(r.perplexity, 2),
            None if r.mean_logprob is None else round(r.mean_logprob, 3), round(r.distinct_1, 3),
            round(r.distinct_2, 3), round(r.repeat_3gram_rate, 3), r.length]


def on_compare(ctx: AppContext, session: Session, form: dict):
    """The metrics table, its chart and the texts, a row more as each strategy finishes, with a progress
    line. `form`: prompt, model, new_tokens, seed, include (the user's own settings as one more strategy,
    "yours") and yours (Generate's knobs, by name)."""
    new_tokens = number("New tokens", form["new_tokens"], integer=True, lo=1, hi=MAX_NEW)
    seed = check_seed(number("Seed", form["seed"], integer=True, lo=0, blank=0))
    model, tok = ctx.model(session, form["model"])
    own = KnobPanel.settings(form["yours"]).replace(num_return_sequences=1) if form["include"] else None
    names = engine.strategy_names(own)
    total = len(names)
    lang = session.language
    yield headed(lang, HEADERS, []), gr.skip(), "", progress_bar(0, tr(lang, "Running {name}…", name=names[0]),
                                                                 tr(lang, "{done} of {total} strategies", done=0, total=total))
    results = []
    for r in engine.iter_compare(model, tok, form["prompt"], max_new_tokens=new_tokens, seed=seed,
                          own=own):
        results.append(r)
        done = len(results)
        status = (progress_bar(done / total, tr(lang, "Running {name}…", name=names[done]),
                               tr(lang, "{done} of {total} strategies", done=done, total=total)) if done < total else "")
        yield (headed(lang, HEADERS, [metric_row(r) for r in results]),
               localize_figure(charts.compare_chart([r.to_dict() for r in results]), lang), texts_html(form["prompt"], results), status)


def write_csv(table, folder: Path) -> Path | None:
    """The metrics table as `folder`/compare.csv, as shown (None while it is empty)."""
    if table is None or len(table) == 0:
        return None
    path = folder / "compare.csv"
    table.to_csv(path, index=False)
    return path


def build(ctx: AppContext, model_select: gr.Dropdown, generate_knobs: KnobPanel) -> dict:
    gr.Markdown("The same prompt and seed through six classic strategies (and, if you like, your own settings from the "
                "Generate tab). **Perplexity** of the text under the model: low means predictable (greedy and beam "
                "search), high means surprising. **Distinct-n**: share of different n-grams (low = repetitive). "
                "**Repeated 3-grams**: share of 3-grams seen earlier in the same text.", elem_classes="pg-intro")
    with gr.Row(equal_height=False):
        prompt = gr.Textbox("The king", label="Prompt", lines=2, scale=4, elem_id="compare-prompt")
        with gr.Column(scale=3):
            with gr.Row():
                max_new = gr.Slider(5, MAX_NEW, value=60, step=5, label="New tokens", elem_id="compare-max-new")
                seed = gr.Number(0, label="Seed", precision=0, elem_id="compare-seed")
            mine = gr.Checkbox(True, label="Include my Generate-tab settings (“yours”)", elem_id="compare-mine")
    with gr.Row(equal_height=True):
        run = gr.Button("Compare strategies", variant="primary", elem_id="compare-btn", elem_classes="pg-primary", scale=4)
        download = gr.DownloadButton("Download table (CSV)", value=None, interactive=False, elem_id="compare-csv", scale=1)
    share = share_row("compare")
    message = gr.HTML(elem_id="compare-message")
    table = gr.Dataframe(headers=HEADERS, interactive=False, elem_id="compare-table", label="Metrics")
    plot = gr.Plot(charts.compare_chart([]), elem_id="compare-plot", show_label=False)
    texts = gr.HTML(elem_id="compare-texts")

    # "Yours" reads Generate's knobs by name, through Generate's own panel.
    form = Form(prompt=prompt, model=model_select, new_tokens=max_new, seed=seed, include=mine, yours=generate_knobs)

    def on_csv(table_, request: gr.Request):
        session = ctx.session(request)
        # One file per session, rewritten by each comparison (gradio serves a copy); hosted, it goes with the session.
        folder = Path(tempfile.gettempdir()) / f"playground-compare-{session.id[:12]}"
        folder.mkdir(exist_ok=True)
        if str(folder / "compare.csv") not in session.uploads:
            session.uploads.append(str(folder / "compare.csv"))
        path = write_csv(table_, folder)
        return gr.update(value=None if path is None else str(path), interactive=path is not None)

    run.click(friendly(message=3, outputs=4)(bind(ctx, on_compare, form)), form.inputs, [table, plot, texts, message],
              api_name="compare", concurrency_limit=2).then(on_csv, table, download, api_visibility="undocumented")
    # A link restores the prompt, length and seed, and Generate's knobs for "yours" (Compare has its own
    # length and seed, so Generate's are not part of it).
    targets = {"prompt": prompt, "max_new_tokens": max_new, "seed": seed,
               **{k: v for k, v in generate_knobs.fields.items() if k not in ("max_new_tokens", "seed")}}
    wire_share("compare", share, model_select, targets)
    return {"share": targets}
