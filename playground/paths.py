"""Where the playground keeps what it writes: tokenized corpora, trained tokenizers, runs.

One root for all of it, `cache_root()`: `$PLAYGROUND_CACHE` when set; else the playground's folder on persistent
storage when there is some (`persistent_root()`: a Hugging Face Space's /data), so runs and caches outlive a
restart; else ~/.cache/gpt2-playground.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# A Space with persistent storage mounts it at /data; the rest of a Space's disk is lost at each restart.
SPACE_PERSISTENT_DIR = "/data"
PERSISTENT_DIR_VARIABLE = "PLAYGROUND_PERSISTENT_DIR"  # names another persistent folder (and lets tests stand one in)
FOLDER = "gpt2-playground"  # ours, inside the persistent folder: /data is the whole Space's


def persistent_root(env: Mapping[str, str] | None = None) -> Path | None:
    """The playground's folder on persistent storage, or None without any: under `$PLAYGROUND_PERSISTENT_DIR`, or
    on a Space (SPACE_ID set) under /data, when that folder exists and this process may write there. /data is
    only taken on a Space: elsewhere it may be anything (a mount of the machine's), not ours to fill."""
    env = os.environ if env is None else env
    base = env.get(PERSISTENT_DIR_VARIABLE) or (SPACE_PERSISTENT_DIR if env.get("SPACE_ID") else "")
    if not base or not os.path.isdir(base) or not os.access(base, os.W_OK | os.X_OK):
        return None
    return Path(base) / FOLDER


def cache_root(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("PLAYGROUND_CACHE"):
        return Path(env["PLAYGROUND_CACHE"])
    return persistent_root(env) or Path.home() / ".cache" / FOLDER
