"""`python -m playground compare`: one prompt and seed through greedy, beam, top-k, top-p and temperatures."""

from __future__ import annotations

import argparse
import json
import sys

from playground.cli import printable
from playground.cli.generate import add_knob_arguments, add_model_and_prompt, echo, load, prompt_of, settings_from_args


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_model_and_prompt(p)
    add_knob_arguments(p, only=("max_new_tokens", "seed"))
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from playground.compare import compare
    from playground.knobs import resolve_seed

    # Checked before the model loads; 0 new tokens is refused like any other bad length, never defaulted.
    settings = settings_from_args(args)
    seed = resolve_seed(settings.seed)
    prompt = prompt_of(args)
    model, tokenizer = load(args)
    results = compare(model, tokenizer, prompt, max_new_tokens=settings.max_new_tokens, seed=seed)
    if args.json:
        print(json.dumps({"strategies": [r.to_dict() for r in results]}))
        return 0
    if args.seed is None:
        print(f"seed {seed}", file=sys.stderr)
    for r in results:
        ppl = "n/a" if r.perplexity is None else f"{r.perplexity:.2f}"
        print(f"=== {r.name}: perplexity {ppl}, distinct-1 {r.distinct_1:.2f}, distinct-2 {r.distinct_2:.2f}, "
              f"repeated 3-grams {r.repeat_3gram_rate:.0%}, {r.length} tokens")
        print(f"{echo(prompt)}{printable(r.text)}\n")
    return 0
