"""A config dataclass's fields described once — flag, kind, type, default, choices, help — for everything that
shows or writes a setting: the CLI's flags (playground.cli.train), a run's command line (playground.runs),
the Train form.

As litgpt's CLI comes from its dataclasses: the flag is the field's name with dashes, its help the field's
docstring, its default the field's default; a bool is a switch, a list a repeatable flag, a Literal a
choice. A sub-dataclass field (TrainConfig.cleaning) contributes its own fields. A new setting is a new
field, and `flag_values` writes settings back as flags, so the two cannot drift apart.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from playground.train_config import TrainConfig

FLAG_NAMES = {"val_files": "--val-file"}  # one file per flag, repeated


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
