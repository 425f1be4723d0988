"""GPT-2 Playground: `python app.py` opens the app at http://127.0.0.1:7860 (README, "Set up").

The flags, and `python app.py COMMAND …` for the command line, are playground.launcher's, the same as the
installed `gpt2-playground` command's.
"""

import sys

from playground.launcher import console, main, parse_args  # noqa: F401 - main and parse_args for callers and tests

if __name__ == "__main__":
    sys.exit(console())
