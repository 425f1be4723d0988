"""Training presets: ready-made settings the Train tab offers with one click.

The quick demo trains a GPT-2 from scratch on the bundled Shakespeare for two minutes, checked against two
held-out plays, and must show a falling curve and samples with speaker names and real words on any machine,
a slow or busy one included. So it measures the machine first (playground.estimate's probe, about a second)
and picks what fits: the size (`tiny`; `mini` only where a machine is fast enough for it to train long),
the size's recipe (a 1 024-token BPE of the plays, shipped in assets/ so no time goes to training it), the
batch (on a slow machine a smaller one, so that the two minutes still hold enough optimizer steps) and, on a
CPU, the threads (one, when another program keeps a core busy and one thread measures faster).
Measured figures: docs/benchmarks.md ("Quick demo").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playground.assets import SHAKESPEARE
from playground.train_config import SCRATCH_DEFAULTS, TrainConfig

# The settings, as the Train tab's form shows them. Unset keys take the size's defaults (train_config);
# quick_demo() fills in the size and batch it measured.
QUICK_DEMO: dict = {
    "scratch": "tiny",
    "tokenizer": "bpe:1024",  # tiny's own; its BPE of the bundled plays is shipped (assets/tokenizers)
    "max_minutes": 2.0,  # the time budget ends the run (and the learning-rate schedule) on any machine
    "max_steps": None,
    "eval_every": None,  # with a time budget alone: about ten evaluations, so the chart has ten val points
    "lr": None,
    "batch_size": None,
    "sample_prompt": "KING:\n",
    "threads": None,  # every core; quick_demo() picks one where one is faster now
}
# What the choice rests on (docs/benchmarks.md, "Quick demo"): on the held-out plays tiny's recipe reaches 1.75
# nats/char after 150 steps of 32 x 128 tokens, and the same tokens in 300 steps of 16 reach the same (1.75) for
# 7 % more CPU time, in 600 steps of 8 less (1.77) for 30 % more. So a machine too slow to give batch 32
# ENOUGH_STEPS steps in the budget gets batch 16: more, smaller updates for the few tokens it can see.
ENOUGH_STEPS = 200
BATCHES = (32, 16)
MINI_STEPS = 1500  # mini (4 x 256) pays off only when it can train this long in the budget (a GPU; extrapolated)
SETUP_SECONDS = 15.0  # of the budget: starting the job, reading the (cached) corpus, the evaluations
FAST = ("Measured {tps} tokens/s for the tiny model on this machine: the quick demo trains {size} with a {vocab}-token "
        "BPE of the plays, batch {batch} × {block} tokens, about {steps} steps in {minutes} minutes.")
SLOW = ("Measured only {tps} tokens/s for the tiny model on this machine (slow or busy): the quick demo trains {size} "
        "with a smaller batch, {batch} × {block} tokens, so that about {steps} steps still fit in {minutes} minutes.")
ONE_THREAD = ("It trains on one CPU thread, measured faster here now than {cores} threads (a core is busy with other "
              "work).")


@dataclass(frozen=True)
class QuickDemo:
    """What the quick demo chose on this machine, and why: `sentences` (English templates) filled with `values`."""

    settings: dict  # QUICK_DEMO with the chosen size, batch and threads: the form's values
    sentences: tuple[str, ...]  # FAST or SLOW, then ONE_THREAD when it chose one thread
    values: dict = field(default_factory=dict)

    def describe(self, translate: Callable[[str], str] = lambda template: template) -> str:
        """What it chose and why, each sentence through `translate` (the Train tab's tr for the page's language)."""
        return " ".join(translate(s).format(**self.values) for s in self.sentences)

    @property
    def reason(self) -> str:
        return self.describe()

    def config(self, output: str, **overrides) -> TrainConfig:
        return quick_demo_config(output, **(self.settings | overrides))


def quick_demo(device: str | None = None) -> QuickDemo:
    """Measure this machine now (a fresh probe: a busy hour is what counts) and choose the quick demo's size, batch
    and, on a CPU, its threads (all cores, or one when one is faster now)."""
    from playground.estimate import estimate, threads_now
    from playground.memo import torch_threads
    from playground.tokenization import parse_tokenizer_spec

    device = device or _device()
    cores = torch_threads()
    threads = threads_now(device, cores)
    budget = QUICK_DEMO["max_minutes"] * 60
    train_seconds = max(budget - SETUP_SECONDS, budget / 2)

    def steps(size: str, batch: int) -> tuple[int, float]:
        d = SCRATCH_DEFAULTS[size]
        e = estimate(model=None, scratch=size, vocab=parse_tokenizer_spec(d.tokenizer), block=d.block_size, batch=batch,
                     device=device, threads=threads)
        return int(train_seconds * e.tokens_per_second / (batch * d.block_size)), e.tokens_per_second

    size = "mini" if steps("mini", BATCHES[0])[0] >= MINI_STEPS else "tiny"
    d = SCRATCH_DEFAULTS[size]
    batch = next((b for b in BATCHES if steps(size, b)[0] >= ENOUGH_STEPS), BATCHES[-1])
    values = dict(tps=f"{steps('tiny', BATCHES[0])[1]:,.0f}", size=size, vocab=f"{parse_tokenizer_spec(d.tokenizer):,}",
                  batch=batch, block=d.block_size, steps=f"{steps(size, batch)[0]:,}",
                  minutes=f"{QUICK_DEMO['max_minutes']:g}", cores=cores)
    settings = QUICK_DEMO | {"scratch": size, "tokenizer": d.tokenizer, "batch_size": batch, "threads": threads}
    sentences = (FAST if batch == BATCHES[0] else SLOW,) + ((ONE_THREAD,) if threads == 1 else ())
    return QuickDemo(settings, sentences, values)


def quick_demo_config(output: str, **overrides) -> TrainConfig:
    """The quick-demo run writing to `output`; `overrides` change any TrainConfig field (tests shorten it, and
    QuickDemo.config passes what quick_demo() chose)."""
    values = {
        "corpus": [str(SHAKESPEARE / "train.txt")],
        "val_files": [str(SHAKESPEARE / "validation.txt")],
        "output": str(output),
        **{k: v for k, v in QUICK_DEMO.items() if v is not None},
    }
    return TrainConfig(**(values | overrides))


def _device() -> str:
    from playground.models import pick_device

    return pick_device().type


def warm_quick_demo() -> None:
    """Prepare the bundled plays for the quick demo (its tokenizer, block and split) into the corpus cache, as its
    run will (TrainingJob.prepare writes nothing but caches), so that the first quick demo after a fresh install
    trains from its first seconds. For the app to call in the background once it is up (a few CPU seconds)."""
    from playground.training import TrainingJob

    TrainingJob(quick_demo_config("unused-output")).prepare()
