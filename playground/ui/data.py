"""Data tab: choose a corpus (bundled or uploaded), clean it, cut it into examples, see its statistics.

What the Train tab trains on is the session's `corpus`: the last corpus prepared here, or, when a bundled
corpus is chosen and not prepared, that corpus as it comes (None: the Train tab says which it will use).
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from playground import charts
from playground.assets import BUNDLED_CORPORA, BUNDLED_NAMES
from playground.corpus import ExampleSettings, line_token_lengths, prepare
from playground.corpus_files import Cleaning, load_corpus, read_text_file
from playground.dataset_corpus import DEFAULT_MAX_CHARS
from playground.errors import PlaygroundError
from playground.tokenization import gpt2_tokenizer
from playground.ui.common import note, stat_cards
from playground.ui.forms import Form, bind
from playground.ui.i18n import error, headed, localize_figure, tr
from playground.ui.sessions import CorpusChoice, Session
from playground.ui.state import AppContext
from playground.values import number

UPLOADED, DATASET = "uploaded", "dataset"
SOURCES = [*((name, key) for key, name in BUNDLED_NAMES.items()), ("Uploaded files", UPLOADED),
           ("A dataset: Hub name or folder", DATASET)]
CLEANING = [("Drop blank lines", "drop_blank_lines"), ("Strip page numbers", "strip_page_numbers"),
            ("Collapse runs of spaces", "collapse_spaces"), ("Remove duplicate lines", "dedupe_lines")]
MODES = [("Blocks: a continuous stream cut into windows", "blocks"),
         ("Line by line: each line (or record) is one example", "lines")]
PREVIEW_CHARS = 3000
MIN_DOCUMENTS_FOR_HISTOGRAM = 30
MAX_LINES = 100_000
STAT_HEADERS = ["token", "count"]


def corpus_files(source: str, uploads: list[str] | None) -> tuple[list[str], list[str], str]:
    """(training files, validation files, label) for the chosen source (not a dataset: dataset_source)."""
    if source == UPLOADED:
        if not uploads:
            raise PlaygroundError("No file uploaded yet; drop one or more .txt, .md, .csv or .jsonl files above.")
        files = [str(f) for f in uploads]
        return files, [], ", ".join(Path(f).name for f in files)
    if source not in BUNDLED_CORPORA:
        raise PlaygroundError(f"Unknown corpus '{source}'.")
    train, val = BUNDLED_CORPORA[source]
    return [str(train)], [str(val)], BUNDLED_NAMES[source]


def dataset_source(ctx: AppContext, form: dict):
    """The dataset the form names, as the engine reads it (hosted: Hub datasets only, the host's character cap)."""
    from playground.dataset_corpus import DatasetSource

    name = str(form["dataset"] or "").strip()
    if ctx.hosted and name and Path(name).expanduser().exists():  # a visitor must not read the host's folders
        raise PlaygroundError("This shared app reads datasets from the Hugging Face Hub only, not folders on its disk; "
                              "name a Hub dataset or upload files.")
    cap = number("Characters to read", form["dataset_max_chars"], integer=True, lo=1)
    if ctx.limits is not None:
        cap = min(cap, ctx.limits.max_dataset_chars)
    return DatasetSource(name, str(form["dataset_config"] or "").strip() or None,
                         str(form["dataset_split"] or "").strip() or "train",
                         str(form["text_field"] or "").strip() or None, cap)


def preview(source: str, uploads: list[str] | None) -> str:
    if source == DATASET:
        return ""
    try:
        files, _, _ = corpus_files(source, uploads)
        path = Path(files[0])
        if path.suffix.lower() in (".txt", ".md", ".text", ".markdown"):
            with open(path, encoding="utf-8-sig", errors="replace") as f:
                return f.read(PREVIEW_CHARS)
        return read_text_file(path, limit=PREVIEW_CHARS)
    except PlaygroundError as e:
        return f"({e})"


def prepare_corpus(ctx: AppContext, session: Session, form: dict):
    """Prepare: the corpus cut into examples with GPT-2's BPE, its stats, token-length histogram and most
    frequent tokens. `form`: source ("shakespeare", "uploaded" or "dataset"), files, cleaning (Cleaning field
    names), mode, block_size, stride, val_percent, text_field, and for a dataset its name, config, split and the
    characters to read. A refused corpus leaves nothing that looks current: the stats say so."""
    lang = session.language
    try:
        ctx.check_disk()  # hosted: uploads and caches within the host's disk budget
        dataset = dataset_source(ctx, form) if form["source"] == DATASET else None
        train_files, val_files, label = ([], [], dataset.label) if dataset else corpus_files(form["source"], form["files"])
        chosen = set(form["cleaning"] or [])
        unknown = chosen - {value for _, value in CLEANING}
        if unknown:
            raise PlaygroundError(f"Unknown cleaning option '{sorted(unknown)[0]}'; use "
                                  f"{', '.join(value for _, value in CLEANING)}.")
        cleaning = Cleaning(**{name: True for name in chosen})
        block = number("Block size", form["block_size"], integer=True, lo=2, hi=1024)
        stride = number("Stride", form["stride"], integer=True, lo=0, hi=1024) or None
        settings = ExampleSettings(mode=form["mode"], block_size=block, stride=stride,
                                   val_fraction=number("Validation %", form["val_percent"], lo=1, hi=50) / 100)
        field = str(form["text_field"] or "").strip() or None
        if dataset is not None:
            from playground.dataset_corpus import load_dataset_corpus

            corpus = load_dataset_corpus(dataset, cleaning, progress=True)
        else:
            corpus = load_corpus(train_files, cleaning, field)
        val_corpus = load_corpus(val_files, cleaning, field) if val_files else None
        tokenizer = gpt2_tokenizer()
        prepared = prepare(corpus, tokenizer, settings, val_corpus)
    except PlaygroundError as e:
        # One sentence, inline; the stats of an earlier corpus stay, marked as no longer what Train uses.
        return note(error(lang, str(e)), "error"), _stale(session), gr.skip(), gr.skip()
    s = prepared.stats
    session.corpus = CorpusChoice(label, train_files, val_files, cleaning, settings.mode, block, stride,
                                  settings.val_fraction, field, s.to_dict(), dataset)
    cards = stat_cards([(tr(lang, k), v) for k, v in [
        ("characters", f"{s.characters:,}"), ("lines", f"{s.lines:,}"), ("tokens", f"{s.tokens:,}"),
        ("train examples", f"{s.train_examples:,}"), ("val examples", f"{s.val_examples:,}"),
        ("tokens / example", f"{s.tokens_per_example:,}")]])
    lengths, unit = s.example_lengths, "line" if settings.mode == "lines" else "document"
    if settings.mode == "blocks" and len(lengths) < MIN_DOCUMENTS_FOR_HISTOGRAM:
        # A few long documents make a pointless histogram: show tokens per line instead.
        lengths, unit = line_token_lengths(corpus, tokenizer, MAX_LINES), "line"
    fig = localize_figure(charts.length_histogram(lengths, unit=unit, block_size=block), lang)
    rows = [[charts.show_token(t), c] for t, c in s.top_tokens]
    ok = note(tr(lang, "Ready: {label}. Preview with GPT-2's BPE: {n} training examples; the Train tab uses these "
                 "settings with its run's tokenizer.", label=label, n=f"{s.train_examples:,}"), "ok")
    return ok, cards, fig, headed(lang, STAT_HEADERS, rows)


def _stale(session: Session) -> str:
    """The stats box after a refused corpus: which corpus Train will use instead."""
    c = session.corpus
    which = tr(session.language, "the bundled Shakespeare") if c is None else c.label
    return note(tr(session.language, "These settings were not applied: the Train tab still uses {corpus}.", corpus=which),
                "warn")


def choose_source(ctx: AppContext, session: Session, form: dict):
    """A corpus chosen in the list: its preview, and a bundled one applies at once, as it comes (Prepare
    changes its cleaning and block size); an upload waits for Prepare."""
    lang = session.language
    dataset = gr.update(visible=form["source"] == DATASET)
    if form["source"] in BUNDLED_CORPORA:
        session.corpus = None
        told = note(tr(lang, "The Train tab now uses {corpus} as it comes; press Prepare corpus to see its statistics or "
                       "change its cleaning and block size.", corpus=BUNDLED_NAMES[form["source"]]), "info")
    else:
        told = gr.skip()
    return preview(form["source"], form["files"]), told, dataset


def build(ctx: AppContext) -> dict:
    """The Data tab's components (returned so other tabs can read them)."""
    gr.Markdown("Pick the text the model will learn from. A bundled corpus is ready to go; or upload your own. "
                "**Prepare** previews it cut into training examples, counted with GPT-2's BPE. The Train tab "
                "trains on these files with this cleaning, block size, stride and validation share, tokenized by "
                "its run's tokenizer (a fine-tuned model's own; GPT-2's or a corpus BPE from scratch), so with a "
                "corpus BPE its counts differ.")
    first = SOURCES[0][1]
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            source = gr.Radio(SOURCES, value=first, label="Corpus", elem_id="corpus-source")
            limit = f" (up to {ctx.max_upload_mb} MB each)" if ctx.max_upload_mb else ""
            upload = gr.File(label=f"Upload text files: .txt, .md, .csv, .jsonl{limit}", file_count="multiple",
                             file_types=[".txt", ".md", ".csv", ".jsonl", ".json"], elem_id="corpus-upload", height=120)
            with gr.Group(visible=False) as dataset_box:
                dataset = gr.Textbox("", label="Dataset", placeholder="roneneldan/TinyStories, or a local dataset folder",
                                     max_lines=1, elem_id="data-dataset")
                with gr.Row():
                    dataset_config = gr.Textbox("", label="Configuration (if it has several)", max_lines=1,
                                                elem_id="data-dataset-config")
                    dataset_split = gr.Textbox("train", label="Split", max_lines=1, elem_id="data-dataset-split")
                    max_chars = gr.Number(ctx.limits.max_dataset_chars if ctx.limits else DEFAULT_MAX_CHARS,
                                          label="Characters to read", precision=0, minimum=1,
                                          elem_id="data-dataset-chars",
                                          info="rows are streamed until this many characters: never downloaded whole")
            text_preview = gr.Textbox(label="Preview (the first characters)", lines=12, max_lines=12, interactive=False,
                                      value=preview(first, None), elem_classes="pg-mono", elem_id="corpus-preview")
        with gr.Column(scale=4):
            cleaning = gr.CheckboxGroup(CLEANING, label="Cleaning (each is optional)", elem_id="corpus-cleaning")
            mode = gr.Radio(MODES, value="blocks", label="Examples", elem_id="corpus-mode")
            with gr.Row():
                block = gr.Slider(16, 1024, value=128, step=16, label="Block size (tokens)", elem_id="data-block",
                                  info="Tokens the model sees at once.")
                stride = gr.Slider(0, 1024, value=0, step=16, label="Stride (0 = block size)", elem_id="data-stride",
                                   info="Less than the block size overlaps windows.")
            with gr.Row():
                val_pct = gr.Slider(1, 50, value=10, step=1, label="Validation %", elem_id="data-val",
                                    info="Held out, never trained on (bundled corpora use whole held-out plays).")
                text_field = gr.Textbox("", label="Text column (csv / jsonl)", placeholder="text", max_lines=1,
                                        elem_id="data-text-field")
            prepare_btn = gr.Button("Prepare corpus", variant="primary", elem_id="data-prepare", elem_classes="pg-primary")
    message = gr.HTML(elem_id="data-message")
    stats = gr.HTML(elem_id="data-stats")
    with gr.Row():
        hist = gr.Plot(charts.length_histogram([]), label="Token lengths", elem_id="data-hist", show_label=False)
        top = gr.Dataframe(headers=STAT_HEADERS, label="Most frequent tokens", interactive=False,
                           elem_id="data-top", max_height=320)

    def on_upload(files, request: gr.Request):
        session = ctx.session(request)
        if ctx.hosted and files:
            session.uploads.extend(str(f) for f in files)
        if ctx.max_upload_mb and files:
            for f in files:
                if Path(f).stat().st_size > ctx.max_upload_mb * 1024 * 1024:
                    return gr.skip(), gr.skip(), note(tr(session.language, "'{name}' is larger than {mb} MB, the limit "
                                                         "here; upload a smaller file.", name=Path(f).name,
                                                         mb=ctx.max_upload_mb), "error")
        if not files:
            return gr.skip(), gr.skip(), ""
        return UPLOADED, preview(UPLOADED, files), note(tr(session.language, "{n} file(s) uploaded; press Prepare corpus.",
                                                           n=len(files)), "info")

    upload.upload(on_upload, upload, [source, text_preview, message], api_visibility="undocumented")
    picked = Form(source=source, files=upload)
    source.input(bind(ctx, choose_source, picked), picked.inputs, [text_preview, message, dataset_box], queue=False,
                 api_visibility="undocumented")

    form = Form(source=source, files=upload, cleaning=cleaning, mode=mode, block_size=block, stride=stride,
                val_percent=val_pct, text_field=text_field, dataset=dataset, dataset_config=dataset_config,
                dataset_split=dataset_split, dataset_max_chars=max_chars)
    prepare_btn.click(bind(ctx, prepare_corpus, form, progress=True), form.inputs, [message, stats, hist, top],
                      concurrency_limit=2, api_name="prepare_corpus")
    return {"source": source, "upload": upload, "block": block}
