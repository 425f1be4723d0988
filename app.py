"""GPT-2 Playground: `python app.py` opens the app at http://127.0.0.1:7860 (see README, "The app")."""

from __future__ import annotations

import argparse
import os
import signal


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="GPT-2 Playground: train, generate and take decoding apart in the browser.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 serves your network)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)),
                        help="port (default $GRADIO_SERVER_PORT or 7860)")
    parser.add_argument("--share", action="store_true", help="also serve through a temporary public gradio.live link")
    parser.add_argument("--hosted", action="store_true", default=bool(os.environ.get("SPACE_ID")),
                        help="hosted mode (on when SPACE_ID is set): catalog models only, upload limit, one training job at a time")
    parser.add_argument("--model", action="append", default=None,
                        help="offer this model name or folder first in the model selector (repeatable; the first is the default)")
    args = parser.parse_args(argv)
    if os.environ.get("SPACE_ID") and args.host == "127.0.0.1":
        args.host = "0.0.0.0"  # a Space reaches the app from outside its container
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    from playground.ui import build_app, launch

    # SIGTERM (a service manager, `kill`) stops the server the way Ctrl-C does, so a training job is saved.
    signal.signal(signal.SIGTERM, _interrupt)

    launch(build_app(hosted=args.hosted, models=args.model), host=args.host, port=args.port, share=args.share)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
