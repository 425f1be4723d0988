"""TrainingJob: one training run of transformers' Trainer, with live metrics, stop and a time budget.

The job owns its thread, its stop flag, its metrics log (`OUTPUT/metrics.jsonl`) and its output folder.
A TrainerCallback (LiveMetrics) records every log and evaluation, generates a sample at each evaluation,
and steers training by setting control flags: stop on request or when the time budget runs out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import Trainer, TrainerCallback, TrainingArguments

from playground import corpus as corpus_lib
from playground.errors import PlaygroundError
from playground.runs import (
    FINISHED_FILE, LEFTOVERS, METRICS_FILE, atomic_write, checkpoint_step, keep_metrics_until, last_checkpoint,
    is_running, read_metrics, read_status, write_status,
)
from playground.models import load_model, pick_precision, scratch_model
from playground.optim import build_muon_optimizer
from playground.tokenization import gpt2_tokenizer, load_tokenizer, parse_tokenizer_spec, train_bpe_tokenizer
from playground.train_config import TrainConfig

MAX_SCRATCH_CONTEXT = 1024  # GPT-2's context; a from-scratch model's context is its block size, up to this
UNBOUNDED_STEPS = 10**9  # a time budget alone: the budget, not a step count, ends training
# Every evaluation scores the same evenly spread subset of at most this many validation tokens, so
# evaluations stay a small share of short runs (a 2-minute demo) and every point of the curve is comparable.
MAX_EVAL_TOKENS = 32_768
WSD_DECAY = 0.2  # the share of the run over which the wsd schedule decays (after a flat stretch)
__all__ = ["TrainingJob", "JobSnapshot", "LiveMetrics", "lr_multiplier", "last_checkpoint", "read_metrics"]


# --------------------------------------------------------------------------- schedule


def lr_multiplier(step: int, progress: float, warmup: int, schedule: str) -> float:
    """Learning-rate factor: linear warm-up over `warmup` steps, then decay by overall `progress` in [0, 1].

    linear and cosine decay over the whole run; wsd (warmup-stable-decay) holds the full rate and decays
    linearly to 0 over the last WSD_DECAY of progress; constant does not decay.

    Progress is the larger of step / max_steps and elapsed / time budget, so one schedule serves
    step-bounded and time-bounded runs (transformers' schedulers only know steps).
    """
    warm = min(1.0, (step + 1) / (warmup + 1)) if warmup > 0 else 1.0
    p = min(max(progress, 0.0), 1.0)
    if schedule == "linear":
        decay = 1.0 - p
    elif schedule == "cosine":
        decay = 0.5 * (1.0 + math.cos(math.pi * p))
    elif schedule == "wsd":
        decay = min(1.0, (1.0 - p) / WSD_DECAY)  # stable at the full rate, then linear to 0
    else:
        decay = 1.0
    return warm * decay


class _Trainer(Trainer):
    """Trainer whose scheduler follows the job's progress (steps or time budget, whichever ends first)."""

    lr_lambda: Callable[[int], float]
    on_nonfinite: Callable[[float], None]
    muon_lr: float | None = None  # set: the Muon + AdamW optimizer

    def training_step(self, model, inputs, num_items_in_batch=None):
        loss = super().training_step(model, inputs, num_items_in_batch)
        # A diverging run (too high a learning rate) turns the loss to nan/inf; Trainer would quietly
        # average it away in the logs and train on garbage, so it is caught here, at the step it happens.
        if not torch.isfinite(loss).all():
            self.on_nonfinite(float(loss.detach().float().mean()))
        return loss

    def create_optimizer(self, model=None):
        # --optimizer muon: Muon on the blocks' matrices, AdamW on the rest (playground.optim); else Trainer's AdamW.
        if self.optimizer is None and self.muon_lr is not None:
            self.optimizer = build_muon_optimizer(
                self.model if model is None else model, lr=self.args.learning_rate, muon_lr=self.muon_lr,
                weight_decay=self.args.weight_decay, betas=(self.args.adam_beta1, self.args.adam_beta2),
                eps=self.args.adam_epsilon,
            )
        return super().create_optimizer(model)

    def create_scheduler(self, num_training_steps: int, optimizer=None):
        if self.lr_scheduler is None:
            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer or self.optimizer, self.lr_lambda)
        return self.lr_scheduler


# --------------------------------------------------------------------------- live state


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


class LiveMetrics(TrainerCallback):
    """Records metrics and samples, and sets control flags for stop, time budget and evaluation timing."""

    def __init__(self, job: TrainingJob):
        self.job = job
        self._last_log = (0, time.monotonic())
        self._last_eval_time = time.monotonic()

    def on_train_begin(self, args, state, control, **kwargs):
        # A resumed run starts at its checkpoint's step: tokens/s counts from there, not from step 0.
        self._last_log = (state.global_step, time.monotonic())

    # Training logs: train loss, learning rate, grad norm, throughput, ETA.
    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        if "loss" not in logs or not state.is_world_process_zero:
            return
        job = self.job
        now = time.monotonic()
        last_step, last_t = self._last_log
        steps = max(state.global_step - last_step, 0)
        tps = steps * job.tokens_per_step / max(now - last_t, 1e-9)
        self._last_log = (state.global_step, now)
        job._record({
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "train_loss": logs["loss"],
            "learning_rate": logs.get("learning_rate"),
            "grad_norm": logs.get("grad_norm"),
            "tokens_per_second": round(tps, 1),
            "tokens": state.global_step * job.tokens_per_step,
            "elapsed": round(job.elapsed(), 2),
            "eta": job.eta(state.global_step),
        })

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        self._last_eval_time = time.monotonic()
        if not metrics or "eval_loss" not in metrics or not state.is_world_process_zero:
            return
        loss = metrics["eval_loss"]
        sample = self.job._sample(kwargs.get("model"), kwargs.get("processing_class"))
        self.job._record({
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "val_loss": loss,
            "val_perplexity": math.exp(min(loss, 50.0)),
            "tokens": state.global_step * self.job.tokens_per_step,
            "elapsed": round(self.job.elapsed(), 2),
            "sample": sample,
        })

    def on_step_end(self, args, state, control, **kwargs):
        job = self.job
        stop = job._stop.is_set()
        diverged = job.diverged is not None
        budget_over = job.config.max_minutes is not None and job.elapsed() >= job.config.max_minutes * 60
        evaluate = job.eval_due(state.global_step, self._last_eval_time)
        progress = job.progress_at(state.global_step)
        if args.world_size > 1:
            # Every rank must take the same decisions (evaluation and stopping are collective) and use
            # the same learning rate, so the time-based values are agreed on with one all-reduce.
            flags = torch.tensor([float(stop or budget_over), float(evaluate), progress, float(diverged)])
            torch.distributed.all_reduce(flags, op=torch.distributed.ReduceOp.MAX)
            stop, budget_over, evaluate, progress = bool(flags[0]), False, bool(flags[1]), float(flags[2])
            if flags[3] and job.diverged is None:
                job.diverged = (state.global_step, float("nan"))
            diverged = bool(flags[3])
        job._progress = progress
        job._step = state.global_step
        if diverged:
            # The weights are nan from here on: stop at once, and neither evaluate nor checkpoint them.
            control.should_training_stop = True
            control.should_save = control.should_evaluate = False
        elif stop or budget_over:
            control.should_training_stop = True
            control.should_save = True  # a checkpoint to resume from
            control.should_evaluate = True
            job._stopped_early = stop
        elif evaluate:
            control.should_evaluate = True
            control.should_save = True
        return control


# --------------------------------------------------------------------------- the job


@dataclass
class _Run:
    """What preparation produced: the pieces handed to the Trainer."""

    model: torch.nn.Module
    tokenizer: object
    prepared: corpus_lib.PreparedCorpus
    resume_from: str | None
    max_steps: int
    corpus_hash: str
    sample_prompt: str
    base: str  # the catalog name, folder or scratch size trained from
    context: int  # the model's context length


class TrainingJob:
    """One training run. `start()` runs it in a background thread; `run()` runs it here."""

    def __init__(self, config: TrainConfig, on_record: Callable[[dict], None] | None = None):
        self.config = config
        self.output = Path(config.output).expanduser()
        self.on_record = on_record
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._records: list[dict] = []
        self._status, self._message = "idle", ""
        self._final: dict = {}
        self._t0 = time.monotonic()
        self._step, self._progress = 0, 0.0
        self._max_steps: int | None = None
        self._eval_every: int | None = None
        self._stopped_early = False
        self._elapsed_before = 0.0  # seconds trained before a resume: elapsed time runs on across resumes
        self._resume_from: Path | None = None
        self._started: float | None = None  # wall-clock start, set once the output folder is ours to write
        self.diverged: tuple[int, float] | None = None  # (step, loss) where the loss stopped being finite
        self.notice = ""  # something the user should know that did not stop the run
        self.tokens_per_step = 0
        self.world_size = 1
        self.is_main = int(os.environ.get("RANK", "0")) == 0

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
            status=status, message=message, step=self._step,
            max_steps=self._max_steps if self._max_steps != UNBOUNDED_STEPS else None,
            progress=1.0 if status == "done" else self._progress, elapsed=self.elapsed(),
            eta=self.eta(self._step) if status == "training" else None,
            records=records, samples=[{"step": r["step"], "sample": r["sample"]} for r in records if "sample" in r],
            final=final, output=str(self.output),
        )

    # ---- timing -------------------------------------------------------
    def elapsed(self) -> float:
        return self._elapsed_before + time.monotonic() - self._t0

    def progress_at(self, step: int) -> float:
        p = step / self._max_steps if self._max_steps and self._max_steps != UNBOUNDED_STEPS else 0.0
        if self.config.max_minutes:
            p = max(p, self.elapsed() / (self.config.max_minutes * 60))
        return min(p, 1.0)

    def eta(self, step: int) -> float | None:
        p = self.progress_at(step)
        if p <= 0:
            return None
        return round(self.elapsed() * (1 - p) / p, 1)

    def eval_due(self, step: int, last_eval_time: float) -> bool:
        if self._eval_every:
            return step > 0 and step % self._eval_every == 0
        # Time budget alone: about ten evaluations over the budget.
        return time.monotonic() - last_eval_time >= self.config.max_minutes * 6

    # ---- the run ------------------------------------------------------
    def _set(self, status: str, message: str = "") -> None:
        with self._lock:
            self._status, self._message = status, message

    def _record(self, rec: dict) -> None:
        rec = {k: v for k, v in rec.items() if v is not None}
        with self._lock:
            self._records.append(rec)
        with open(self.output / "metrics.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        if self.on_record:
            self.on_record(rec)

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
        with _signals_stop(self):
            try:
                self._set("preparing", "Preparing the corpus and the model…")
                created = self._check_output()
                self._write_status("running", message="")
                run = self._prepare()
                self._write_status("running", max_steps=self.snapshot().max_steps)
                self._set("training", "Training…")
                trainer = self._trainer(run)
                if not run.resume_from:
                    trainer.evaluate()  # the starting point of the val curve (and "before" for fine-tuning)
                trainer.train(resume_from_checkpoint=run.resume_from)
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
                     started=self._started,
                     settings=cfg.to_dict(), **fields)

    def _fail(self, message: str, created: bool) -> None:
        self._set("failed", message)
        with contextlib.suppress(OSError):
            self._write_status("failed", message=message)
        # A folder we made that never got past preparation holds nothing worth keeping: remove it.
        # Anything with metrics stays (the curve up to the failure, and the reason in run.json).
        if created and self.is_main and self.output.is_dir() and not (self.output / METRICS_FILE).exists() and all(
                p.name in LEFTOVERS for p in self.output.iterdir()):
            shutil.rmtree(self.output, ignore_errors=True)

    def _check_output(self) -> bool:
        """Check the output folder and decide where to start: afresh, or from its newest checkpoint.

        A folder that holds only what a crashed or refused run leaves (run.json, metrics, a half-written
        checkpoint) is trained into afresh, with or without --resume: nobody has to delete it by hand.
        """
        out = self.output
        created = not out.exists()
        if out.exists() and not out.is_dir():
            raise PlaygroundError(f"The output path '{out}' is a file; choose a folder.")
        checkpoint = last_checkpoint(out)
        finished = (out / FINISHED_FILE).exists()
        if self.config.resume and checkpoint is not None:
            self._resume_from = checkpoint
        elif out.exists() and any(out.iterdir()):
            leftovers = all(p.name in LEFTOVERS or p.name.startswith("checkpoint-") for p in out.iterdir())
            if checkpoint is not None:
                raise PlaygroundError(f"The output folder '{out}' holds a run with a checkpoint at step "
                                      f"{checkpoint_step(checkpoint)}; pass --resume to continue it or choose a new folder.")
            if finished and self.config.resume:
                raise PlaygroundError(f"The run in '{out}' finished without a checkpoint to resume from; "
                                      "train into a new folder instead.")
            if not leftovers or finished:
                raise PlaygroundError(f"The output folder '{out}' is not empty; pass --resume to continue that run or choose a new folder.")
            self._clear_leftovers()
        elif self.config.resume:
            self.notice = f"There is no checkpoint to resume in '{out}' yet: training starts from the beginning."
        try:
            out.mkdir(parents=True, exist_ok=True)
            probe = out / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as e:
            raise PlaygroundError(f"Cannot write to the output folder '{out}' ({e.strerror}); choose a writable folder.") from None
        self._started = time.time()
        if self._resume_from is not None and self.is_main:
            # The records past the checkpoint will be recorded again: drop them, and let elapsed time
            # run on from where the checkpoint left it.
            self._records = keep_metrics_until(out, checkpoint_step(self._resume_from))
            self._elapsed_before = max((r.get("elapsed", 0.0) for r in self._records), default=0.0)
            self._started = read_status(out).get("started") or self._started
        if self.notice:
            print(self.notice, file=sys.stderr)
        return created

    def _clear_leftovers(self) -> None:
        """What a run that crashed before its first complete checkpoint left: start over, keeping its metrics aside."""
        out = self.output
        self.notice = f"'{out}' held an unfinished run with no complete checkpoint: training starts from the beginning."
        if not self.is_main:
            return
        for p in out.iterdir():
            if p.name.startswith("checkpoint-") or p.name == ".saving":
                shutil.rmtree(p, ignore_errors=True)
        if (out / METRICS_FILE).exists():
            os.replace(out / METRICS_FILE, out / "previous-metrics.jsonl")

    def _prepare(self) -> _Run:
        cfg = self.config
        corpus = corpus_lib.load_corpus(cfg.corpus, cfg.cleaning, cfg.text_field)
        val_corpus = corpus_lib.load_corpus(cfg.val_files, cfg.cleaning, cfg.text_field) if cfg.val_files else None
        resume_from = str(self._resume_from) if self._resume_from else None

        if cfg.model:
            # On resume the Trainer loads the checkpoint's weights (and LoRA adapters) into this model.
            model, tokenizer = load_model(cfg.model, device="cpu")
            context = model.config.n_positions
        else:
            tokenizer = self._scratch_tokenizer(corpus, resume_from)
            # A new model's context is the block size it trains on: positions it never sees in training
            # would keep random embeddings and spoil generation and perplexity beyond the block.
            context = MAX_SCRATCH_CONTEXT
            model = None
        base, asked_batch = cfg.model or cfg.scratch, cfg.batch_size
        cfg = self.config = cfg.resolved(context)
        if model is None:
            context = cfg.block_size
            model = scratch_model(cfg.scratch, vocab_size=len(tokenizer), n_positions=context, seed=cfg.seed)
            model.config.bos_token_id = model.config.eos_token_id = tokenizer.eos_token_id
            model.config.pad_token_id = model.generation_config.pad_token_id = tokenizer.pad_token_id
            model.generation_config.bos_token_id = model.generation_config.eos_token_id = tokenizer.eos_token_id
        if cfg.dropout is not None:
            for name in ("resid_pdrop", "embd_pdrop", "attn_pdrop"):
                setattr(model.config, name, cfg.dropout)
            for m in model.modules():
                if isinstance(m, torch.nn.Dropout):
                    m.p = cfg.dropout
        if cfg.lora:
            model = _with_lora(model, cfg)

        settings = corpus_lib.ExampleSettings(
            mode="lines" if cfg.line_by_line else "blocks", block_size=cfg.block_size, stride=cfg.stride,
            val_fraction=cfg.val_fraction, seed=cfg.seed,
        )
        prepared = _main_process_first(lambda: corpus_lib.prepare(corpus, tokenizer, settings, val_corpus))
        if cfg.batch_size > len(prepared.train):
            # A batch larger than the corpus only repeats examples (and a huge one exhausts memory): a
            # default batch shrinks to the corpus, a batch the user asked for is refused.
            if asked_batch is None:
                cfg = self.config = dataclasses.replace(cfg, batch_size=len(prepared.train))
            else:
                raise PlaygroundError(f"Batch size {cfg.batch_size} is more than the corpus's {len(prepared.train)} training "
                                      f"examples; choose at most {len(prepared.train)}, or a smaller block size.")
        max_eval = max(16, MAX_EVAL_TOKENS // cfg.block_size)
        if len(prepared.val) > max_eval:
            idx = [i * len(prepared.val) // max_eval for i in range(max_eval)]
            prepared.val = prepared.val.select(idx)

        self.world_size = int(os.environ.get("WORLD_SIZE", "1"))
        per_step = cfg.batch_size * cfg.grad_accum * self.world_size
        steps_per_epoch = max(1, math.ceil(len(prepared.train) / per_step))
        self.tokens_per_step = per_step * cfg.block_size
        if cfg.max_steps:
            max_steps = cfg.max_steps
        elif cfg.epochs or not cfg.max_minutes:
            max_steps = max(1, math.ceil((cfg.epochs or 1.0) * steps_per_epoch))
        else:
            max_steps = UNBOUNDED_STEPS
        self._max_steps = max_steps
        if cfg.eval_every:
            self._eval_every = cfg.eval_every
        elif max_steps != UNBOUNDED_STEPS:
            self._eval_every = max(1, max_steps // 10)
        sample_prompt = cfg.sample_prompt
        if sample_prompt is None:
            first = next((ln for ln in corpus.documents[0]["text"].split("\n") if ln.strip()), "")
            sample_prompt = tokenizer.decode(tokenizer(first, add_special_tokens=False).input_ids[:8])
        return _Run(model, tokenizer, prepared, resume_from, max_steps, corpus.content_hash, sample_prompt, base, context)

    def _scratch_tokenizer(self, corpus: corpus_lib.Corpus, resume_from: str | None):
        vocab = parse_tokenizer_spec(self.config.tokenizer)
        if resume_from:
            return load_tokenizer(resume_from)
        if vocab is None:
            return gpt2_tokenizer()
        # Trained once per corpus and size, then cached (and shared by every process of a DDP run).
        folder = corpus_lib.cache_root() / "tokenizers" / f"{corpus.content_hash}-bpe{vocab}"

        def train():
            if not (folder / "tokenizer.json").exists():
                tok = train_bpe_tokenizer(corpus.documents["text"], vocab)
                corpus_lib.publish_folder(folder, tok.save_pretrained)
                if not (folder / "tokenizer.json").exists():
                    return tok  # the cache could not be written: train without it
            return load_tokenizer(folder)

        return _main_process_first(train)

    def _trainer(self, run: _Run) -> _Trainer:
        cfg = self.config
        precision = pick_precision(cfg.precision)
        args = TrainingArguments(
            output_dir=str(self.output),
            per_device_train_batch_size=cfg.batch_size,
            per_device_eval_batch_size=cfg.batch_size,
            gradient_accumulation_steps=cfg.grad_accum,
            learning_rate=cfg.lr,
            weight_decay=cfg.weight_decay,
            max_grad_norm=cfg.max_grad_norm,
            max_steps=run.max_steps,
            logging_steps=max(1, min(50, (run.max_steps if run.max_steps != UNBOUNDED_STEPS else 500) // 100)),
            eval_strategy="no",  # LiveMetrics decides when to evaluate (steps or time)
            save_strategy="no",  # …and when to checkpoint (with each evaluation and at the end)
            save_total_limit=1,
            seed=cfg.seed,
            data_seed=cfg.seed,
            bf16=precision == "bf16",
            fp16=precision == "fp16",
            use_cpu=not torch.cuda.is_available() and not torch.backends.mps.is_available(),
            report_to="none",
            disable_tqdm=True,
            logging_nan_inf_filter=False,  # a nan loss is a diverging run, not noise to average away
            dataloader_num_workers=0,
            prediction_loss_only=True,
            ddp_find_unused_parameters=False,
            # transformers >= 5 picks the fused kernel on every device; fused AdamW is a CUDA speed-up
            optim="adamw_torch_fused" if torch.cuda.is_available() else "adamw_torch",
        )
        trainer = _Trainer(
            model=run.model,
            args=args,
            train_dataset=run.prepared.train,
            eval_dataset=run.prepared.val,
            data_collator=corpus_lib.collator(run.tokenizer, run.prepared.mode),
            processing_class=run.tokenizer,
            callbacks=[LiveMetrics(self)],
        )
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # LiveMetrics reports; no raw log dicts on stdout
        trainer.lr_lambda = lambda step: lr_multiplier(step, self._progress, cfg.warmup, cfg.schedule)
        trainer.on_nonfinite = self._on_nonfinite
        trainer.muon_lr = cfg.muon_lr if cfg.optimizer_or_default == "muon" else None
        self._run = run
        return trainer

    def _on_nonfinite(self, loss: float) -> None:
        if self.diverged is None:
            self.diverged = (self._step + 1, loss)

    def _sample(self, model, tokenizer) -> str:
        """A short sample from the fixed prompt, without disturbing the training RNG."""
        if model is None or tokenizer is None:
            return ""
        prompt = self._run.sample_prompt
        ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids if prompt else None
        if ids is None or ids.shape[1] == 0:
            ids = torch.tensor([[tokenizer.eos_token_id]])
        # Stay inside the model's context (a from-scratch model's context is its block size).
        context = self._run.context
        ids = ids[:, -max(1, context // 2):]
        new_tokens = min(self.config.sample_tokens, context - ids.shape[1])
        device = next(model.parameters()).device
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []), torch.no_grad():
            torch.manual_seed(self.config.seed)
            out = model.generate(
                input_ids=ids.to(device), attention_mask=torch.ones_like(ids).to(device),
                max_new_tokens=new_tokens, do_sample=True, top_k=40, top_p=1.0, temperature=0.8,
                pad_token_id=tokenizer.eos_token_id,
            )
        return tokenizer.decode(out[0], skip_special_tokens=False)

    def _finish(self, trainer: _Trainer, run: _Run) -> dict:
        self._set("saving", "Saving the model…")
        last = self._records[-1] if self._records else {}
        if "val_loss" not in last or last.get("step") != trainer.state.global_step:
            metrics = trainer.evaluate()
            # on_evaluate recorded it (on the main process)
        else:
            metrics = {"eval_loss": last["val_loss"]}
        val_loss = float(metrics["eval_loss"])
        final = {
            "step": trainer.state.global_step,
            "epoch": round(trainer.state.epoch or 0.0, 4),
            "val_loss": val_loss,
            "val_perplexity": math.exp(min(val_loss, 50.0)),
            "train_loss": next((r["train_loss"] for r in reversed(self._records) if "train_loss" in r), None),
            "elapsed": round(self.elapsed(), 2),
            "stopped_early": self._stopped_early,
        }
        if trainer.is_world_process_zero():
            self._save_final(trainer, run, final)
        with self._lock:
            self._final = final
        return final

    def _save_final(self, trainer: _Trainer, run: _Run, final: dict) -> None:
        """Write the model, tokenizer and playground.json so a crash never leaves a folder that looks done.

        Everything is written to a temporary folder first and moved in with config.json (what makes a
        folder load as a model) and playground.json (what says the run finished) last.
        """
        out = self.output
        model = trainer.model
        if self.config.lora:
            model = model.merge_and_unload()  # a standard GPT-2 folder that plain transformers loads
        tmp = out / ".saving"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp)
        run.tokenizer.save_pretrained(tmp)
        for marker in ("playground.json", "config.json"):
            (out / marker).unlink(missing_ok=True)
        names = sorted(os.listdir(tmp), key=lambda n: n == "config.json")
        for name in names:
            os.replace(tmp / name, out / name)
        tmp.rmdir()
        info = {
            "settings": self.config.to_dict(),
            "base_model": run.base,
            "corpus_hash": run.corpus_hash,
            "corpus_stats": {k: v for k, v in run.prepared.stats.to_dict().items() if k != "example_lengths"},
            "parameters": sum(p.numel() for p in model.parameters()),
            "final_metrics": final,
            "status": "stopped" if self._stopped_early else "done",
        }
        atomic_write(out / FINISHED_FILE, json.dumps(info, indent=2))


def _with_lora(model, cfg: TrainConfig):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        task_type="CAUSAL_LM", r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.05,
        target_modules=["c_attn", "c_proj", "c_fc"], fan_in_fan_out=True,  # GPT-2 uses Conv1D layers
    )
    return get_peft_model(model, config)


def _main_process_first(fn):
    """Run `fn` on the main process before the others (corpus cache, tokenizer training) under DDP."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and torch.distributed.is_available():
        from accelerate import PartialState

        with PartialState().main_process_first():
            return fn()
    return fn()


@contextlib.contextmanager
def _signals_stop(job: TrainingJob):
    """In a program's main thread, SIGINT/SIGTERM ask the job to stop and save; a second one quits now."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        if job._stop.is_set():
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
