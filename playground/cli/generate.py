"""`python -m playground generate`: continue a prompt with every decoding knob; streams to the terminal.

Also home of the knob flags shared by `lab` and `compare` (made from playground.knobs.KNOBS, which imports no
torch), and of the model choice they share.
"""

from __future__ import annotations

import argparse
import json
import sys

from playground.cli import printable

ECHO_CHARS = 1000  # a longer prompt is echoed as "…" and its end


def add_model_and_prompt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="NAME_OR_FOLDER", help="catalog name, demo, or a model folder (default: the default model)")
    prompt = p.add_mutually_exclusive_group(required=True)
    prompt.add_argument("--prompt", metavar="TEXT", help='text to continue; "" starts from <|endoftext|>')
    prompt.add_argument("--prompt-file", metavar="FILE", help="read the prompt from a UTF-8 text file (one final newline dropped)")


def prompt_of(args: argparse.Namespace) -> str:
    """The prompt: --prompt as given, or the text of --prompt-file without its final newline."""
    if args.prompt_file is None:
        return args.prompt
    from pathlib import Path

    from playground.corpus_files import read_text_file

    text = read_text_file(Path(args.prompt_file))
    return text[:-1] if text.endswith("\n") else text


def echo(prompt: str) -> str:
    """The prompt as printed before its continuation: control characters escaped, a long one cut to its end."""
    return printable(prompt if len(prompt) <= ECHO_CHARS else "…" + prompt[-ECHO_CHARS:])


def add_knob_arguments(p: argparse.ArgumentParser, only: tuple[str, ...] | None = None) -> None:
    """A flag per decoding knob (or per knob named in `only`), from DecodingSettings' own declarations
    (playground.knobs.KNOBS: flag, metavar, help), as the app's sliders are."""
    from playground.knobs import KNOBS, DecodingSettings

    defaults = DecodingSettings()
    for name, knob in KNOBS.items():
        if only is not None and name not in only:
            continue
        default = getattr(defaults, name)
        said = {"seed": " (default: a fresh one, printed on stderr)", "stops": " (repeatable)"}.get(
            name, f" (default {default})" if name != "temperature" else " (default 1, or 0 with --num-beams)")
        # Every value stays text: DecodingSettings reads the numbers (playground.values.number), so "--top-p nan"
        # is refused in the sentence an API client sending "nan" gets, not in argparse's "invalid float value".
        extra = {"action": "append"} if name == "stops" else {}
        p.add_argument(knob.flag, dest=name, metavar=knob.metavar, help=knob.help + said, **extra)


def settings_from_args(args: argparse.Namespace):
    """The knob flags as DecodingSettings, through the converter the app's forms use too (a flag not
    given keeps the knob's default; beams without --temperature are deterministic)."""
    from playground.knobs import KNOBS, DecodingSettings

    return DecodingSettings.from_values(**{name: getattr(args, name, None) for name in KNOBS})


def load(args: argparse.Namespace):
    from playground.cli.evaluate import resolve_model_arg
    from playground.models import load_model

    return load_model(resolve_model_arg(args.model))


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_model_and_prompt(p)
    add_knob_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object with the step records")


def run(args: argparse.Namespace) -> int:
    from playground.generation import generate, stream

    settings = settings_from_args(args)
    prompt = prompt_of(args)
    model, tokenizer = load(args)
    if args.json:
        result = generate(model, tokenizer, prompt, settings)
        print(json.dumps(result.to_dict()))
    elif settings.num_beams == 1 and settings.num_return_sequences == 1:
        live = stream(model, tokenizer, prompt, settings)
        pieces = iter(live)
        first = next(pieces, "")  # a model that fails, fails before anything is printed
        sys.stdout.write(echo(prompt) + printable(first))
        for piece in pieces:
            sys.stdout.write(printable(piece))
            sys.stdout.flush()
        sys.stdout.write("\n")
        result = live.result
    else:
        result = generate(model, tokenizer, prompt, settings)
        for i, seq in enumerate(result.sequences, 1):
            print(f"--- sequence {i} ---\n{echo(prompt)}{printable(seq.text)}")
    if result.notice:
        print(result.notice, file=sys.stderr)
    if settings.seed is None:
        print(f"seed {result.seed}", file=sys.stderr)
    return 0
