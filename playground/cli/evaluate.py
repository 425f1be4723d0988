"""`python -m playground eval`: perplexity, loss and nats/char of a model on a text file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="NAME_OR_FOLDER", help="catalog name, demo, or a model folder (default: the default model)")
    p.add_argument("--text-file", required=True, metavar="FILE", help="UTF-8 text to score")
    p.add_argument("--stride", metavar="N", help="sliding-window stride in tokens (default: half the context)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def resolve_model_arg(name: str | None) -> str:
    """The model the user named, or the default model with a one-line notice on stderr (only when --model is
    left out: an empty --model "" is refused by load_model, never taken for "the default")."""
    if name is not None:
        return name
    from playground.models import default_model

    d = default_model()
    print(d.reason, file=sys.stderr)
    return d.name


def run(args: argparse.Namespace) -> int:
    from playground.corpus_files import read_text_file
    from playground.evaluation import perplexity
    from playground.models import load_model

    from playground.values import number

    stride = number("Stride", args.stride, integer=True, lo=1, blank=None)  # its upper bound, the context, comes with the model
    text = read_text_file(Path(args.text_file))
    model, tokenizer = load_model(resolve_model_arg(args.model))
    result = perplexity(model, tokenizer, text, stride=stride)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(f"loss {result.loss:.4f} nats/token, perplexity {result.perplexity:.2f}, "
              f"{result.tokens} tokens, {result.characters} characters, {result.nats_per_char:.4f} nats/char")
    return 0
