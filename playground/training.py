"""TrainingJob: one training run of transformers' Trainer, with live metrics, stop and a time budget.

The job owns its thread, its stop flag, its metrics log (`OUTPUT/metrics.jsonl`) and its output folder.
A run goes through four pieces, each its own module:

    train_plan  where it starts and what it will do (steps, evaluations, tokens per step, schedule): pure
    trainer     the Trainer built from the prepared corpus, tokenizer and model, steered by LiveMetrics
    saving      the output folder claimed before training and the model saved into it at the end
    runs        run.json, metrics.jsonl and the one definition of a running run

LiveMetrics (a TrainerCallback) reports to the job through its public methods (record, sample, at_step,
ending, diverge, stop_requested) and stops training by setting Trainer's control flags.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import TrainerCallback

from playground import corpus as corpus_lib
from playground import corpus_files
from playground import tracking
from playground.dataset_corpus import load_dataset_corpus
from playground.errors import PlaygroundError
from playground.estimate import threads_now
from playground.memo import torch_threads
from playground.models import load_model, weights_are_finite
from playground.runs import (
    METRICS_FILE, RUNNING, is_running, keep_metrics_until, last_checkpoint, read_metrics, read_status, write_status,
)
from playground import output_lock
from playground.resume import check_resume
from playground.saving import claim_output, remove_unstarted, save_final
from playground.scratch import dropouts, new_model, scratch_tokenizer
from playground.train_config import TrainConfig
from playground.train_plan import RunPlan, Start, eval_subset, fit_batch, lr_multiplier, plan_run, where_to_start
from playground.trainer import Prepared, build_trainer, main_process_first, sample_text, with_lora

MAX_SCRATCH_CONTEXT = 1024  # GPT-2's context; a from-scratch model's context is its block size, up to this
__all__ = ["TrainingJob", "JobSnapshot", "lr_multiplier", "last_checkpoint", "read_metrics"]


@dataclass
class JobSnapshot:
    """What a UI reads while a job runs (a copy: safe to keep)."""

    status: str  # idle | preparing | training | saving | done | stopped | failed
    message: str
    step: int
    max_steps: int | None
    progress: float  # 0..1
    elapsed: float
    eta: float | None
    records: list[dict]
    samples: list[dict]
    final: dict
    output: str

    @property
    def running(self) -> bool:
        return is_running(self.status)


class TrainingJob:
    """One training run. `start()` runs it in a background thread; `run()` runs it here.

    `callbacks` are extra TrainerCallbacks (a benchmark's step timer), added beside LiveMetrics.
    """

    def __init__(self, config: TrainConfig, on_record: Callable[[dict], None] | None = None,
                 callbacks: list[TrainerCallback] = ()):
        # The output path is resolved before anything is checked: OUT/x/../../notes is judged (and written) as
        # the notes folder it names, and a symlink as the folder it points to.
        try:
            self.output = Path(config.output).expanduser().resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11; OSError from 3.13)
            raise PlaygroundError(f"The output path '{config.output}' is a symlink loop; choose a real folder.") from None
        # Replaced by the resolved settings (every default filled in) once prepared.
        self.config = dataclasses.replace(config, output=str(self.output))
        self.on_record = on_record
        self.callbacks = list(callbacks)
        self.plan: RunPlan | None = None  # what the run will do, once prepared
        self.prepared: Prepared | None = None
        self.diverged: tuple[int, float] | None = None  # (step, loss) where the loss stopped being finite
        self.notice = ""  # something the user should know that did not stop the run
        self.is_main = int(os.environ.get("RANK", "0")) == 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._records: list[dict] = []
        self._status, self._message = "idle", ""
        self._final: dict = {}
        self._t0 = time.monotonic()
        self._step, self._progress = 0, 0.0
        self._stopped_early = False
        self._elapsed_before = 0.0  # seconds trained before a resume: elapsed time runs on across resumes
        self._started: float | None = None  # wall-clock start, set once the output folder is ours to write

    # ---- control ------------------------------------------------------
    def start(self) -> TrainingJob:
        if self._thread is not None:
            raise PlaygroundError("This training job has already been started; make a new job to train again.")
        self._thread = threading.Thread(target=self._run_quietly, name="training-job", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask training to stop after the current optimizer step; the model so far is saved."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> JobSnapshot:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.snapshot()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            records = [dict(r) for r in self._records]
            status, message, final = self._status, self._message, dict(self._final)
        return JobSnapshot(
            status=status, message=message, step=self._step, max_steps=self.plan.max_steps if self.plan else None,
            progress=1.0 if status == "done" else self._progress, elapsed=self.elapsed(),
            eta=self.eta(self._step) if status == "training" else None,
            records=records, samples=[{"step": r["step"], "sample": r["sample"]} for r in records if "sample" in r],
            final=final, output=str(self.output),
        )

    def elapsed(self) -> float:
        return self._elapsed_before + time.monotonic() - self._t0

    def eta(self, step: int) -> float | None:
        return self.plan.eta(step, self.elapsed()) if self.plan else None

    # ---- what the Trainer's callbacks report and ask (trainer.LiveMetrics) --
    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def step(self) -> int:
        return self._step

    @property
    def progress(self) -> float:
        """The run's progress in [0, 1] after the last optimizer step: it drives the learning-rate schedule."""
        return self._progress

    @property
    def run_name(self) -> str:
        """The run's name in a tracker (--report-to): its folder and wall-clock start, kept across resumes."""
        return tracking.run_name(self.output, self._started or time.time())

    @property
    def reported_to(self) -> str:
        """Where the metrics go besides metrics.jsonl, in one line ("" when reported to none)."""
        return tracking.where_reported(self.config.report_to, self.run_name, self.output)

    def at_step(self, step: int, progress: float) -> None:
        """Optimizer step `step` is done, `progress` of the way through the run."""
        self._step, self._progress = step, progress

    def ending(self, stopped: bool) -> None:
        """Training ends after this step, before its planned end: `stopped` by request, else out of time."""
        self._stopped_early = stopped

    def diverge(self, step: int, loss: float) -> None:
        """The loss stopped being finite at `step` (the first report wins): training stops and fails."""
        if self.diverged is None:
            self.diverged = (step, loss)

    def record(self, rec: dict) -> None:
        """One metrics record: kept for snapshots, appended to metrics.jsonl, passed to on_record."""
        rec = {k: v for k, v in rec.items() if v is not None}
        with self._lock:
            self._records.append(rec)
        with open(self.output / METRICS_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        if self.on_record:
            self.on_record(rec)

    def sample(self, model, tokenizer) -> str:
        """The sample shown at an evaluation: the same prompt and seed every time, so samples compare."""
        if model is None or tokenizer is None or self.prepared is None or not weights_are_finite(model):
            return ""  # non-finite weights cannot be sampled from (the run is diverging: it stops with a sentence)
        run = self.prepared
        return sample_text(model, tokenizer, run.sample_prompt, run.context, self.config.sample_tokens, self.config.seed)

    # ---- the run ------------------------------------------------------
    def _set(self, status: str, message: str = "") -> None:
        with self._lock:
            self._status, self._message = status, message

    def _run_quietly(self) -> None:
        try:
            self.run()
        except PlaygroundError:
            pass  # status and message already set by run()

    def run(self) -> dict:
        """Train to the end (steps, epochs, time budget or stop). Returns the final metrics.

        Called from a program's main thread (the CLI), SIGINT and SIGTERM act like Stop: the model so far
        is saved as a finished folder; a second signal quits at once.
        """
        self._t0 = time.monotonic()
        created = False
        # The run's threads, by default every core this process was given: a serving thread's one-thread setting
        # must not reach training (memo.one_torch_thread). torch's count is per thread: this job's alone.
        torch.set_num_threads(self.config.threads or torch_threads())
        with _signals_stop(self):
            try:
                self._set("preparing", "Preparing the corpus and the model…")
                tracking.check_tracker(self.config.report_to)  # before the folder is touched: a missing package is one sentence
                # Everything that can refuse the run reads only: the folder is written once it is sure to train.
                start = where_to_start(self.output, self.config.resume)
                run = self.prepare(start)
                created = self._claim(start)
                # Measured once the run is sure to train (a refused one pays nothing), just before it does.
                if self.config.threads is None and _probe_threads() and threads_now("cpu", torch_threads()) == 1:
                    torch.set_num_threads(1)  # one thread is faster now: a core is busy with other work
                self._write_status(RUNNING, message="", max_steps=run.plan.max_steps)
                self._set("training", "Training…")
                trainer = build_trainer(self, run)
                for callback in self.callbacks:
                    trainer.add_callback(callback)
                if run.plan.evaluate_first:
                    trainer.evaluate()  # the starting point of the val curve (and "before" for fine-tuning)
                trainer.train(resume_from_checkpoint=str(start.resume_from) if start.resume_from else None)
                if self.diverged is not None:
                    raise PlaygroundError(self._diverged_message())
                final = self._finish(trainer, run)
                status = "stopped" if self._stopped_early else "done"
                message = "Stopped; the model so far is saved." if self._stopped_early else "Training finished."
                self._set(status, message)
                self._write_status(status, message=message, final_metrics=final)
                return final
            except PlaygroundError as e:
                self._fail(str(e), created)
                raise
            except Exception as e:  # noqa: BLE001 - anything else is reported in one sentence and re-raised
                self._fail(f"Training failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", created)
                raise
            except BaseException:  # a second Ctrl-C: say so in run.json, then quit
                self._fail("Interrupted before the model was saved; resume from the last checkpoint.", created)
                raise
            finally:
                if self._started is not None and self.is_main:  # the folder was claimed: this run holds its lock
                    output_lock.release(self.output)

    def _claim(self, start: Start) -> bool:
        """Make the output folder ours (True: this run created it); a resume keeps the metrics up to its checkpoint."""
        self.notice = start.notice
        created = claim_output(self.output, start, self.config.resume) if self.is_main else False  # DDP: main alone
        self._started = time.time()
        if start.resume_from is not None and self.is_main:
            # The records past the checkpoint will be recorded again: drop them, and let elapsed time
            # run on from where the checkpoint left it.
            self._records = keep_metrics_until(self.output, start.resume_step)
            self._elapsed_before = max((r.get("elapsed", 0.0) for r in self._records), default=0.0)
            self._started = read_status(self.output).get("started") or self._started
        if self.notice:
            print(self.notice, file=sys.stderr)
        return created

    def prepare(self, start: Start = Start()) -> Prepared:
        """Load the corpus, the tokenizer and the model, make the examples and plan the run (what run() does
        before it trains); `self.config` becomes the resolved settings."""
        cfg = self.config
        if cfg.dataset_source is not None:  # read by the main process first: the others find it in the cache
            corpus = main_process_first(lambda: load_dataset_corpus(cfg.dataset_source, cfg.cleaning, self.is_main))
        else:
            corpus = corpus_files.load_corpus(cfg.corpus, cfg.cleaning, cfg.text_field)
        val_corpus = corpus_files.load_corpus(cfg.val_files, cfg.cleaning, cfg.text_field) if cfg.val_files else None
        if cfg.model:
            # On resume the Trainer loads the checkpoint's weights (and LoRA adapters) into this model.
            model, tokenizer = load_model(cfg.model, device="cpu", **dropouts(cfg.dropout))
            context = model.config.n_positions
        else:
            tokenizer = scratch_tokenizer(cfg.tokenizer_or_default, corpus, start.resume_from)
            # A new model's context is the block size it trains on: positions it never sees in training
            # would keep random embeddings and spoil generation and perplexity beyond the block.
            model, context = None, MAX_SCRATCH_CONTEXT
        base, asked_batch = cfg.model or cfg.scratch, cfg.batch_size
        cfg = self.config = cfg.resolved(context)
        if model is None:
            context = cfg.block_size
            model = new_model(cfg, tokenizer)
        if cfg.lora:
            model = with_lora(model, cfg)
        if start.resume_from is not None:
            check_resume(start.resume_from, self.output, cfg, model)

        settings = corpus_lib.ExampleSettings(
            mode="lines" if cfg.line_by_line else "blocks", block_size=cfg.block_size, stride=cfg.stride,
            val_fraction=cfg.val_fraction, seed=cfg.seed,
        )
        data = main_process_first(lambda: corpus_lib.prepare(corpus, tokenizer, settings, val_corpus))
        world = int(os.environ.get("WORLD_SIZE", "1"))
        cfg = self.config = fit_batch(cfg, asked_batch, len(data.train), world)
        if (subset := eval_subset(len(data.val), cfg.block_size)) is not None:
            data.val = data.val.select(subset)
        val_tokens, val_characters = corpus_lib.scored_text(data.val, tokenizer, data.mode)
        self.plan = plan_run(cfg, len(data.train), world, start.resume_step)
        prompt = cfg.sample_prompt
        if prompt is None:  # the start of the corpus's first line: text the model will learn to continue
            first = next((ln for ln in corpus.documents[0]["text"].split("\n") if ln.strip()), "")
            prompt = tokenizer.decode(tokenizer(first, add_special_tokens=False).input_ids[:8])
        self.prepared = Prepared(cfg, self.plan, model, tokenizer, data, corpus.content_hash, prompt, base, context,
                                 val_tokens, val_characters)
        return self.prepared

    def _finish(self, trainer, run: Prepared) -> dict:
        self._set("saving", "Saving the model…")
        last = self._records[-1] if self._records else {}
        if "val_loss" not in last or last.get("step") != trainer.state.global_step:
            metrics = trainer.evaluate()  # on_evaluate records it (on the main process)
        else:
            metrics = {"eval_loss": last["val_loss"]}
        val_loss = float(metrics["eval_loss"])
        if self.diverged is not None or not math.isfinite(val_loss):  # the last step's update broke the weights
            self.diverge(trainer.state.global_step, val_loss)
            raise PlaygroundError(self._diverged_message())
        final = {
            "step": trainer.state.global_step,
            "epoch": round(trainer.state.epoch or 0.0, 4),
            "val_loss": val_loss,
            "val_perplexity": math.exp(min(val_loss, 50.0)),
            **run.per_character(val_loss),
            "train_loss": next((r["train_loss"] for r in reversed(self._records) if "train_loss" in r), None),
            "elapsed": round(self.elapsed(), 2),
            "stopped_early": self._stopped_early,
        }
        if trainer.is_world_process_zero():
            model = trainer.model.merge_and_unload() if self.config.lora else trainer.model  # plain GPT-2 weights
            save_final(self.output, model, run.tokenizer, {
                "settings": self.config.to_dict(),
                "base_model": run.base,
                "corpus_hash": run.corpus_hash,
                "corpus_stats": {k: v for k, v in run.data.stats.to_dict().items() if k != "example_lengths"},
                "parameters": sum(p.numel() for p in model.parameters()),
                "context": run.context,
                "vocab_size": len(run.tokenizer),
                "device": trainer.args.device.type,
                "threads": torch.get_num_threads() if trainer.args.device.type == "cpu" else None,
                "precision": "bf16" if trainer.args.bf16 else "fp16" if trainer.args.fp16 else "fp32",
                "sample_prompt": run.sample_prompt,
                "reported_to": tracking.where_reported(self.config.report_to, self.run_name),  # no path: the card shows it
                "final_metrics": final,
                "status": "stopped" if self._stopped_early else "done",
            })
        with self._lock:
            self._final = final
        return final

    def _diverged_message(self) -> str:
        step, loss = self.diverged
        return (f"Training diverged at step {step} (the loss became {loss}); lower the learning rate "
                f"(now {self.config.lr:g}) or the weight decay (now {self.config.weight_decay:g}) and train again.")

    def _write_status(self, status: str, **fields) -> None:
        """run.json: what the Runs panel and a later `train` read about this run (main process only)."""
        if not self.is_main or self._started is None or not self.output.is_dir():
            return  # a refused folder (somebody else's) gets no run.json
        cfg = self.config
        write_status(self.output, status=status, pid=os.getpid(), base=cfg.model or cfg.scratch,
                     started=self._started, settings=cfg.to_dict(), **fields)

    def _fail(self, message: str, created: bool) -> None:
        self._set("failed", message)
        with contextlib.suppress(OSError):
            self._write_status("failed", message=message)
        if created and self.is_main:
            remove_unstarted(self.output)


@contextlib.contextmanager
def _signals_stop(job: TrainingJob):
    """In a program's main thread, SIGINT/SIGTERM ask the job to stop and save; a second one quits now."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        if job.stop_requested:
            raise KeyboardInterrupt
        job.stop()
        print("\nStopping after this step; the model so far will be saved (press Ctrl-C again to quit now).",
              file=sys.stderr)

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def _probe_threads() -> bool:
    """Whether a run left to choose its threads measures one against every core first (two probes, a second or
    two): on a multi-core CPU, in a single process (an accelerate launch splits the cores itself)."""
    from playground.models import pick_device

    return torch_threads() > 1 and int(os.environ.get("WORLD_SIZE", "1")) == 1 and pick_device().type == "cpu"
