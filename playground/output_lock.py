"""The lock on a run's output folder: one training writes a folder at a time.

A second training pointed at a folder that another one is writing would take the first one's files for a
crash's leftovers and move them aside; so while a run trains, its folder holds `.lock` with the run's
process id. Another training finding a lock refuses in one sentence while that process lives, and takes the
lock over once it is gone (killed, crashed, the machine restarted): nobody has to delete a lock by hand.

The app runs its jobs in threads of one process, so a process id alone cannot tell a live job's lock from one
left by an earlier process that happened to get the same id (a container restarts its ids): each lock also
holds a token of the process that wrote it, and this process knows which folders its jobs hold.

Written by hand: filelock's locks are advisory OS locks that a crashed holder releases, but they say nothing
about who holds one, so the refusal could not name the process; O_EXCL creation of a small file does both.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path

from playground.errors import PlaygroundError
from playground.runs import LOCK_FILE, alive

_TOKEN = uuid.uuid4().hex  # this process
_HELD: set[str] = set()  # folders whose lock a job of this process holds
_GUARD = threading.RLock()  # one acquire at a time in this process: a lock is never judged half-written


def holder(out: Path) -> int | None:
    """The process id of the live training that holds `out`'s lock; None when nobody (or a dead process) does."""
    try:
        lock = json.loads((out / LOCK_FILE).read_text(encoding="utf-8"))
        pid, token = int(lock["pid"]), lock.get("token")
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None  # no lock, or not one a training wrote (a torn write is over in microseconds)
    if pid == os.getpid():
        with _GUARD:
            return pid if token == _TOKEN and str(out) in _HELD else None
    return pid if alive(pid) else None


def busy_message(out: Path, pid: int) -> str:
    return (f"Another training (process {pid}) is writing to '{out}' right now; wait for it to finish, or choose "
            "another output folder.")


def acquire(out: Path) -> bool:
    """Create `out` if needed and take its lock; True when this call created the folder.

    One sentence when another live training holds it, or when the folder cannot be written.
    """
    with _GUARD:
        return _acquire(out)


def _acquire(out: Path) -> bool:
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        for _ in range(3):  # a dead holder's lock is removed, then taken
            try:
                fd = os.open(out / LOCK_FILE, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid = holder(out)
                if pid is not None:
                    raise PlaygroundError(busy_message(out, pid)) from None
                (out / LOCK_FILE).unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"pid": os.getpid(), "token": _TOKEN}, f)
            _HELD.add(str(out))
            return created
    except OSError as e:
        raise PlaygroundError(f"Cannot write to the output folder '{out}' ({e.strerror}); choose a writable folder.") from None
    raise PlaygroundError(busy_message(out, holder(out) or 0))


def release(out: Path) -> None:
    """Give the lock back (only a lock this process holds; the folder may be gone already)."""
    with _GUARD:
        if str(out) not in _HELD:
            return
        _HELD.discard(str(out))
    try:
        lock = json.loads((out / LOCK_FILE).read_text(encoding="utf-8"))
        if lock.get("pid") == os.getpid() and lock.get("token") == _TOKEN:
            (out / LOCK_FILE).unlink()
    except (OSError, ValueError):
        pass
