"""The plan of a training run: what it will do, decided before its first step, without side effects.

Where it starts (afresh or from a checkpoint: `where_to_start`, which only reads the output folder), how
many optimizer steps it trains and how many tokens each one sees, when it evaluates, and how its learning
rate moves (`RunPlan`, from the resolved settings and the corpus's size alone). TrainingJob follows the
plan; tests read it without training anything.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

from playground.errors import PlaygroundError
from playground.output_lock import busy_message, holder
from playground.runs import FINISHED_FILE, LEFTOVERS, LOCK_FILE, checkpoint_step, last_checkpoint, owned
from playground.train_config import TrainConfig

UNBOUNDED_STEPS = 10**9  # what Trainer is told when a time budget alone, not a step count, ends training
# Every evaluation scores the same evenly spread subset of at most this many validation tokens, so
# evaluations stay a small share of short runs (a 2-minute demo) and every point of the curve is comparable.
MAX_EVAL_TOKENS = 32_768
MIN_EVAL_EXAMPLES = 16
EVALS_PER_RUN = 10  # the default cadence: ten evaluations over the steps, or over the time budget
WSD_DECAY = 0.2  # the share of the run over which the wsd schedule decays (after a flat stretch)


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


# --------------------------------------------------------------------------- where the run starts


@dataclass(frozen=True)
class Start:
    """Where a run starts, decided from what its output folder holds."""

    resume_from: Path | None = None
    """The newest complete checkpoint to continue from; None: from step 0."""
    clear_leftovers: bool = False
    """The folder holds only what a crashed or refused run leaves: clear it, then train afresh."""
    notice: str = ""
    """Something the user should know that does not stop the run."""

    @property
    def resume_step(self) -> int | None:
        return checkpoint_step(self.resume_from) if self.resume_from else None


def where_to_start(out: Path, resume: bool, *, locked: bool = False) -> Start:
    """Afresh, afresh over leftovers, or from the newest checkpoint; a PlaygroundError for a folder that is
    not this run's to write. Reads the folder, writes nothing.

    `out` must be resolved (no `..`, no symlink left: TrainingJob resolves it), so the folder judged here is
    the folder written. A non-empty folder is trained into only when the playground made it (runs.owned: its
    run.json carries the playground's mark); anything else in it, a lone run.json or metrics.jsonl of the
    user's included, means refusal. An owned folder holding only what a crashed run leaves (run.json, metrics,
    a half-written checkpoint) is trained into afresh, with or without --resume: nobody has to delete it by
    hand. A folder another live training is writing (its lock) is refused, unless the caller holds the lock
    (`locked`: the run judging its folder again once it has taken it).
    """
    if out.exists() and not out.is_dir():
        raise PlaygroundError(f"The output path '{out}' is a file; choose a folder.")
    if not locked and (pid := holder(out)) is not None:
        raise PlaygroundError(busy_message(out, pid))
    entries = [p for p in out.iterdir() if p.name != LOCK_FILE] if out.is_dir() else []
    if not entries:
        if resume:
            return Start(notice=f"There is no checkpoint to resume in '{out}' yet: training starts from the beginning.")
        return Start()
    if not owned(out):
        raise PlaygroundError(f"The output folder '{out}' is not empty and is not a training run of the playground; "
                              "choose a new or empty folder (nothing in it was changed).")
    checkpoint = last_checkpoint(out)
    if resume and checkpoint is not None:
        return Start(resume_from=checkpoint)
    leftovers = all(p.name in LEFTOVERS or p.name.startswith("checkpoint-") for p in entries)
    finished = (out / FINISHED_FILE).exists()
    if checkpoint is not None:
        raise PlaygroundError(f"The output folder '{out}' holds a run with a checkpoint at step "
                              f"{checkpoint_step(checkpoint)}; pass --resume to continue it or choose a new folder.")
    if finished and resume:
        raise PlaygroundError(f"The run in '{out}' finished without a checkpoint to resume from; "
                              "train into a new folder instead.")
    if not leftovers or finished:
        raise PlaygroundError(f"The output folder '{out}' is not empty; pass --resume to continue that run or choose a new folder.")
    return Start(clear_leftovers=True, notice=f"'{out}' held an unfinished run with no complete checkpoint: "
                                              "training starts from the beginning.")


# --------------------------------------------------------------------------- the plan


def fit_batch(cfg: TrainConfig, asked: int | None, train_examples: int, world_size: int = 1) -> TrainConfig:
    """The resolved settings with a batch the corpus can fill.

    A batch larger than the corpus only repeats examples (and a huge one exhausts memory): a default batch
    (`asked` None) shrinks to the corpus, a batch the user asked for is refused. So is a step (batch ×
    accumulation × processes) that needs more examples than the corpus has: Trainer would gather its forward
    passes one by one from an epoch that ran out long before (a billion of them is a hang, not a step).
    """
    if cfg.batch_size > train_examples and asked is not None:
        raise PlaygroundError(f"Batch size {cfg.batch_size} is more than the corpus's {train_examples} training "
                              f"examples; choose at most {train_examples}, or a smaller block size.")
    fits = max(1, train_examples // (cfg.grad_accum * world_size))
    if asked is None and cfg.batch_size > fits:
        cfg = dataclasses.replace(cfg, batch_size=fits)
    per_step = cfg.batch_size * cfg.grad_accum * world_size
    if per_step > train_examples:
        most = max(1, train_examples // (cfg.batch_size * world_size))
        raise PlaygroundError(f"A step of {cfg.grad_accum} accumulated batches of {cfg.batch_size} needs {per_step:,} "
                              f"examples, more than the corpus's {train_examples}; choose a gradient accumulation of "
                              f"at most {most}, or a smaller batch.")
    return cfg


def eval_subset(val_examples: int, block_size: int) -> list[int] | None:
    """Indices of the validation examples every evaluation scores (evenly spread); None: all of them."""
    most = max(MIN_EVAL_EXAMPLES, MAX_EVAL_TOKENS // block_size)
    if val_examples <= most:
        return None
    return [i * val_examples // most for i in range(most)]


@dataclass(frozen=True)
class RunPlan:
    """What a run will do: its length, evaluation cadence, tokens per step and learning-rate schedule."""

    max_steps: int | None
    """Optimizer steps to train; None when a time budget alone ends the run."""
    eval_every: int | None
    """Optimizer steps between evaluations; None: every tenth of the time budget."""
    tokens_per_step: int
    """Tokens one optimizer step trains on: batch × accumulation × processes × block."""
    steps_per_epoch: int
    time_budget: float | None
    """Seconds (--max-minutes × 60) after which training stops and the schedule ends; None: no budget."""
    warmup: int
    schedule: str
    resume_step: int | None = None
    """The checkpoint step a resumed run continues from; None: from step 0."""

    @property
    def trainer_steps(self) -> int:
        """The step count Trainer is given (it needs one even when a time budget ends the run)."""
        return self.max_steps or UNBOUNDED_STEPS

    @property
    def logging_steps(self) -> int:
        """Steps between train-loss records: about a hundred per run, at most every 50 steps."""
        return max(1, min(50, (self.max_steps or 500) // 100))

    @property
    def evaluate_first(self) -> bool:
        """A new run is evaluated at step 0 (the curve's start, "before" for fine-tuning); a resumed one has it."""
        return self.resume_step is None

    def progress(self, step: int, elapsed: float) -> float:
        """How far the run is, in [0, 1]: the larger of its steps and its time budget."""
        p = step / self.max_steps if self.max_steps else 0.0
        if self.time_budget:
            p = max(p, elapsed / self.time_budget)
        return min(p, 1.0)

    def eta(self, step: int, elapsed: float) -> float | None:
        """Seconds left at this pace; None before there is any progress to extrapolate."""
        p = self.progress(step, elapsed)
        return None if p <= 0 else round(elapsed * (1 - p) / p, 1)

    def time_up(self, elapsed: float) -> bool:
        return self.time_budget is not None and elapsed >= self.time_budget

    def eval_due(self, step: int, since_last_eval: float) -> bool:
        """After optimizer step `step`, `since_last_eval` seconds after the last evaluation ended."""
        if self.eval_every:
            return step > 0 and step % self.eval_every == 0
        return since_last_eval >= self.time_budget / EVALS_PER_RUN  # a time budget alone: by the clock

    def lr_factor(self, step: int, progress: float) -> float:
        return lr_multiplier(step, progress, self.warmup, self.schedule)


def plan_run(cfg: TrainConfig, train_examples: int, world_size: int = 1, resume_step: int | None = None) -> RunPlan:
    """The plan for resolved settings (TrainConfig.resolved) over `train_examples` training examples."""
    if cfg.batch_size is None or cfg.block_size is None or cfg.warmup is None:
        raise ValueError("plan_run needs resolved settings (TrainConfig.resolved)")
    per_step = cfg.batch_size * cfg.grad_accum * world_size
    steps_per_epoch = max(1, math.ceil(train_examples / per_step))
    if cfg.max_steps:
        max_steps = cfg.max_steps
    elif cfg.epochs or not cfg.max_minutes:
        max_steps = max(1, math.ceil((cfg.epochs or 1.0) * steps_per_epoch))
    else:
        max_steps = None
    if resume_step is not None and max_steps is not None and resume_step >= max_steps:
        raise PlaygroundError(f"The run's last checkpoint is at step {resume_step}, so it cannot train to step "
                              f"{max_steps}; pass a --max-steps above {resume_step} to train it further.")
    eval_every = cfg.eval_every or (max(1, max_steps // EVALS_PER_RUN) if max_steps else None)
    return RunPlan(
        max_steps=max_steps, eval_every=eval_every, tokens_per_step=per_step * cfg.block_size,
        steps_per_epoch=steps_per_epoch, time_budget=cfg.max_minutes * 60 if cfg.max_minutes else None,
        warmup=cfg.warmup, schedule=cfg.schedule, resume_step=resume_step,
    )
