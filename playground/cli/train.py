"""`python -m playground train`: fine-tune or train from scratch, with a terminal progress bar.

The flags come from TrainConfig's fields (and Cleaning's, one flag each), as litgpt's CLI comes from its
dataclasses: the flag is the field's name with dashes, its help the field's docstring, its default the
field's default; a bool is a switch, a list a repeatable flag, a Literal a choice. A new setting is a new
flag, and `flag_values` writes settings back as flags (playground.runs.train_command), so the two cannot
drift apart.
"""

from __future__ import annotations

import argparse
import ast
import copy
import dataclasses
import inspect
import json
import sys
import textwrap
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from playground.train_config import TrainConfig

# What a field's name and type do not say. Unlisted metavars follow the type (int N, float X).
FLAG_NAMES = {"val_files": "--val-file"}  # one file per flag, repeated
METAVARS = {"corpus": "FILE", "val_files": "FILE", "output": "DIR", "model": "NAME_OR_FOLDER", "scratch": "SIZE",
            "tokenizer": "gpt2|bpe:VOCAB", "text_field": "NAME", "epochs": "N", "max_minutes": "M",
            "val_fraction": "F", "seed": "S", "dropout": "P", "lora_r": "R", "lora_alpha": "A", "sample_prompt": "TEXT"}
ONE_OF = ("model", "scratch")  # exactly one is required: fine-tune a model, or train one from scratch


@dataclass(frozen=True)
class Flag:
    """One command-line flag for one TrainConfig field (or a field of one of its sub-dataclasses)."""

    path: tuple[str, ...]  # ("lr",) or ("cleaning", "drop_blank_lines")
    flag: str
    kind: Literal["value", "switch", "repeat"]
    type: type
    default: Any
    required: bool  # the field has no default
    choices: tuple | None
    help: str

    @property
    def dest(self) -> str:
        return self.path[-1]


def add_arguments(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group(required=True)
    for f in flags():
        target = group if f.dest in ONE_OF else p
        kw: dict[str, Any] = {"dest": f.dest, "help": f.help.replace("%", "%%") or None}
        if f.kind == "switch":
            kw["action"] = "store_true"
        else:
            kw |= {"type": f.type, "metavar": METAVARS.get(f.dest, _metavar(f.type)) if f.choices is None else None,
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


def flag_values(settings: dict) -> list[str]:
    """TrainConfig settings (its to_dict, or run.json's) as flags, leaving out what equals the default.

    --resume is left out too: resuming is the caller's choice (train_command's `resume`), not a setting to repeat.
    """
    args: list[str] = []
    for f in flags():
        value: Any = settings
        for key in f.path:
            value = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
        if f.dest == "resume" or value is None or value == f.default:
            continue
        if f.kind == "switch":
            args += [f.flag] if value else []
        elif f.kind == "repeat":
            args += [a for v in value for a in (f.flag, str(v))]
        else:
            args += [f.flag, str(value)]
    return args


@cache
def flags(cls: type = TrainConfig, path: tuple[str, ...] = ()) -> tuple[Flag, ...]:
    """Every flag of `cls`'s fields, in field order; a sub-dataclass field contributes its own fields' flags."""
    hints, docs, out = typing.get_type_hints(cls), field_docs(cls), []
    for field in dataclasses.fields(cls):
        kind_of, choices = _unwrap(hints[field.name])
        if dataclasses.is_dataclass(kind_of):
            out += flags(kind_of, (*path, field.name))
            continue
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        default = None if required else (field.default if field.default_factory is dataclasses.MISSING
                                         else field.default_factory())
        kind = "switch" if kind_of is bool else "repeat" if typing.get_origin(kind_of) is list else "value"
        value_type = typing.get_args(kind_of)[0] if kind == "repeat" else kind_of
        help_text = docs.get(field.name, "") + (" (repeatable)" if kind == "repeat" else "")
        out.append(Flag((*path, field.name), FLAG_NAMES.get(field.name, "--" + field.name.replace("_", "-")), kind,
                        value_type, default, required, choices, help_text.strip()))
    return tuple(out)


def field_docs(cls: type) -> dict[str, str]:
    """Each field's docstring: the string literal right after the field in the class body (litgpt's convention)."""
    try:
        body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body
    except (OSError, TypeError, IndexError):  # no source (a frozen build): flags without help
        return {}
    docs = {}
    for node, after in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            docs[node.target.id] = " ".join(inspect.cleandoc(after.value.value).split())
    return docs


def _unwrap(hint) -> tuple[Any, tuple | None]:
    """(the type without None, its choices when it is a Literal)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(hint) is Literal:
        choices = typing.get_args(hint)
        return type(choices[0]), choices
    return hint, None


def _metavar(t: type) -> str | None:
    return {int: "N", float: "X"}.get(t)


def run(args: argparse.Namespace) -> int:
    from playground.training import TrainingJob

    config = config_from_args(args)
    bar = _ProgressBar()
    try:
        final = TrainingJob(config, on_record=bar.update).run()
    finally:
        bar.close()
    if _is_main():
        print(json.dumps({"output": config.output, **final}, indent=2))
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
            self.bar.write(f"step {rec['step']}: val loss {rec['val_loss']:.3f}, sample: {rec.get('sample', '')[:120]!r}", file=sys.stderr)
        self.bar.n = rec["step"]
        self.bar.set_postfix(self.post, refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
