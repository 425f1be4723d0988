"""`python -m playground SUBCOMMAND …`: one module per sub-command, each with
`add_arguments(parser)` and `run(args) -> int` (litgpt-style: the CLI is a thin map).

A PlaygroundError anywhere becomes one sentence on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

# sub-command -> (module, one-line help). Modules are imported when the parser is built.
COMMANDS = {
    "train": ("playground.cli.train", "fine-tune a GPT-2 or train one from scratch on a corpus"),
    "eval": ("playground.cli.evaluate", "perplexity and nats/char of a model on a text"),
    "generate": ("playground.cli.generate", "continue a prompt with every decoding knob (streams)"),
    "lab": ("playground.cli.lab", "the next-token distribution after each decoding knob, and sampled-token counts"),
    "compare": ("playground.cli.compare", "one prompt through greedy, beam, top-k, top-p and temperature presets"),
    "push": ("playground.cli.push", "upload a finished run (model, tokenizer, card; no checkpoints) to the Hugging Face Hub"),
}


class _Parser(argparse.ArgumentParser):
    """argparse, with its refusals in one line like every other error (its usage text is what --help prints)."""

    def error(self, message: str):
        self.exit(2, f"error: {message[:1].upper() + message[1:]}; see {self.prog} --help.\n")


def build_parser() -> argparse.ArgumentParser:
    # Usage lines name the command as it was typed: the installed `gpt2-playground`, or `python -m playground`.
    prog = "gpt2-playground" if Path(sys.argv[0]).stem == "gpt2-playground" else "python -m playground"
    parser = _Parser(prog=prog, description="GPT-2 Playground engine.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        mod = importlib.import_module(module)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from playground.errors import PlaygroundError

    args = build_parser().parse_args(argv)
    _quiet_libraries()
    try:
        return int(args._run(args) or 0)
    except PlaygroundError as e:
        print(f"error: {printable(str(e))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


# C0/C1 controls but newline and tab (escape sequences, carriage returns, bells) and bidi overrides.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` safe to write to a terminal: control characters become visible escapes (`\\x1b`, `\\r`),
    so a prompt or a generated token cannot move the cursor, recolour or retitle the terminal."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _quiet_libraries() -> None:
    """The CLI prints its own progress; silence the libraries' bars and advice."""
    import datasets
    from transformers.utils import logging as hf_logging

    datasets.disable_progress_bars()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
