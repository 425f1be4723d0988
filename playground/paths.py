"""Where the playground keeps what it writes: tokenized corpora, trained tokenizers, runs.

One root for all of it, `cache_root()`: `$PLAYGROUND_CACHE` when set, else ~/.cache/gpt2-playground.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    return Path(os.environ.get("PLAYGROUND_CACHE", Path.home() / ".cache" / "gpt2-playground"))
