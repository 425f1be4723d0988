"""Training presets: ready-made settings the Train tab offers with one click.

The quick demo trains the `tiny` GPT-2 from scratch on the bundled Shakespeare for two minutes, with
a BPE of 4 000 tokens trained on the corpus (GPT-2's 50 257-token head would cost most of a tiny model's
time on a CPU). It is sized so a laptop CPU shows a clearly falling val-loss curve before the coffee
cools: measured figures are in README ("Quick demo").
"""

from __future__ import annotations

from playground.assets import SHAKESPEARE
from playground.train_config import TrainConfig

# The settings, as the Train tab's form shows them. Unset keys take the size's defaults (train_config).
QUICK_DEMO: dict = {
    "scratch": "tiny",
    "tokenizer": "bpe:4000",
    "max_minutes": 2.0,  # the time budget ends the run (and the learning-rate schedule) on any machine
    "max_steps": None,
    "eval_every": None,  # with a time budget alone: about ten evaluations, so the chart has ten val points
    "lr": None,
    "batch_size": None,
    "sample_prompt": "KING:\n",
}


def quick_demo_config(output: str, **overrides) -> TrainConfig:
    """The quick-demo run writing to `output`; `overrides` change any TrainConfig field (tests shorten it)."""
    values = {
        "corpus": [str(SHAKESPEARE / "train.txt")],
        "val_files": [str(SHAKESPEARE / "validation.txt")],
        "output": str(output),
        **{k: v for k, v in QUICK_DEMO.items() if v is not None},
    }
    return TrainConfig(**(values | overrides))
