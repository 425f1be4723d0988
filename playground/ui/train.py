"""Train tab: fine-tune a model or train one from scratch, with a live loss chart refreshed by a gr.Timer.

The job is the engine's TrainingJob (its own thread, stop flag and metrics); this tab only builds a
TrainConfig from the form, starts the job, and draws `job.snapshot()` every 1.5 s while it runs. When
the job ends, the model is selected on every tab and its zip (built once, playground.runs.zip_run) is
offered for download. Errors stay in the status box until the next action.
"""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

from playground import charts
from playground import runs as runs_lib
from playground.assets import BUNDLED_CORPORA
from playground.errors import PlaygroundError
from playground.models import SCRATCH_SIZES, model_label
from playground.tokenization import parse_tokenizer_spec
from playground.train_config import TrainConfig, defaults_for
from playground.ui.common import fmt_seconds, note, progress_bar
from playground.ui.i18n import I18N, error, headed, localize_figure, tr
from playground.ui.state import ACTIVE, AppContext, Session

TICK_SECONDS = 1.5
SAMPLE_HEADERS = ["step", "sample generated at this evaluation"]
FINETUNE, SCRATCH = "Fine-tune a model", "Train from scratch"
TOKENIZERS = [("BPE trained on the corpus: 4 000 tokens", "bpe:4000"), ("BPE trained on the corpus: 1 000", "bpe:1000"),
              ("BPE trained on the corpus: 8 000", "bpe:8000"), ("GPT-2's BPE (50 257 tokens: a big, slow output layer)", "gpt2")]
# The form as it opens: a from-scratch tiny GPT-2 with a corpus BPE, which trains visibly within minutes
# on a laptop CPU (a 50 257-token head would cost a tiny model most of its time); the time budget caps
# it on slow machines, the step count on fast ones.
DEFAULT_FORM = dict(source=SCRATCH, size="tiny", tokenizer="bpe:4000", max_steps=300, minutes=5)
STATUS_WORDS = {"idle": "Starting…", "preparing": "Preparing the corpus and model…", "training": "Training",
                "saving": "Saving the model…", "done": "Finished", "stopped": "Stopped", "failed": "Failed"}

from playground import presets as _presets


def size_label(name: str) -> str:
    s = SCRATCH_SIZES[name]
    body = 12 * s.n_layer * s.n_embd**2 / 1e6  # attention + MLP weights; embeddings come on top
    return f"{name} — {s.n_layer} layers × {s.n_embd} wide, {body:.1f} M weights + embeddings"


def _number(value, cast=float):
    """Blank or 0 in an optional numeric field means "the default" (None)."""
    if value in (None, "") or (isinstance(value, (int, float)) and value == 0):
        return None
    return cast(value)


def _blank_is_none(value, cast=float):
    """Blank means "the default"; anything else goes to TrainConfig, which says what is wrong with it."""
    return None if value in (None, "") else cast(value)


def _dropout(text) -> float | None:
    text = str(text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise PlaygroundError(f"Dropout must be a number such as 0.1, or blank for the default, not '{text}'.") from None


def make_config(ctx: AppContext, session: Session, source: str, base: str, folder: str, size: str, tokenizer: str,
                max_steps, minutes, lr, batch, epochs, grad_accum, schedule, warmup, weight_decay, eval_every,
                dropout, seed, lora, sample_prompt, output: Path) -> TrainConfig:
    c = session.corpus
    if c is None:  # nothing prepared on the Data tab: the first bundled corpus as it comes
        train, val = next(iter(BUNDLED_CORPORA.values()))
        corpus = dict(corpus=[str(train)], val_files=[str(val)])
    else:
        corpus = dict(corpus=c.files, val_files=c.val_files, cleaning=c.cleaning, text_field=c.text_field,
                      block_size=c.block_size, stride=c.stride, line_by_line=c.mode == "lines",
                      val_fraction=c.val_fraction)
    if source == FINETUNE:
        model = (folder or "").strip() if folder and not ctx.hosted else base
        model = ctx.check_model(session, model)
        which = dict(model=model)
    else:
        which = dict(scratch=size, tokenizer=tokenizer)
    return TrainConfig(
        output=str(output), **corpus, **which,
        max_steps=_number(max_steps, int), max_minutes=_number(minutes), lr=_blank_is_none(lr),
        batch_size=_blank_is_none(batch, int),
        epochs=_number(epochs), grad_accum=int(grad_accum or 1), schedule=schedule, warmup=None if warmup in (None, "") else int(warmup),
        weight_decay=None if weight_decay in (None, "") else float(weight_decay), eval_every=_number(eval_every, int),
        dropout=_dropout(dropout), seed=int(seed or 0), lora=bool(lora),
        sample_prompt=sample_prompt or None,
    )


def build(ctx: AppContext, model_select: gr.Dropdown) -> dict:
    gr.Markdown("Fine-tune a pretrained GPT-2 on the corpus from the Data tab, or train a small one from scratch. "
                "Watch the loss fall: **train loss** is measured on the batches the model learns from, **val loss** "
                "on text it never sees — when val loss stops falling while train loss keeps going, it is memorising.")
    f = DEFAULT_FORM
    with gr.Row(equal_height=False):
        with gr.Column(scale=4):
            source = gr.Radio([FINETUNE, SCRATCH], value=f["source"], label="Model", elem_id="train-source")
            with gr.Group(visible=f["source"] == FINETUNE) as finetune_box:
                base = gr.Dropdown(ctx.model_choices(None), value=ctx.default, label="Start from", elem_id="train-base")
                folder = gr.Textbox(label="…or a local model folder", placeholder="/path/to/model", max_lines=1,
                                    visible=not ctx.hosted)
                lora = gr.Checkbox(label="LoRA: train small adapters instead of every weight", value=False)
            with gr.Group(visible=f["source"] == SCRATCH) as scratch_box:
                size = gr.Dropdown([(size_label(k), k) for k in SCRATCH_SIZES], value=f["size"], label="Size",
                                   elem_id="train-size")
                tokenizer = gr.Dropdown(TOKENIZERS, value=f["tokenizer"], label="Tokenizer", elem_id="train-tokenizer")
            corpus_note = gr.HTML(note(I18N("Corpus: the bundled Shakespeare unless you prepare another on the Data tab."), "info"))
            if ctx.limits is not None:
                gr.HTML(note(ctx.limits.describe(), "info"), elem_id="train-limits")
        with gr.Column(scale=5):
            d = defaults_for(None, f["size"])
            with gr.Row():
                max_steps = gr.Number(f["max_steps"], label="Max steps (0 = by epochs)", precision=0, minimum=0,
                                      elem_id="train-steps")
                minutes = gr.Number(f["minutes"], label="Time budget, minutes (0 = none)", minimum=0, elem_id="train-minutes")
            with gr.Row():
                lr = gr.Number(d.lr, label="Learning rate", elem_id="train-lr")
                batch = gr.Number(d.batch_size, label="Batch size", precision=0, minimum=1, elem_id="train-batch")
            with gr.Accordion("Advanced", open=False):
                with gr.Row():
                    epochs = gr.Number(0, label="Epochs (0 = one, or the step limit)", minimum=0)
                    grad_accum = gr.Number(1, label="Gradient accumulation", precision=0, minimum=1)
                    schedule = gr.Dropdown(["cosine", "linear", "constant"], value="cosine", label="LR schedule")
                with gr.Row():
                    warmup = gr.Number(d.warmup, label="Warm-up steps", precision=0, minimum=0)
                    weight_decay = gr.Number(d.weight_decay, label="Weight decay", minimum=0)
                    eval_every = gr.Number(0, label="Evaluate every N steps (0 = ten times)", precision=0, minimum=0,
                                           elem_id="train-eval-every")
                with gr.Row():
                    dropout = gr.Textbox("", label="Dropout", placeholder="default: the model's own, 0 from scratch",
                                         max_lines=1)
                    seed = gr.Number(42, label="Seed", precision=0)
                    sample_prompt = gr.Textbox(label="Sample prompt", placeholder="start of the corpus", max_lines=1)
            estimate_box = gr.HTML(elem_id="train-estimate")
            preset_btn = gr.Button("Quick demo preset", size="sm", elem_id="train-preset")
            with gr.Row():
                start = gr.Button("Start training", variant="primary", elem_id="train-start", elem_classes="pg-primary")
                stop = gr.Button("Stop", variant="stop", elem_id="train-stop", interactive=False, elem_classes="pg-primary")
    status = gr.HTML(progress_bar(0, I18N("Ready"), ""), elem_id="train-status")
    with gr.Row():
        log_scale = gr.Checkbox(label="Log scale", value=False, elem_id="train-log", scale=1)
        smoothing = gr.Slider(0, 0.95, value=0.6, step=0.05, label="Smoothing (train loss)", scale=3)
    plot = gr.Plot(charts.loss_chart([]), elem_id="loss-plot", show_label=False)
    samples = gr.Dataframe(headers=SAMPLE_HEADERS, label="Samples", interactive=False,
                           wrap=True, elem_id="train-samples", max_height=300, column_widths=["80px", "100%"])
    download = gr.DownloadButton("Download the trained model (.zip)", visible=False, elem_id="train-download")
    timer = gr.Timer(TICK_SECONDS, active=False)

    def on_source(src):
        return gr.update(visible=src == FINETUNE), gr.update(visible=src == SCRATCH)

    source.change(on_source, source, [finetune_box, scratch_box], queue=False, api_visibility="undocumented")

    def on_defaults(src, base_, size_, lora_):
        d = defaults_for(None if src == SCRATCH else base_, size_ if src == SCRATCH else None, bool(lora_) and src == FINETUNE)
        return d.lr, d.batch_size, d.warmup, d.weight_decay

    gr.on([source.change, base.change, size.change, lora.change], on_defaults, [source, base, size, lora],
          [lr, batch, warmup, weight_decay], queue=False, api_visibility="undocumented")

    def on_corpus_note(request: gr.Request):
        session = ctx.session(request)
        c, lang = session.corpus, session.language
        if c is None:
            return note(tr(lang, "Corpus: the bundled Shakespeare unless you prepare another on the Data tab."), "info")
        return note(tr(lang, "Corpus: {label} — {n} training examples of {block} tokens ({mode}).", label=c.label,
                       n=f"{c.stats.get('train_examples', 0):,}", block=c.block_size, mode=tr(lang, c.mode)), "info")

    def on_preset(request: gr.Request):
        # The preset trains on the bundled corpus: forget what the Data tab prepared.
        session = ctx.session(request)
        session.corpus = None
        gr.Info(tr(session.language, "Quick demo: the tiny model from scratch on the bundled Shakespeare, with a time budget."))
        return [*preset_values(_presets.QUICK_DEMO), on_corpus_note(request)]

    preset_btn.click(on_preset, None, [source, size, tokenizer, max_steps, minutes, lr, batch, eval_every, warmup,
                                       sample_prompt, corpus_note], queue=False, api_name="train_preset")

    form = [source, base, folder, size, tokenizer, max_steps, minutes, lr, batch, epochs, grad_accum, schedule, warmup,
            weight_decay, eval_every, dropout, seed, lora, sample_prompt]

    def on_estimate(request: gr.Request, *values):
        try:
            return estimate_html(ctx, ctx.session(request), *values)
        except (PlaygroundError, ValueError, TypeError):
            return ""  # an unfinished form: Start says what is wrong with it

    gr.on([source.change, base.change, size.change, tokenizer.change, max_steps.change, minutes.change, batch.change,
           grad_accum.change, lora.change, folder.change], on_estimate, form, estimate_box, show_progress="hidden",
          trigger_mode="always_last", api_name="train_estimate")

    def on_start(request: gr.Request, *values):
        session = ctx.session(request)
        if session.job is not None and session.job.snapshot().status in ACTIVE:
            return _refused(ctx, session, tr(session.language, "A training job is already running; stop it first."))
        name = (values[3] if values[0] == SCRATCH else model_label(values[2] or values[1])).replace("/", "-")
        label = f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            config = make_config(ctx, session, *values, output=ctx.runs_root(session) / label)
            if ctx.limits is not None:
                ctx.check_disk()
                config = ctx.limits.apply(config, set(session.models.values()))
        except PlaygroundError as e:
            return _refused(ctx, session, error(session.language, str(e)))
        return begin(ctx, session, label, config)

    start.click(on_start, form, [timer, start, stop, download, plot, samples, status], api_name="train_start",
                concurrency_limit=None)

    def on_stop(request: gr.Request):
        session = ctx.session(request)
        if session.pending is not None:
            ctx.slots.leave(session.id)
            session.pending = None
        if session.job is not None:
            session.job.stop()
        return gr.update(interactive=False), render_status(ctx, session, stopping=session.job is not None)

    stop.click(on_stop, None, [stop, status], api_name="train_stop", queue=False)

    def on_tick(log, smooth_, request: gr.Request):
        session = ctx.session(request)
        _try_start(ctx, session)
        job = session.job
        snap = job.snapshot() if job is not None else None
        finished = session.pending is None and (snap is None or snap.status in ("done", "stopped", "failed"))
        fig = localize_figure(charts.loss_chart(snap.records if snap else [], log_scale=log, smoothing=smooth_),
                              session.language)
        rows = headed(session.language, SAMPLE_HEADERS,
                     [[s["step"], s["sample"]] for s in reversed(snap.samples)] if snap else [])
        if not finished:
            return [fig, rows, render_status(ctx, session), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()]
        ended = [gr.Timer(active=False), gr.update(interactive=True), gr.update(interactive=False)]
        if session.announced is job:  # a late tick after the end was shown: nothing more to do
            return [fig, rows, render_status(ctx, session), *ended, gr.skip(), gr.skip()]
        session.announced = job
        selector, dl, status_html = gr.skip(), gr.update(visible=False), render_status(ctx, session)
        if snap is not None and snap.status in ("done", "stopped") and (Path(snap.output) / "config.json").exists():
            try:
                selector, dl = finished_outputs(ctx, session, Path(snap.output))
            except (PlaygroundError, OSError) as e:
                status_html += note(tr(session.language, "The model is saved in {folder}, but its zip could not be made: "
                                       "{error}", folder=snap.output, error=e), "warn")
        return [fig, rows, status_html, *ended, selector, dl]

    timer.tick(on_tick, [log_scale, smoothing], [plot, samples, status, timer, start, stop, model_select, download],
               api_name="train_tick", show_progress="hidden", concurrency_limit=None)

    def redraw(log, smooth_, request: gr.Request):
        session = ctx.session(request)
        records = session.job.snapshot().records if session.job is not None else []
        return localize_figure(charts.loss_chart(records, log_scale=log, smoothing=smooth_), session.language)

    gr.on([log_scale.change, smoothing.release], redraw, [log_scale, smoothing], plot, show_progress="hidden",
          api_visibility="undocumented")

    def on_load(request: gr.Request):
        """A page opening (or reloading) while a job runs re-attaches to it: live chart, Stop, status."""
        session = ctx.session(request)
        if not ctx.attach(session):
            return (gr.skip(),) * 7
        session.announced = None
        return attached_outputs(ctx, session)

    return {"timer": timer, "corpus_note": corpus_note, "on_corpus_note": on_corpus_note, "base": base,
            "on_load": on_load, "on_estimate": on_estimate, "form": form, "estimate": estimate_box,
            "job_outputs": [timer, start, stop, download, plot, samples, status]}


def begin(ctx: AppContext, session: Session, label: str, config: TrainConfig) -> tuple:
    """Start (or queue) a job for `config`; the Train tab's job outputs for it (also used by the Runs tab's Resume)."""
    session.job, session.job_label, session.pending, session.announced = None, label, config, None
    _try_start(ctx, session)
    return attached_outputs(ctx, session)


def attached_outputs(ctx: AppContext, session: Session) -> tuple:
    """timer, start, stop, download, plot, samples, status for a session following a running (or queued) job."""
    records = session.job.snapshot().records if session.job is not None else []
    samples = headed(session.language, SAMPLE_HEADERS,
                    [[r["step"], r["sample"]] for r in reversed(records) if "sample" in r])
    return (gr.Timer(active=True), gr.update(interactive=False), gr.update(interactive=True), gr.update(visible=False),
            localize_figure(charts.loss_chart(records), session.language), samples, render_status(ctx, session))


def _refused(ctx: AppContext, session: Session, message: str) -> tuple:
    """Start refused: the sentence stays in the status box; the chart and samples keep what they showed."""
    return (gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(),
            progress_bar(0, tr(session.language, "Not started"), "") + note(message, "error"))


def finished_outputs(ctx: AppContext, session: Session, folder: Path) -> tuple:
    """The model selector and download button once a run's model is saved: selected everywhere, zip offered."""
    value = str(folder)
    if ctx.hosted:  # the page sees the run's label, never the server's folder
        session.models[session.job_label] = str(folder)
        value = session.job_label
    selector = gr.update(choices=ctx.model_choices(session), value=value)
    return selector, gr.update(value=str(runs_lib.zip_run(folder, redact=ctx.hosted)), visible=True)


def estimate_html(ctx: AppContext, session: Session, source, base, folder, size, tokenizer, max_steps, minutes, lr,
                  batch, epochs, grad_accum, schedule, warmup, weight_decay, eval_every, dropout, seed, lora,
                  sample_prompt) -> str:
    """The expected speed and duration of the form's run on this machine, before Start."""
    from playground.estimate import estimate

    c = session.corpus
    scratch = size if source == SCRATCH else None
    model = None if scratch else ((folder or "").strip() if folder and not ctx.hosted else base)
    d = defaults_for(None if scratch else model, scratch)
    vocab = parse_tokenizer_spec(tokenizer) if scratch else None
    block = c.block_size if c is not None else d.block_size
    e = estimate(model=model, scratch=scratch, vocab=vocab or (50257 if scratch else None), block=block,
                 batch=int(batch or d.batch_size), grad_accum=int(grad_accum or 1), max_steps=_number(max_steps, int),
                 max_minutes=_number(minutes), lora=bool(lora) and not scratch)
    described = " · ".join(tr(session.language, bit) for bit in e.describe().split(" · "))
    return note(tr(session.language, "Expected here: {estimate} (an estimate; preparing the corpus and evaluations come "
                   "on top).", estimate=described), "info")


def preset_values(preset: dict) -> list:
    """A preset dict (playground.presets) as the form's values; unset keys take the size's defaults."""
    scratch = preset.get("scratch")
    d = defaults_for(preset.get("model"), scratch, bool(preset.get("lora")))
    return [SCRATCH if scratch else FINETUNE, scratch or "tiny", preset.get("tokenizer", "gpt2"),
            preset.get("max_steps") or 0, preset.get("max_minutes") or 0, preset.get("lr") or d.lr,
            preset.get("batch_size") or d.batch_size, preset.get("eval_every") or 0,
            d.warmup if preset.get("warmup") is None else preset["warmup"], preset.get("sample_prompt") or ""]


def _try_start(ctx: AppContext, session: Session) -> None:
    """Start the session's pending job when a training slot is free (always, locally); otherwise queue it."""
    if session.pending is None:
        return
    with ctx.start_lock:  # one start decision at a time across sessions
        if ctx.slots.may_start(session.id, ctx.running_jobs()):
            config, session.pending = session.pending, None
            from playground.training import TrainingJob  # Trainer's import costs seconds: load it on first use

            ctx.add_job(session, session.job_label, TrainingJob(config).start())
        else:
            ctx.slots.enqueue(session.id)


def render_status(ctx: AppContext, session: Session, stopping: bool = False) -> str:
    lang = session.language
    if session.pending is not None:
        pos = ctx.slots.position(session.id) or 1
        return progress_bar(0, tr(lang, "Waiting for the training slot — position {pos} in the queue", pos=pos),
                            tr(lang, "one job at a time here; Generate and the lab still work"))
    job = session.job
    if job is None:
        return progress_bar(0, tr(lang, "Ready"), "")
    s = job.snapshot()
    last = next((r for r in reversed(s.records) if "train_loss" in r), {})
    lastval = next((r for r in reversed(s.records) if "val_loss" in r), {})
    bits = []
    if s.max_steps:
        bits.append(tr(lang, "step {step} / {max}", step=f"{s.step:,}", max=f"{s.max_steps:,}"))
    elif s.step:
        bits.append(tr(lang, "step {step}", step=f"{s.step:,}"))
    if last.get("learning_rate") is not None:
        bits.append(tr(lang, "lr {lr}", lr=f"{last['learning_rate']:.2e}"))
    if last.get("tokens_per_second"):
        bits.append(tr(lang, "{n} tokens/s", n=f"{last['tokens_per_second']:,.0f}"))
    if lastval:
        bits.append(tr(lang, "val loss {loss} (ppl {ppl})", loss=f"{lastval['val_loss']:.3f}",
                       ppl=f"{lastval['val_perplexity']:.1f}"))
    bits.append(tr(lang, "elapsed {t}", t=fmt_seconds(s.elapsed)))
    if s.eta is not None:
        bits.append(tr(lang, "ETA {t}", t=fmt_seconds(s.eta)))
    word = tr(lang, "Stopping after this step…" if stopping and s.running else STATUS_WORDS.get(s.status, s.status))
    state = {"done": "done", "stopped": "stopped", "failed": "failed"}.get(s.status, "run")
    html_ = progress_bar(s.progress, f"{word} · {session.job_label}", " · ".join(bits), state)
    if s.status == "failed":
        html_ += note(error(lang, s.message), "error")
    elif s.status in ("done", "stopped"):
        where = "" if ctx.hosted else " " + tr(lang, "Saved in {folder}.", folder=s.output)
        after = tr(lang, "It is now the selected model on every tab and can be downloaded below.")
        html_ += note(f"{tr(lang, s.message)} {after}{where}", "ok")
    if job.notice and s.status != "failed":
        html_ += note(job.notice, "info")
    return html_
