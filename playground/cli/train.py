"""`python -m playground train`: fine-tune or train from scratch, with a terminal progress bar.

The flags come from TrainConfig's fields (and Cleaning's, one flag each), as litgpt's CLI comes from its
dataclasses (playground.config_fields describes them; its `flag_values` writes settings back as flags for
playground.runs.train_command, so the two cannot drift apart).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import sys
from typing import Any

from playground.config_fields import flags
from playground.train_config import TrainConfig

# What a field's name and type do not say. Unlisted metavars follow the type (int N, float X).
METAVARS = {"corpus": "FILE", "dataset": "NAME_OR_FOLDER", "dataset_config": "NAME", "dataset_split": "SPLIT",
            "dataset_max_chars": "N", "val_files": "FILE", "output": "DIR", "model": "NAME_OR_FOLDER", "scratch": "SIZE",
            "tokenizer": "gpt2|bpe:VOCAB", "text_field": "NAME", "epochs": "N", "max_minutes": "M",
            "val_fraction": "F", "seed": "S", "dropout": "P", "lora_r": "R", "lora_alpha": "A", "sample_prompt": "TEXT"}
ONE_OF = ("model", "scratch")  # exactly one is required: fine-tune a model, or train one from scratch


def add_arguments(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group(required=True)
    for f in flags():
        target = group if f.dest in ONE_OF else p
        kw: dict[str, Any] = {"dest": f.dest, "help": f.help.replace("%", "%%") or None}
        if f.kind == "switch":
            kw["action"] = "store_true"
        else:
            # Numbers stay text here: TrainConfig reads them through playground.values.number, so "--lr nan" gets
            # the sentence an API client sending "nan" gets, not argparse's "invalid float value".
            kw |= {"type": str if f.type in (int, float) else f.type, "metavar": METAVARS.get(f.dest, _metavar(f.type)) if f.choices is None else None,
                   "choices": f.choices, "default": copy.copy(f.default)}  # a list default: each parser its own
            if f.kind == "repeat":
                kw["action"] = "append"
            if f.required:
                kw["required"] = True
        target.add_argument(f.flag, **{k: v for k, v in kw.items() if v is not None or k == "default"})


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The TrainConfig the command line describes (`flag_values` writes the reverse)."""
    values: dict[str, Any] = {}
    for f in flags():
        *parents, name = f.path
        node = values
        for parent in parents:
            node = node.setdefault(parent, {})
        node[name] = getattr(args, f.dest)
    return TrainConfig.from_dict(values)


def _metavar(t: type) -> str | None:
    return {int: "N", float: "X"}.get(t)


def run(args: argparse.Namespace) -> int:
    from playground.training import TrainingJob

    config = config_from_args(args)
    bar = _ProgressBar()
    job = TrainingJob(config, on_record=bar.update)
    try:
        # stdout carries only the final JSON: a tracker's own messages (trackio's) go to stderr with the bar.
        with contextlib.redirect_stdout(sys.stderr):
            final = job.run()
    finally:
        bar.close()
    if _is_main():
        print(json.dumps({"output": config.output, **final} | ({"reported_to": job.reported_to} if job.reported_to else {}),
                         indent=2))
    return 0


def _is_main() -> bool:
    import os

    return os.environ.get("RANK", "0") == "0"


class _ProgressBar:
    """A one-line terminal bar: step, train loss, val loss/perplexity, tokens/s, ETA."""

    def __init__(self):
        self.bar = None  # made at the first record, so a run refused up front prints only its error
        self.post: dict = {}

    def update(self, rec: dict) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=None, unit="step", dynamic_ncols=True, file=sys.stderr, disable=not _is_main())
        if "train_loss" in rec:
            self.post.update(loss=f"{rec['train_loss']:.3f}", tok_s=f"{rec['tokens_per_second']:.0f}")
            if rec.get("eta") is not None:
                self.post["eta"] = f"{rec['eta']:.0f}s"
        if "val_loss" in rec:
            self.post.update(val=f"{rec['val_loss']:.3f}", ppl=f"{rec['val_perplexity']:.1f}")
            per_char = f" ({rec['val_nats_per_char']:.3f} nats/char)" if "val_nats_per_char" in rec else ""
            self.bar.write(f"step {rec['step']}: val loss {rec['val_loss']:.3f}{per_char}, "
                           f"sample: {rec.get('sample', '')[:120]!r}", file=sys.stderr)
        self.bar.n = rec["step"]
        self.bar.set_postfix(self.post, refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
