"""Write a file or a folder whole or not at all: into a temporary name beside it, then one rename.

A reader (the app's timer, another process sharing the cache) never sees half of it, and a crash never
leaves half of it under the real name: os.replace is atomic within one filesystem, and the temporary
name sits in the same folder, so it is on the same filesystem.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; write the file or folder there, and on leaving the block it
    replaces `path` in one rename. On an error (the rename's included) the temporary is removed and the
    error raised; `path` is as it was.

    A folder can replace only a missing or empty folder (os.replace's rule): one already filled by
    another process makes the rename fail with OSError, which a cache treats as "somebody got there first".
    """
    path = Path(path)
    # Per writer, not per process: two threads of the app (two events zipping the same run) shared one name,
    # and the second rename found the first had taken it away.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write a whole text file (UTF-8) or nothing."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
