"""Train tab: fine-tune a model or train one from scratch, with a live loss chart refreshed by a gr.Timer.

The job is the engine's TrainingJob (its own thread, stop flag and metrics); this tab only builds a
TrainConfig from the form, starts the job, and draws `job.snapshot()` every 1.5 s while it runs.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import gradio as gr

from playground import charts
from playground.assets import BUNDLED_CORPORA
from playground.errors import PlaygroundError
from playground.models import SCRATCH_SIZES, model_label
from playground.train_config import TrainConfig, defaults_for
from playground.ui.common import fmt_seconds, note, progress_bar
from playground.ui.state import AppContext, Session

TICK_SECONDS = 1.5
FINETUNE, SCRATCH = "Fine-tune a model", "Train from scratch"
TOKENIZERS = [("GPT-2's BPE (50 257 tokens)", "gpt2"), ("BPE trained on the corpus: 1 000", "bpe:1000"),
              ("BPE trained on the corpus: 4 000", "bpe:4000"), ("BPE trained on the corpus: 8 000", "bpe:8000")]
STATUS_WORDS = {"idle": "Starting…", "preparing": "Preparing the corpus and model…", "training": "Training",
                "saving": "Saving the model…", "done": "Finished", "stopped": "Stopped", "failed": "Failed"}

try:  # the quick-demo preset (issue 5) lives in the engine once it lands
    from playground import presets as _presets
except ImportError:  # pragma: no cover - depends on the checkout
    _presets = None


def zip_model(folder: Path) -> Path:
    """The trained model as a zip (weights, tokenizer, metrics), without the resumable checkpoints."""
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not rel.parts[0].startswith(("checkpoint-", ".")):
                z.write(path, Path(folder.name) / rel)
    return target


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
    with gr.Row(equal_height=False):
        with gr.Column(scale=4):
            source = gr.Radio([FINETUNE, SCRATCH], value=SCRATCH, label="Model", elem_id="train-source")
            with gr.Group(visible=False) as finetune_box:
                base = gr.Dropdown(ctx.model_choices(None), value=ctx.default, label="Start from", elem_id="train-base")
                folder = gr.Textbox(label="…or a local model folder", placeholder="/path/to/model", max_lines=1,
                                    visible=not ctx.hosted)
                lora = gr.Checkbox(label="LoRA: train small adapters instead of every weight", value=False)
            with gr.Group(visible=True) as scratch_box:
                size = gr.Dropdown([(f"{k} — {v.n_layer} layers × {v.n_embd} wide ({v.note})", k) for k, v in SCRATCH_SIZES.items()],
                                   value="tiny", label="Size", elem_id="train-size")
                tokenizer = gr.Dropdown(TOKENIZERS, value="gpt2", label="Tokenizer", elem_id="train-tokenizer")
            corpus_note = gr.HTML(note("Corpus: the bundled Shakespeare unless you prepare another on the Data tab.", "info"))
        with gr.Column(scale=5):
            d = defaults_for(None, "tiny")
            with gr.Row():
                max_steps = gr.Number(200, label="Max steps (0 = by epochs)", precision=0, minimum=0, elem_id="train-steps")
                minutes = gr.Number(0, label="Time budget, minutes (0 = none)", minimum=0, elem_id="train-minutes")
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
            preset_btn = gr.Button("Quick demo preset", visible=_presets is not None, size="sm", elem_id="train-preset")
            with gr.Row():
                start = gr.Button("Start training", variant="primary", elem_id="train-start", elem_classes="pg-primary")
                stop = gr.Button("Stop", variant="stop", elem_id="train-stop", interactive=False, elem_classes="pg-primary")
    status = gr.HTML(progress_bar(0, "Ready", ""), elem_id="train-status")
    with gr.Row():
        log_scale = gr.Checkbox(label="Log scale", value=False, elem_id="train-log", scale=1)
        smoothing = gr.Slider(0, 0.95, value=0.6, step=0.05, label="Smoothing (train loss)", scale=3)
    plot = gr.Plot(charts.loss_chart([]), elem_id="loss-plot", show_label=False)
    samples = gr.Dataframe(headers=["step", "sample generated at this evaluation"], label="Samples", interactive=False,
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
        c = ctx.session(request).corpus
        if c is None:
            return note("Corpus: the bundled Shakespeare unless you prepare another on the Data tab.", "info")
        return note(f"Corpus: {c.label} — {c.stats.get('train_examples', 0):,} training examples of "
                    f"{c.block_size} tokens ({c.mode}).", "info")

    def on_preset(request: gr.Request):
        # The preset trains on the bundled corpus: forget what the Data tab prepared.
        ctx.session(request).corpus = None
        gr.Info("Quick demo: the tiny model from scratch on the bundled Shakespeare, with a time budget.")
        return [*preset_values(_presets.QUICK_DEMO), on_corpus_note(request)]

    if _presets is not None:
        preset_btn.click(on_preset, None, [source, size, tokenizer, max_steps, minutes, lr, batch, eval_every, warmup,
                                           sample_prompt, corpus_note], queue=False, api_name="train_preset")

    form = [source, base, folder, size, tokenizer, max_steps, minutes, lr, batch, epochs, grad_accum, schedule, warmup,
            weight_decay, eval_every, dropout, seed, lora, sample_prompt]

    def on_start(request: gr.Request, *values):
        session = ctx.session(request)
        if session.job is not None and session.job.snapshot().status in ("idle", "preparing", "training", "saving"):
            raise gr.Error("A training job is already running; stop it first.", print_exception=False)
        name = (values[3] if values[0] == SCRATCH else model_label(values[2] or values[1])).replace("/", "-")
        label = f"{name}-{time.strftime('%H%M%S')}"
        try:
            config = make_config(ctx, session, *values, output=session.workdir / label)
        except PlaygroundError as e:
            raise gr.Error(str(e), title="Cannot start", print_exception=False) from None
        session.job, session.job_label, session.pending = None, label, config
        _try_start(ctx, session)
        return (gr.Timer(active=True), gr.update(interactive=False), gr.update(interactive=True), gr.update(visible=False),
                charts.loss_chart([]), [], render_status(ctx, session))

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
        fig = charts.loss_chart(snap.records if snap else [], log_scale=log, smoothing=smooth_)
        rows = [[s["step"], s["sample"]] for s in reversed(snap.samples)] if snap else []
        outputs = [fig, rows, render_status(ctx, session)]
        if not finished:
            return outputs + [gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()]
        selector, dl = gr.skip(), gr.update(visible=False)
        if snap is not None and snap.status in ("done", "stopped") and (Path(snap.output) / "config.json").exists():
            session.models[session.job_label] = snap.output
            selector = gr.update(choices=ctx.model_choices(session), value=snap.output)
            dl = gr.update(value=str(zip_model(Path(snap.output))), visible=True)
            gr.Info(f"{session.job_label} is ready: it is now the selected model on every tab.", duration=6)
        elif snap is not None and snap.status == "failed":
            gr.Warning(snap.message)
        return outputs + [gr.Timer(active=False), gr.update(interactive=True), gr.update(interactive=False), selector, dl]

    timer.tick(on_tick, [log_scale, smoothing], [plot, samples, status, timer, start, stop, model_select, download],
               api_name="train_tick", show_progress="hidden", concurrency_limit=None)

    def redraw(log, smooth_, request: gr.Request):
        session = ctx.session(request)
        records = session.job.snapshot().records if session.job is not None else []
        return charts.loss_chart(records, log_scale=log, smoothing=smooth_)

    gr.on([log_scale.change, smoothing.release], redraw, [log_scale, smoothing], plot, show_progress="hidden",
          api_visibility="undocumented")

    return {"timer": timer, "corpus_note": corpus_note, "on_corpus_note": on_corpus_note, "base": base}


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

            session.job = TrainingJob(config).start()
        else:
            ctx.slots.enqueue(session.id)


def render_status(ctx: AppContext, session: Session, stopping: bool = False) -> str:
    if session.pending is not None:
        pos = ctx.slots.position(session.id) or 1
        return progress_bar(0, f"Waiting for the training slot — position {pos} in the queue",
                            "one job at a time here; Generate and the lab still work")
    job = session.job
    if job is None:
        return progress_bar(0, "Ready", "")
    s = job.snapshot()
    last = next((r for r in reversed(s.records) if "train_loss" in r), {})
    lastval = next((r for r in reversed(s.records) if "val_loss" in r), {})
    bits = []
    if s.max_steps:
        bits.append(f"step {s.step:,} / {s.max_steps:,}")
    elif s.step:
        bits.append(f"step {s.step:,}")
    if last.get("learning_rate") is not None:
        bits.append(f"lr {last['learning_rate']:.2e}")
    if last.get("tokens_per_second"):
        bits.append(f"{last['tokens_per_second']:,.0f} tokens/s")
    if lastval:
        bits.append(f"val loss {lastval['val_loss']:.3f} (ppl {lastval['val_perplexity']:.1f})")
    bits.append(f"elapsed {fmt_seconds(s.elapsed)}")
    if s.eta is not None:
        bits.append(f"ETA {fmt_seconds(s.eta)}")
    word = "Stopping after this step…" if stopping and s.running else STATUS_WORDS.get(s.status, s.status)
    state = {"done": "done", "stopped": "stopped", "failed": "failed"}.get(s.status, "run")
    html_ = progress_bar(s.progress, f"{word} · {session.job_label}", " · ".join(bits), state)
    if s.status == "failed":
        html_ += note(s.message, "error")
    elif s.status in ("done", "stopped"):
        where = "" if ctx.hosted else f" Saved in {s.output}."
        html_ += note(f"{s.message} It is in the model selector at the top and can be downloaded below.{where}", "ok")
    return html_
