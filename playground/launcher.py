"""Starting the playground: `python app.py` and the `gpt2-playground` command.

`gpt2-playground` with no sub-command starts the app (the same flags as `python app.py`);
`gpt2-playground train|eval|generate|… ARGS` runs that command of the CLI (`playground.cli.COMMANDS`).

The app honours gradio's own environment variables as `gradio app.py` does (GRADIO_SERVER_NAME,
GRADIO_SERVER_PORT), and a Hugging Face Space's SPACE_ID (hosted mode, served on 0.0.0.0); a flag on the
command line wins over any of them. Nothing heavy is imported here: the page is served before torch.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Mapping

LOCAL_HOST = "127.0.0.1"  # only this computer: the safe default off a Space
DEFAULT_PORT = 7860  # gradio's


def build_parser(env: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    """The app's flags, their defaults read from `env` (the process environment by default)."""
    env = os.environ if env is None else env
    space = bool(env.get("SPACE_ID"))
    from playground.cli import COMMANDS

    commands = "\n".join(f"  {name:<9} {help_text}" for name, (_, help_text) in COMMANDS.items())
    parser = argparse.ArgumentParser(
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="GPT-2 Playground: train, generate and take decoding apart in the browser.",
        epilog=f"commands (`%(prog)s COMMAND --help` for each one's flags):\n{commands}")
    parser.add_argument("--host", default=env.get("GRADIO_SERVER_NAME") or ("0.0.0.0" if space else LOCAL_HOST),
                        help="address to bind (default $GRADIO_SERVER_NAME, else 0.0.0.0 on a Space and 127.0.0.1 "
                             "elsewhere; 0.0.0.0 serves your network)")
    parser.add_argument("--port", type=int, default=None,
                        help=f"port (default $GRADIO_SERVER_PORT, else {DEFAULT_PORT})")
    parser.add_argument("--share", action="store_true", help="also serve through a temporary public gradio.live link")
    parser.add_argument("--hosted", action="store_true", default=space,
                        help="hosted mode (on when SPACE_ID is set): catalog models only, upload limit, one training job at a time")
    parser.add_argument("--model", action="append", default=None,
                        help="offer this model name or folder first in the model selector (repeatable; the first is the default)")
    return parser


def parse_args(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> argparse.Namespace:
    """The app's settings from the command line, then gradio's environment variables, then the defaults."""
    env = os.environ if env is None else env
    parser = build_parser(env)
    args = parser.parse_args(argv)
    if args.port is None:
        args.port = _env_port(env.get("GRADIO_SERVER_PORT"), parser)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, not {args.port}")
    return args


def _env_port(value: str | None, parser: argparse.ArgumentParser) -> int:
    if value is None or not value.strip():
        return DEFAULT_PORT
    try:
        return int(value)
    except ValueError:
        parser.error(f"GRADIO_SERVER_PORT must be a port number, not '{value}'")


def main(argv: list[str] | None = None) -> None:
    """Start the app and serve until Ctrl-C or SIGTERM."""
    args = parse_args(argv)
    from playground.ui import build_app, launch

    # SIGTERM (a service manager, `kill`, a Space stopping) stops the server the way Ctrl-C does, so a
    # training job is saved.
    signal.signal(signal.SIGTERM, _interrupt)
    launch(build_app(hosted=args.hosted, models=args.model), host=args.host, port=args.port, share=args.share)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def console(argv: list[str] | None = None) -> int:
    """`gpt2-playground [COMMAND] …`: a CLI command when the first word names one, else the app."""
    argv = sys.argv[1:] if argv is None else list(argv)
    from playground.cli import COMMANDS

    if argv and argv[0] in COMMANDS:
        from playground import cli

        return cli.main(argv)
    if argv and not argv[0].startswith("-"):
        build_parser().error(
            f"unknown command '{argv[0]}'; use one of {', '.join(COMMANDS)}, or no command to start the app")
    main(argv)
    return 0
