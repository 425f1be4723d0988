"""The Train form, built from TrainConfig's fields as the CLI's flags are (playground.config_fields).

Each setting is declared once, in TrainConfig: its type gives the component (a number, a choice, a switch, a
text box), its docstring the help line, its metadata (`ui(...)` in train_config) the short label, the range,
the choices' labels and what a blank box means. A field added to TrainConfig appears in the Advanced section
by itself; it needs only its translation.

The model is chosen by hand-drawn components above the settings (fine-tune a model or train from scratch:
base model, folder, LoRA; size and tokenizer), and the corpus comes from the Data tab, so those fields and
the run's own (output, resume) are not drawn here.
"""

from __future__ import annotations

import dataclasses

import gradio as gr

from playground.config_fields import Flag, flags
from playground.models import SCRATCH_SIZES
from playground.train_config import NUMBERS, TrainConfig, defaults_for

FINETUNE, SCRATCH = "finetune", "scratch"
SOURCES = [("Fine-tune a model", FINETUNE), ("Train from scratch", SCRATCH)]
# Drawn first, in this order; every other field not listed in NOT_DRAWN goes to Advanced, in field order.
MAIN = ("max_steps", "max_minutes", "lr", "batch_size")
NOT_DRAWN = {"corpus", "output", "val_files", "text_field", "cleaning", "block_size", "stride", "line_by_line",
             "val_fraction", "dataset", "dataset_config", "dataset_split", "dataset_max_chars",  # the Data tab's
             "resume", "model", "scratch", "tokenizer", "lora"}
# The run the form opens on: a from-scratch tiny GPT-2, which trains visibly within minutes on a laptop CPU; the
# time budget caps it on slow machines, the step count on fast ones. Everything else, its corpus BPE included
# (GPT-2's 50 257-token output layer would be most of its compute), is the size's recipe
# (train_config.defaults_for), the same defaults the CLI takes.
OPENING = dict(source=SCRATCH, scratch="tiny", max_steps=300, max_minutes=5)


def size_label(name: str) -> str:
    s = SCRATCH_SIZES[name]
    body = 12 * s.n_layer * s.n_embd**2 / 1e6  # attention + MLP weights; embeddings come on top
    return f"{name} — {s.n_layer} layers × {s.n_embd} wide, {body:.1f} M weights + embeddings"


def field_flags() -> dict[str, Flag]:
    """TrainConfig's own fields (not its sub-dataclasses'), by name."""
    return {f.dest: f for f in flags() if len(f.path) == 1}


def meta(name: str) -> dict:
    return dict(next(f for f in dataclasses.fields(TrainConfig) if f.name == name).metadata)


def label_of(name: str) -> str:
    return meta(name).get("label") or name.replace("_", " ").capitalize()


def advanced_fields() -> list[str]:
    return [name for name in field_flags() if name not in NOT_DRAWN and name not in MAIN]


def form_defaults(source: str, base: str | None, size: str | None, lora: bool = False) -> dict:
    """What every drawn setting shows for this model choice: the size's (or base model's) recipe over
    TrainConfig's own defaults — the defaults the CLI takes — as the form holds them."""
    scratch = size if source == SCRATCH else None
    values = {name: f.default for name, f in field_flags().items()}
    recipe = dataclasses.asdict(defaults_for(None if scratch else base, scratch, lora and not scratch))
    # Where the form can say "the default" (a choice's default entry, 0 in a box whose label says 0 means it, a
    # blank text box), it says so: the optimizer, schedule, Muon rate and warm-up then follow the model choice and
    # the run's length by themselves, as on the command line, and a fine-tune never inherits a from-scratch Muon
    # setting it would refuse.
    values |= {name: value for name, value in recipe.items()
               if not (meta(name).get("default_label") or meta(name).get("blank") in ("zero", "text"))}
    return {name: shown(name, value) for name, value in values.items()}


def shown(name: str, value):
    """A setting's value as its component holds it: for None ("the default"), 0 where the label says 0 means the
    default, an empty number box, or an empty choice or text."""
    if value is not None:
        return value
    f, m = field_flags()[name], meta(name)
    if m.get("blank") == "zero":
        return 0
    numeric = f.type in (int, float) and m.get("blank") != "text" and not (f.choices or m.get("choices"))
    return None if numeric else ""


def component(name: str, value):
    """The component for one TrainConfig field, as its type and metadata say."""
    f, m = field_flags()[name], meta(name)
    common = dict(label=label_of(name), info=f.help or None, elem_id=f"train-{name.replace('_', '-')}")
    if f.kind == "switch":
        return gr.Checkbox(bool(value), **common)
    choices = m.get("choices") or ([(str(c), c) for c in f.choices] if f.choices else None)
    if choices is not None:
        if f.default is None:  # "" stands for "the model's default", which the field's help explains
            choices = [(m.get("default_label", "default"), ""), *choices]
        return gr.Dropdown(choices, value=value, **common)
    if f.type in (int, float) and m.get("blank") != "text":
        bounds = NUMBERS.get(name, ("", {}))[1]  # TrainConfig's own range; the form's 0-means-default below it
        low = m.get("min", bounds.get("lo", bounds.get("above")))
        return gr.Number(value, minimum=low, maximum=m.get("max", bounds.get("hi")),
                         precision=0 if f.type is int else None, **common)
    return gr.Textbox("" if value is None else str(value), max_lines=1, placeholder=m.get("placeholder"), **common)


def config_values(form: dict) -> dict:
    """The form's named values as TrainConfig field values: blanks (and 0 where the label says so) become None,
    "the default". Numbers go on as sent: TrainConfig checks each (train_config.NUMBERS: "nan", "inf", 1e309,
    text, out of range), with the same sentence the CLI gives."""
    out = {}
    for name, value in form.items():
        if name not in field_flags():
            continue
        f, m = field_flags()[name], meta(name)
        if f.kind == "switch":
            out[name] = bool(value)
        elif f.choices or m.get("choices"):
            out[name] = None if value in ("", None) else value
        elif f.type in (int, float):
            blank = value is None or isinstance(value, str) and not value.strip()
            out[name] = None if blank or (m.get("blank") == "zero" and _is_zero(value)) else value
        else:
            text = "" if value is None else str(value).strip()  # TrainConfig bounds what it must
            out[name] = text or (None if f.default is None else f.default)
    return out


def _is_zero(value) -> bool:
    try:
        return float(value) == 0
    except (TypeError, ValueError, OverflowError):
        return False
