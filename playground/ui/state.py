"""What the app remembers: one AppContext per app, one Session per browser tab.

Gradio shares module-level objects between every user, and `gr.State` deep-copies its value, which a
model, a thread or a lock cannot survive. So, as gradio's "state in Blocks" guide advises, sessions
live in a dict keyed by `request.session_hash`: made on `demo.load` (or on a session's first event,
for API clients that never load the page) and released on `demo.unload`, which also stops the
session's training job so a closed browser never leaves a job running without an owner.

Hosted mode (a Space, `--hosted`): models only from the catalog or trained in the session (no server
paths), an upload size limit, and one training job at a time across all users, queued in order.
"""

from __future__ import annotations

import functools
import inspect
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from playground.errors import PlaygroundError
from playground.models import PRETRAINED, default_model, load_model, model_label

MAX_UPLOAD_MB_HOSTED = 10
MODEL_CACHE_SIZE = 3


# --------------------------------------------------------------------------- errors


def friendly(fn: Callable) -> Callable:
    """Turn a PlaygroundError into a Gradio error toast (one sentence, no traceback) for a handler.

    Works for plain functions and generators; the app keeps serving either way.
    """
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except PlaygroundError as e:
                raise gr.Error(str(e), title="Cannot do that", print_exception=False) from None
        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PlaygroundError as e:
            raise gr.Error(str(e), title="Cannot do that", print_exception=False) from None
    return wrapper


# --------------------------------------------------------------------------- models


class ModelCache:
    """Loaded (model, tokenizer) pairs shared by every session, least recently used dropped first.

    Inference never changes a model, so sessions can share them; a per-name lock stops two sessions
    from loading the same model twice at once.
    """

    def __init__(self, size: int = MODEL_CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def get(self, name: str):
        with self._lock:
            if name in self._items:
                self._items.move_to_end(name)
                return self._items[name]
            lock = self._loading.setdefault(name, threading.Lock())
        with lock:
            with self._lock:
                if name in self._items:
                    return self._items[name]
            pair = load_model(name)
            with self._lock:
                self._items[name] = pair
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            return pair

    def forget(self, name: str) -> None:
        with self._lock:
            self._items.pop(name, None)


# --------------------------------------------------------------------------- corpus choice


@dataclass
class CorpusChoice:
    """The corpus the Data tab prepared; the Train tab trains on it with these settings."""

    label: str
    files: list[str]
    val_files: list[str]
    cleaning: object  # corpus.Cleaning
    mode: str
    block_size: int
    stride: int | None
    val_fraction: float
    text_field: str | None
    stats: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- sessions


@dataclass
class Session:
    id: str
    workdir: Path
    corpus: CorpusChoice | None = None
    models: dict[str, str] = field(default_factory=dict)  # label -> folder, trained in this session
    job: object | None = None  # training.TrainingJob
    job_label: str = ""
    pending: object | None = None  # a TrainConfig waiting for the shared training slot (hosted)
    generation: object | None = None  # the last GenerationResult (for "branch from here")
    generation_model: str = ""
    generation_settings: object | None = None
    generation_stop: threading.Event = field(default_factory=threading.Event)
    lab: object | None = None  # the last LabResult (for step mode)
    lab_model: str = ""
    last_seen: float = field(default_factory=time.monotonic)


class TrainingSlots:
    """At most `limit` training jobs at once across all sessions (None: no limit); the rest wait in order."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self._queue: list[str] = []  # session ids waiting
        self._lock = threading.Lock()

    def position(self, session_id: str) -> int | None:
        """1-based place in the waiting line, or None when not waiting."""
        with self._lock:
            return self._queue.index(session_id) + 1 if session_id in self._queue else None

    def enqueue(self, session_id: str) -> int:
        with self._lock:
            if session_id not in self._queue:
                self._queue.append(session_id)
            return self._queue.index(session_id) + 1

    def leave(self, session_id: str) -> None:
        with self._lock:
            if session_id in self._queue:
                self._queue.remove(session_id)

    def may_start(self, session_id: str, running: int) -> bool:
        """True when this session is first in line (or nobody waits) and a slot is free; it leaves the line."""
        with self._lock:
            if self.limit is not None and running >= self.limit:
                return False
            if self._queue and self._queue[0] != session_id:
                return False
            if self._queue:
                self._queue.pop(0)
            return True


class AppContext:
    """Everything one app instance shares: settings, the model catalog and cache, sessions, training slots."""

    def __init__(self, *, hosted: bool = False, models: list[str] | None = None, default: str | None = None,
                 runs_dir: str | Path | None = None):
        self.hosted = hosted
        self.extra_models = [str(m) for m in (models or [])]
        if default is None and self.extra_models:
            default = self.extra_models[0]
        if default is None:
            d = default_model()
            self.default, self.default_notice = d.name, d.reason
        else:
            self.default, self.default_notice = str(default), f"Default: {model_label(str(default))}, chosen at launch."
        self.catalog = list(dict.fromkeys([*self.extra_models, "demo", *PRETRAINED]))
        if self.default not in self.catalog:
            self.catalog.insert(0, self.default)
        self.cache = ModelCache()
        self.slots = TrainingSlots(1 if hosted else None)
        self.max_upload_mb = MAX_UPLOAD_MB_HOSTED if hosted else None
        if runs_dir:
            self.runs_dir = Path(runs_dir)
        elif hosted:  # a Space's disk is shared and ephemeral: session files go with the session
            self.runs_dir = Path(tempfile.mkdtemp(prefix="playground-runs-"))
        else:  # locally, trained models outlive the app
            from playground.corpus import cache_root

            self.runs_dir = cache_root() / "runs"
        self.sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.start_lock = threading.Lock()

    # ---- sessions -------------------------------------------------------
    def session(self, request: gr.Request | None) -> Session:
        sid = getattr(request, "session_hash", None) or "local"
        with self._lock:
            s = self.sessions.get(sid)
            if s is None:
                s = self.sessions[sid] = Session(sid, self.runs_dir / f"session-{sid[:12]}")
            s.last_seen = time.monotonic()
            return s

    def release(self, request: gr.Request | None) -> None:
        """The browser went away: stop its training job, leave the queue, forget its state."""
        sid = getattr(request, "session_hash", None) or "local"
        with self._lock:
            s = self.sessions.pop(sid, None)
        if s is None:
            return
        self.slots.leave(sid)
        if s.job is not None:
            s.job.stop()
        s.generation_stop.set()
        if self.hosted:
            # Session models go with the session (on a Space the disk is shared and small).
            for folder in s.models.values():
                self.cache.forget(folder)
            threading.Thread(target=_remove_later, args=(s,), daemon=True).start()

    def running_jobs(self) -> int:
        with self._lock:
            sessions = list(self.sessions.values())
        active = ("idle", "preparing", "training", "saving")  # idle: started, thread not yet reporting
        return sum(1 for s in sessions if s.job is not None and s.job.snapshot().status in active)

    # ---- models ---------------------------------------------------------
    def model_choices(self, session: Session | None) -> list[tuple[str, str]]:
        """(label, value) pairs for a model dropdown: catalog first, then this session's trained models."""
        out = [(self.label(m), m) for m in self.catalog]
        if session is not None:
            out += [(f"{label} (trained here)", folder) for label, folder in session.models.items()]
        return out

    def label(self, name: str) -> str:
        if name == "demo":
            return "demo (bundled)"
        if name in PRETRAINED:
            return f"{name} (Hub)"
        return model_label(name)

    def check_model(self, session: Session, name: str | None) -> str:
        """The model a session may use: catalog names and its own trained models, plus (locally) any folder."""
        name = (name or "").strip()
        if not name:
            raise PlaygroundError("Choose a model first.")
        if name in self.catalog or name in session.models.values():
            return name
        if self.hosted:
            raise PlaygroundError(f"'{name}' is not available here; choose a model from the list.")
        return name  # locally, any folder the user names (resolve() checks it)

    def model(self, session: Session, name: str | None):
        """(model, tokenizer) for a dropdown value, loaded once and shared."""
        return self.cache.get(self.check_model(session, name))


def _remove_later(session: Session, wait: float = 30.0) -> None:
    if session.job is not None:
        session.job.wait(wait)
    shutil.rmtree(session.workdir, ignore_errors=True)
