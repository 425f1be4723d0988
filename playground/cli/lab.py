"""`python -m playground lab`: the next-token distribution after every knob, and a histogram of draws."""

from __future__ import annotations

import argparse
import json

from playground.cli.generate import add_knob_arguments, add_model_and_prompt, load, prompt_of, settings_from_args


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_model_and_prompt(p)
    add_knob_arguments(p)
    p.add_argument("--top-n", default=10, metavar="N", help="tokens listed per stage (default 10)")
    p.add_argument("--samples", default=10_000, metavar="N", help="draws for the histogram (default 10000, at most 100000)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from playground.decoding import lab
    from playground.knobs import MAX_SAMPLES, MAX_TOP_N
    from playground.values import number

    settings = settings_from_args(args)
    # Read here as lab() reads them, so a bad count is refused before the model loads.
    top_n = number("top-n", args.top_n, integer=True, lo=1, hi=MAX_TOP_N)
    samples = number("The number of samples", args.samples, integer=True, lo=1, hi=MAX_SAMPLES)
    prompt = prompt_of(args)
    model, tokenizer = load(args)
    result = lab(model, tokenizer, prompt, settings, top_n=top_n, samples=samples)
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    if result.notice:
        print(result.notice)
    for stage in result.stages:
        state = "" if stage.active else " (off)"
        print(f"{stage.name}{state}: {stage.kept} tokens kept")
        print("    " + "  ".join(f"{t.token!r} {t.prob:.3f}" for t in stage.top))
        if stage.cut:
            print("    cut: " + "  ".join(repr(t.token) for t in stage.cut))
    hist = result.histogram
    how = "greedy always picks the top token" if result.greedy else f"seed {hist.seed}"
    print(f"\n{hist.draws} draws ({how}): token, count, expected")
    for row in hist.counts:
        print(f"    {row.token!r:<20} {row.count:>7} {row.expected:>10.1f}")
    if hist.other_count or hist.other_expected >= 0.5:
        print(f"    {'(other tokens)':<20} {hist.other_count:>7} {hist.other_expected:>10.1f}")
    return 0
