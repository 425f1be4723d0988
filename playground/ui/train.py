"""Train tab: fine-tune a model or train one from scratch, with a live loss chart refreshed by a gr.Timer.

The job is the engine's TrainingJob (its own thread, stop flag and metrics); this tab only builds a
TrainConfig from the form, starts the job, and draws `job.snapshot()` every 1.5 s while it runs. When
the job ends, the model is selected on every tab and its zip (built once, playground.runs.zip_run) is
offered for download. Errors stay in the status box until the next action.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from playground import charts
from playground import presets as _presets
from playground import runs as runs_lib
from playground.assets import BUNDLED_CORPORA
from playground.errors import PlaygroundError
from playground.models import SCRATCH_SIZES, model_label
from playground.tokenization import parse_tokenizer_spec
from playground.train_config import SizeDefaults, TrainConfig, defaults_for
from playground.ui.common import fmt_seconds, note, progress_bar
from playground.ui.forms import Form, bind
from playground.ui.i18n import I18N, error, headed, localize_figure, tr
from playground.ui.sessions import Session
from playground.ui.state import ACTIVE, AppContext
from playground.values import number
from playground.ui.train_form import (FINETUNE, MAIN, OPENING, SCRATCH, SOURCES, advanced_fields, component, config_values,
                                      form_defaults, shown, size_label)

if TYPE_CHECKING:  # playground.training imports torch: the page loads before it (playground.ui.engine)
    from playground.training import JobSnapshot

TICK_SECONDS = 1.5
SAMPLE_HEADERS = ["step", "sample generated at this evaluation"]
TOKENIZERS = [("BPE trained on the corpus: 1 024 tokens", "bpe:1024"), ("BPE trained on the corpus: 2 048", "bpe:2048"),
              ("BPE trained on the corpus: 4 000", "bpe:4000"), ("BPE trained on the corpus: 8 000", "bpe:8000"),
              ("GPT-2's BPE (50 257 tokens: a big, slow output layer)", "gpt2")]
STATUS_WORDS = {"idle": "Starting…", "preparing": "Preparing the corpus and model…", "training": "Training",
                "saving": "Saving the model…", "done": "Finished", "stopped": "Stopped", "failed": "Failed"}


def tokenizer_choices(*extra: str) -> list[tuple[str, str]]:
    """The tokenizer list, with any other spec a recipe or preset uses (bpe:N) added so it can be shown."""
    known = {value for _, value in TOKENIZERS}
    return TOKENIZERS + [(f"BPE trained on the corpus: {v.split(':')[1]}", v) for v in dict.fromkeys(extra)
                         if v and v not in known]


def _tokenizer_update(spec: str):
    """The tokenizer list showing `spec` (a fine-tuned model keeps its own: the list, hidden then, stays)."""
    return gr.update(choices=tokenizer_choices(spec), value=spec) if spec else gr.skip()


def make_config(ctx: AppContext, session: Session, form: dict, output: Path) -> TrainConfig:
    """The TrainConfig the named form describes, on the corpus the Data tab prepared (else the bundled one)."""
    c = session.corpus
    if c is None:  # nothing prepared on the Data tab: the first bundled corpus as it comes
        train, val = next(iter(BUNDLED_CORPORA.values()))
        corpus = dict(corpus=[str(train)], val_files=[str(val)])
    else:
        corpus = dict(corpus=c.files, val_files=c.val_files, cleaning=c.cleaning, text_field=c.text_field,
                      block_size=c.block_size, stride=c.stride, line_by_line=c.mode == "lines",
                      val_fraction=c.val_fraction)
        if c.dataset is not None:  # a dataset (Hub name or folder) instead of files
            corpus |= dict(dataset=c.dataset.name, dataset_config=c.dataset.config, dataset_split=c.dataset.split,
                           dataset_max_chars=c.dataset.max_chars)
    source = form.get("source")
    if source not in (FINETUNE, SCRATCH):
        raise PlaygroundError(f"Model must be '{FINETUNE}' (fine-tune a model) or '{SCRATCH}' (train from scratch), "
                              f"not '{source}'.")
    if source == FINETUNE:
        folder = str(form.get("folder") or "").strip()
        which = dict(model=ctx.check_model(session, folder if folder and not ctx.hosted else form.get("base")),
                     lora=bool(form.get("lora")))
    else:
        which = dict(scratch=form.get("scratch"), tokenizer=form.get("tokenizer") or None)
    settings = {k: v for k, v in config_values(form).items() if k not in ("model", "scratch", "tokenizer", "lora")}
    values = {k: v for k, v in {**settings, **corpus, **which}.items() if v is not None}
    if values.get("tokenizer") is None:
        values.pop("tokenizer", None)
    return TrainConfig.from_dict(values | {"output": str(output)})


def run_label(form: dict) -> str:
    """The run's folder name: the size or the base model, then the time."""
    if form.get("source") == SCRATCH:
        name = str(form.get("scratch") or "run")
    else:
        name = model_label(str(form.get("folder") or "").strip() or str(form.get("base") or "run"))
    return f"{name.replace('/', '-')}-{time.strftime('%Y%m%d-%H%M%S')}"


def build(ctx: AppContext, model_select: gr.Dropdown) -> dict:
    gr.Markdown("Fine-tune a pretrained GPT-2 on the corpus from the Data tab, or train a small one from scratch. "
                "Watch the loss fall: **train loss** is measured on the batches the model learns from, **val loss** "
                "on text it never sees — when val loss stops falling while train loss keeps going, it is memorising.")
    opening = form_defaults(OPENING["source"], None, OPENING["scratch"]) | OPENING
    with gr.Row(equal_height=False):
        with gr.Column(scale=4):
            source = gr.Radio(SOURCES, value=opening["source"], label="Model", elem_id="train-source")
            with gr.Group(visible=opening["source"] == FINETUNE) as finetune_box:
                base = gr.Dropdown(ctx.model_choices(None), value=ctx.default, label="Start from", elem_id="train-base")
                folder = gr.Textbox("", label="…or a local model folder", placeholder="/path/to/model", max_lines=1,
                                    visible=not ctx.hosted, elem_id="train-folder")
                lora = gr.Checkbox(label="LoRA: train small adapters instead of every weight", value=False,
                                   elem_id="train-lora")
            with gr.Group(visible=opening["source"] == SCRATCH) as scratch_box:
                size = gr.Dropdown([(size_label(k), k) for k in SCRATCH_SIZES], value=opening["scratch"], label="Size",
                                   elem_id="train-size")
                tokenizer = gr.Dropdown(tokenizer_choices(opening["tokenizer"]), value=opening["tokenizer"],
                                        label="Tokenizer", elem_id="train-tokenizer")
            corpus_note = gr.HTML(note(I18N("Corpus: the bundled Shakespeare unless you prepare another on the Data tab."), "info"))
            if ctx.limits is not None:
                gr.HTML(note(ctx.limits.describe(), "info"), elem_id="train-limits")
        with gr.Column(scale=5):
            settings = {}
            for pair in (MAIN[:2], MAIN[2:]):
                with gr.Row():
                    settings |= {name: component(name, opening[name]) for name in pair}
            with gr.Accordion("Advanced", open=False):
                more = advanced_fields()
                for i in range(0, len(more), 3):
                    with gr.Row():
                        settings |= {name: component(name, opening[name]) for name in more[i:i + 3]}
            estimate_box = gr.HTML(elem_id="train-estimate")
            preset_btn = gr.Button("Quick demo preset", size="sm", elem_id="train-preset")
            with gr.Row():
                start = gr.Button("Start training", variant="primary", elem_id="train-start", elem_classes="pg-primary")
                stop = gr.Button("Stop", variant="stop", elem_id="train-stop", interactive=False, elem_classes="pg-primary")
    status = gr.HTML(progress_bar(0, I18N("Ready"), ""), elem_id="train-status")
    with gr.Row():
        log_scale = gr.Checkbox(label="Log scale", value=False, elem_id="train-log", scale=1)
        per_char = gr.Checkbox(label="Val loss per character", value=False, elem_id="train-per-char", scale=1,
                               info="compares runs with different tokenizers")
        smoothing = gr.Slider(0, 0.95, value=0.6, step=0.05, label="Smoothing (train loss)", scale=3)
    plot = gr.Plot(charts.loss_chart([]), elem_id="loss-plot", show_label=False)
    samples = gr.Dataframe(headers=SAMPLE_HEADERS, label="Samples", interactive=False,
                           wrap=True, elem_id="train-samples", max_height=300, column_widths=["80px", "100%"])
    download = gr.DownloadButton("Download the trained model (.zip)", visible=False, elem_id="train-download")
    timer = gr.Timer(TICK_SECONDS, active=False)

    form = Form(source=source, base=base, folder=folder, lora=lora, scratch=size, tokenizer=tokenizer, **settings)
    job_outputs = [timer, start, stop, download, plot, samples, status]

    def on_source(src):
        return gr.update(visible=src == FINETUNE), gr.update(visible=src == SCRATCH)

    source.change(on_source, source, [finetune_box, scratch_box], queue=False, api_visibility="undocumented")

    # A new model choice brings its recipe: every setting the size (or base model) has a default for.
    recipe = [f.name for f in dataclasses.fields(SizeDefaults) if f.name in form.fields]

    def on_defaults(src, base_, size_, lora_):
        d = form_defaults(src, base_, size_, bool(lora_))
        return [_tokenizer_update(d["tokenizer"]) if name == "tokenizer" else d[name] for name in recipe]

    gr.on([source.change, base.change, size.change, lora.change], on_defaults, [source, base, size, lora],
          [form.fields[name] for name in recipe], queue=False, api_visibility="undocumented")

    def on_corpus_note(request: gr.Request):
        session = ctx.session(request)
        c, lang = session.corpus, session.language
        if c is None:
            return note(tr(lang, "Corpus: the bundled Shakespeare unless you prepare another on the Data tab."), "info")
        return note(tr(lang, "Corpus: {label} — {n} training examples of {block} tokens ({mode}).", label=c.label,
                       n=f"{c.stats.get('train_examples', 0):,}", block=c.block_size, mode=tr(lang, c.mode)), "info")

    preset_names = ["source", "scratch", "tokenizer", *settings]

    def on_preset(request: gr.Request):
        # The preset trains on the bundled corpus: forget what the Data tab prepared.
        session = ctx.session(request)
        session.corpus = None
        demo = _presets.quick_demo()  # measures this machine first (about a second): what fits its two minutes
        gr.Info(tr(session.language, "Quick demo: the tiny model from scratch on the bundled Shakespeare, with a time budget."))
        values = preset_values(demo.settings)
        chose = note(demo.describe(lambda text: tr(session.language, text)), "info")
        return [_tokenizer_update(values["tokenizer"]) if n == "tokenizer" else values[n] for n in preset_names] + [
            on_corpus_note(request) + chose]

    # Queued (not queue=False): it measures the machine, which takes a second and the engine's libraries.
    preset_btn.click(on_preset, None, [form.fields[n] for n in preset_names] + [corpus_note], api_name="train_preset")

    def on_estimate(ctx_, session, values):
        try:
            return estimate_html(ctx_, session, values)
        except (PlaygroundError, ValueError, TypeError):
            return ""  # an unfinished form: Start says what is wrong with it

    estimate_event = bind(ctx, on_estimate, form)
    gr.on([source.change, base.change, size.change, tokenizer.change, lora.change, folder.change,
           *(form.fields[n].change for n in ("max_steps", "max_minutes", "batch_size", "grad_accum"))],
          estimate_event, form.inputs, estimate_box, show_progress="hidden", trigger_mode="always_last",
          api_name="train_estimate")

    def on_start(ctx_, session, values):
        """Start training with the form's settings (by name: source, base, folder, lora, scratch, tokenizer,
        and TrainConfig's fields)."""
        if session.job is not None and session.job.snapshot().status in ACTIVE:
            return _refused(ctx_, session, tr(session.language, "A training job is already running; stop it first."))
        label = run_label(values)
        try:
            config = make_config(ctx_, session, values, output=ctx_.runs_root(session) / label)
            if ctx_.limits is not None:
                ctx_.check_disk()
                config = ctx_.limits.apply(config, set(session.models.values()))
        except PlaygroundError as e:
            return _refused(ctx_, session, error(session.language, str(e)))
        return begin(ctx_, session, label, config)

    start.click(bind(ctx, on_start, form), form.inputs, job_outputs, api_name="train_start", concurrency_limit=None)

    def on_stop(request: gr.Request):
        session = ctx.session(request)
        if session.pending is not None:
            ctx.slots.leave(session.id)
            session.pending = None
        if session.job is not None:
            session.job.stop()
        return gr.update(interactive=False), render_status(ctx, session, stopping=session.job is not None)

    stop.click(on_stop, None, [stop, status], api_name="train_stop", queue=False)

    def on_tick(log_scale, per_char, smoothing, request: gr.Request):
        session = ctx.session(request)
        try:
            smooth = number("Smoothing", smoothing, lo=0, hi=0.95)
        except PlaygroundError as e:
            return [gr.skip(), gr.skip(), note(error(session.language, str(e)), "error"), *[gr.skip()] * 5]
        _try_start(ctx, session)
        job = session.job
        snap = job.snapshot() if job is not None else None
        finished = session.pending is None and (snap is None or snap.status in ("done", "stopped", "failed"))
        fig = localize_figure(charts.loss_chart(snap.records if snap else [], log_scale=bool(log_scale), smoothing=smooth,
                                                per_char=bool(per_char)), session.language)
        rows = headed(session.language, SAMPLE_HEADERS,
                     [[s["step"], s["sample"]] for s in reversed(snap.samples)] if snap else [])
        # The status is written from the same snapshot that decided "finished": a second one could already read
        # "Finished" on a tick that does not yet send the model to the selector.
        status_html = render_status(ctx, session, snap=snap)
        if not finished:
            return [fig, rows, status_html, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()]
        ended = [gr.Timer(active=False), gr.update(interactive=True), gr.update(interactive=False)]
        if session.announced is job:  # a late tick after the end was shown: nothing more to do
            return [fig, rows, status_html, *ended, gr.skip(), gr.skip()]
        session.announced = job
        selector, dl = gr.skip(), gr.update(visible=False)
        if snap is not None and snap.status in ("done", "stopped") and (Path(snap.output) / "config.json").exists():
            try:
                selector, dl = finished_outputs(ctx, session, Path(snap.output))
            except (PlaygroundError, OSError) as e:
                status_html += note(tr(session.language, "The model is saved in {folder}, but its zip could not be made: "
                                       "{error}", folder=snap.output, error=e), "warn")
        return [fig, rows, status_html, *ended, selector, dl]

    timer.tick(on_tick, [log_scale, per_char, smoothing], [plot, samples, status, timer, start, stop, model_select, download],
               api_name="train_tick", show_progress="hidden", concurrency_limit=None)

    def redraw(log_scale, per_char, smoothing, request: gr.Request):
        session = ctx.session(request)
        records = session.job.snapshot().records if session.job is not None else []
        smooth = number("Smoothing", smoothing, lo=0, hi=0.95)
        return localize_figure(charts.loss_chart(records, log_scale=bool(log_scale), smoothing=smooth,
                                                 per_char=bool(per_char)), session.language)

    gr.on([log_scale.change, per_char.change, smoothing.input], redraw, [log_scale, per_char, smoothing], plot,
          show_progress="hidden",
          api_visibility="undocumented")

    def on_load(request: gr.Request):
        """A page opening (or reloading) while a job runs re-attaches to it: live chart, Stop, status."""
        session = ctx.session(request)
        if not ctx.attach(session):
            return (gr.skip(),) * len(job_outputs)
        session.announced = None
        return attached_outputs(ctx, session)

    return {"timer": timer, "corpus_note": corpus_note, "on_corpus_note": on_corpus_note, "base": base,
            "on_load": on_load, "estimate_event": estimate_event, "form": form, "estimate": estimate_box,
            "job_outputs": job_outputs}


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


def estimate_html(ctx: AppContext, session: Session, form: dict) -> str:
    """The expected speed and duration of the form's run on this machine, before Start."""
    from playground.estimate import estimate

    c = session.corpus
    values = config_values(form)
    scratch = form.get("scratch") if form.get("source") == SCRATCH else None
    folder = str(form.get("folder") or "").strip()
    model = None if scratch else (folder if folder and not ctx.hosted else form.get("base"))
    lora = bool(form.get("lora")) and not scratch
    d = defaults_for(None if scratch else model, scratch, lora)
    vocab = parse_tokenizer_spec(form.get("tokenizer") or getattr(d, "tokenizer", "gpt2")) if scratch else None
    block = c.block_size if c is not None else d.block_size
    e = estimate(model=model, scratch=scratch, vocab=vocab or (50257 if scratch else None), block=block,
                 batch=values.get("batch_size") or d.batch_size, grad_accum=values.get("grad_accum") or 1,
                 max_steps=values.get("max_steps"), max_minutes=values.get("max_minutes"), lora=lora)
    described = " · ".join(tr(session.language, bit) for bit in e.describe().split(" · "))
    return note(tr(session.language, "Expected here: {estimate} (an estimate; preparing the corpus and evaluations come "
                   "on top).", estimate=described), "info")


def preset_values(preset: dict) -> dict:
    """A preset (playground.presets: TrainConfig field values) as the form's named values; what it leaves unset
    takes the model's recipe, as for a run typed on the command line."""
    scratch = preset.get("scratch")
    source = SCRATCH if scratch else FINETUNE
    values = form_defaults(source, preset.get("model"), scratch, bool(preset.get("lora")))
    values |= {name: shown(name, value) for name, value in preset.items() if name in values and value is not None}
    return values | {"source": source, "scratch": scratch or "tiny"}


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


def render_status(ctx: AppContext, session: Session, stopping: bool = False,
                  snap: JobSnapshot | None = None) -> str:
    """The Train tab's status: the queue, or the job's progress and end (`snap`: a snapshot the caller already took)."""
    lang = session.language
    if session.pending is not None:
        pos = ctx.slots.position(session.id) or 1
        return progress_bar(0, tr(lang, "Waiting for the training slot — position {pos} in the queue", pos=pos),
                            tr(lang, "one job at a time here; Generate and the lab still work"))
    job = session.job
    if job is None:
        return progress_bar(0, tr(lang, "Ready"), "")
    s = snap if snap is not None else job.snapshot()
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
        if lastval.get("val_nats_per_char") is not None:
            bits.append(tr(lang, "{n} nats/char", n=f"{lastval['val_nats_per_char']:.3f}"))
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
