"""The model card (README.md) of a saved model: how it was trained, on what, how well, and the command again.

Written with huggingface_hub's ModelCard / ModelCardData, so the Hub reads its metadata (library, pipeline,
base model, datasets, license, tags) and `ModelCard.load` reads it back. Built from what playground.json
records (`info`), never from the machine: file names, not paths, so a card is safe to publish.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # huggingface_hub is imported where a card is written
    from huggingface_hub import ModelCard, ModelCardData

from playground.models import PRETRAINED
from playground.runs import train_command, without_paths

# GPT-2's released weights are MIT-licensed (openai-community/gpt2's card); a fine-tune inherits that licence.
# From scratch the licence is the corpus's, which the playground cannot know: no licence line then.
GPT2_LICENSE = "mit"
CONSOLE_COMMAND = "gpt2-playground"  # the console script of the installed package ([project.scripts])

TEMPLATE = """---
{{ card_data }}
---

# {{ name }}

A GPT-2 language model {{ how }} with the GPT-2 Playground on {{ corpus }}.

## Training

| | |
|---|---|
| Start | {{ start }} |
| Size | {{ size }} |
| Tokenizer | {{ tokenizer }} |
| Steps | {{ steps }} ({{ epochs }} epochs{{ stopped }}) |
| Time | {{ time }} on {{ device }} ({{ precision }}) |
| Optimizer | {{ optimizer }} |
{%- if reported_to %}
| Metrics also in | {{ reported_to }} |
{%- endif %}

## Corpus

| | |
|---|---|
| Source | {{ corpus }} |
| Characters | {{ characters }} |
| Tokens | {{ tokens }} |
| Split | {{ split }} |

## Results

| | |
|---|---|
| Final train loss | {{ train_loss }} nats/token |
| Final validation loss | {{ val_loss }} nats/token |
| Validation perplexity | {{ perplexity }} |
{%- if nats_per_char %}
| Validation nats per character | {{ nats_per_char }} |
{%- endif %}

## Use it

```python
from transformers import pipeline

generator = pipeline("text-generation", model="{{ model_ref }}")
print(generator({{ prompt }}, max_new_tokens=40)[0]["generated_text"])
```

## Train it again

```bash
{{ console_command }}
# or, from a checkout of the playground:
{{ module_command }}
```
"""


def hub_base_model(model: str | None) -> str | None:
    """The Hub id a fine-tune started from (gpt2 -> openai-community/gpt2); None for a local folder or scratch."""
    if not model:
        return None
    return PRETRAINED.get(model) or (model if model.startswith("openai-community/") else None)


def hub_dataset(settings: dict) -> str | None:
    """The Hub dataset the corpus came from; None for files or a local dataset folder (the card is written on
    the machine that trained, where the folder exists)."""
    name = settings.get("dataset")
    return None if not name or Path(name).expanduser().is_dir() else name


def card_data(info: dict) -> ModelCardData:
    from huggingface_hub import ModelCardData

    settings = info.get("settings", {})
    base = hub_base_model(settings.get("model"))
    dataset = hub_dataset(settings)
    tags = ["gpt2", "gpt2-playground", "fine-tuned" if settings.get("model") else "from-scratch"]
    if settings.get("lora"):
        tags.append("lora")
    if settings.get("report_to") not in (None, "none"):
        tags.append(settings["report_to"])  # trackio, tensorboard, wandb: as Trainer's own cards tag them
    return ModelCardData(
        library_name="transformers", pipeline_tag="text-generation", base_model=base,
        datasets=[dataset] if dataset else None, license=GPT2_LICENSE if base else None, tags=tags,
    )


def model_card(info: dict, name: str, repo_id: str | None = None) -> ModelCard:
    """The card of a saved model named `name` (pushed: as Hub repo `repo_id`), from its playground.json `info`."""
    from huggingface_hub import ModelCard

    settings = info.get("settings", {})
    stats = info.get("corpus_stats", {})
    final = info.get("final_metrics", {})
    shown = without_paths(settings) | {"output": name}
    command = train_command(shown, here=False)  # `gpt2-playground train …` with file names, never this machine's paths
    return ModelCard.from_template(
        card_data(info), template_str=TEMPLATE, name=name,
        how=f"fine-tuned from {settings['model']}" if settings.get("model") else "trained from scratch",
        start=_start(settings), size=_size(info), tokenizer=_tokenizer(info),
        steps=final.get("step", "?"), epochs=final.get("epoch", "?"),
        stopped=", stopped early" if final.get("stopped_early") else "",
        time=_duration(final.get("elapsed")), device=info.get("device", "?"), precision=info.get("precision", "?"),
        optimizer=_optimizer(settings), reported_to=info.get("reported_to", ""),
        corpus=_corpus(settings), characters=_count(stats.get("characters")), tokens=_count(stats.get("tokens")),
        split=_split(settings, stats), train_loss=_number(final.get("train_loss")), val_loss=_number(final.get("val_loss")),
        perplexity=_number(final.get("val_perplexity"), 2), nats_per_char=_number(final.get("val_nats_per_char")),
        prompt=json.dumps(info.get("sample_prompt") or settings.get("sample_prompt") or "The", ensure_ascii=False),
        model_ref=repo_id or name,
        console_command=command, module_command=command.replace(CONSOLE_COMMAND, "python -m playground", 1),
    )


def write_model_card(folder: str | os.PathLike, info: dict, name: str | None = None) -> Path:
    """Write README.md (the model card) into `folder`; returns its path."""
    folder = Path(folder)
    path = folder / "README.md"
    model_card(info, name or folder.name).save(path)
    return path


# --------------------------------------------------------------------------- the card's lines


def _start(settings: dict) -> str:
    if settings.get("model"):
        base = hub_base_model(settings["model"])
        named = f"[{base}](https://huggingface.co/{base})" if base else f"the local model '{Path(settings['model']).name}'"
        return named + (f", LoRA adapters (r={settings.get('lora_r')}) merged into the weights" if settings.get("lora") else ", every weight trained")
    return f"random weights (from-scratch size '{settings.get('scratch')}')"


def _size(info: dict) -> str:
    params = info.get("parameters")
    context = info.get("context")
    text = f"{params / 1e6:.2f} M parameters" if isinstance(params, int) else "?"
    return text + (f", context {context} tokens" if context else "")


def _tokenizer(info: dict) -> str:
    settings = info.get("settings", {})
    vocab = info.get("vocab_size")
    spec = settings.get("tokenizer") or "gpt2"
    if settings.get("model"):
        what = "the base model's own"
    elif spec.startswith("bpe:"):
        what = "a byte-level BPE trained on the corpus"
    else:
        what = "GPT-2's byte-level BPE"
    return what + (f" ({vocab:,} tokens)" if isinstance(vocab, int) else "")


def _optimizer(settings: dict) -> str:
    opt = settings.get("optimizer") or "adamw"
    lr = f"lr {settings.get('lr'):g}" if settings.get("lr") else ""
    muon = f", Muon lr {settings['muon_lr']:g}" if settings.get("muon_lr") else ""
    return (f"{'Muon + AdamW' if opt == 'muon' else 'AdamW'}, {lr}{muon}, {settings.get('schedule', 'cosine')} schedule, "
            f"batch {settings.get('batch_size')} x {settings.get('grad_accum', 1)} of {settings.get('block_size')} tokens")


def _corpus(settings: dict) -> str:
    if settings.get("dataset"):
        name = settings["dataset"]
        hub = hub_dataset(settings)
        shown = f"[{hub}](https://huggingface.co/datasets/{hub})" if hub else f"the local dataset '{Path(name).name}'"
        extra = [f"config '{settings['dataset_config']}'"] if settings.get("dataset_config") else []
        extra += [f"split '{settings.get('dataset_split') or 'train'}'"]
        return f"the dataset {shown} ({', '.join(extra)})"
    files = [Path(f).name for f in settings.get("corpus") or []]
    return "the file" + ("s " if len(files) > 1 else " ") + ", ".join(f"`{f}`" for f in files)


def _split(settings: dict, stats: dict) -> str:
    examples = f"{stats.get('train_examples', '?'):,} training and {stats.get('val_examples', '?'):,} validation examples" \
        if isinstance(stats.get("train_examples"), int) else "?"
    if settings.get("val_files"):
        held = "validation from " + ", ".join(f"`{Path(f).name}`" for f in settings["val_files"])
    else:
        held = f"{settings.get('val_fraction', 0.1):.0%} of the corpus held out for validation"
    mode = "one example per line" if settings.get("line_by_line") else f"blocks of {settings.get('block_size')} tokens"
    return f"{examples} ({mode}); {held}"


def _count(n) -> str:
    return f"{n:,}" if isinstance(n, int) else "?"


def _number(x, digits: int = 4) -> str:
    return f"{x:.{digits}f}" if isinstance(x, (int, float)) and math.isfinite(x) else ""


def _duration(seconds) -> str:
    if not isinstance(seconds, (int, float)):
        return "?"
    minutes, s = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {s} s" if minutes else f"{s} s"
