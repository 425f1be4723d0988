"""What the app remembers: one AppContext per app, one Session per browser tab.

Gradio shares module-level objects between every user, and `gr.State` deep-copies its value, which a
model, a thread or a lock cannot survive. So, as gradio's "state in Blocks" guide advises, sessions
live in a dict keyed by `request.session_hash`: made on `demo.load` (or on a session's first event,
for API clients that never load the page) and released on `demo.unload`, which also stops the
session's training job so a closed browser never leaves a job running without an owner.

Hosted mode (a Space, `--hosted`): models only from the catalog or trained in the session, named by label
(no server paths reach the page), an upload size limit, one training job at a time across all users,
queued in order, the host's limits (playground.limits: time per job, sizes, tokens per step, text per
evaluation, disk), and sessions that go idle closed with their files.

Locally, training jobs belong to the app, not to a page: closing or reloading the page leaves a job
running, and the next page to open re-attaches to it (its live chart and its Stop button). Runs are
saved under one runs folder and listed from disk (playground.runs), so they outlive the app too.
"""

from __future__ import annotations

import functools
import inspect
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from playground import runs as runs_lib
from playground.errors import PlaygroundError
from playground.limits import HostedLimits
from playground.models import PRETRAINED, default_model, load_model, model_label
from playground.ui.i18n import error, language_of, tr

MAX_UPLOAD_MB_HOSTED = 10
MODEL_CACHE_SIZE = 3
MAX_RUN_CHOICES = 20  # finished runs offered in the model selector (newest first); the Runs tab lists all
ACTIVE = runs_lib.RUNNING_STATUSES  # a job under way: playground.runs has the one definition


# --------------------------------------------------------------------------- errors


def friendly(*, message: int, outputs: int) -> Callable:
    """Show a handler's PlaygroundError as one sentence, inline, never a traceback; the app keeps serving.

    The sentence goes into output `message` (of `outputs`) as an error note that stays until the next
    action, and every other output keeps what it showed (gr.skip()): no 10-second toast, no outputs wiped
    to bare "Error" badges. Works for plain functions and generators.
    """
    def decorate(fn: Callable) -> Callable:
        def shown(e: PlaygroundError, args: tuple, kwargs: dict):
            from playground.ui.common import note

            request = next((a for a in (*args, *kwargs.values()) if isinstance(a, gr.Request)), None)
            values = [gr.skip()] * outputs
            values[message] = note(error(language_of(request), str(e)), "error")
            return values[0] if outputs == 1 else tuple(values)

        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                try:
                    yield from fn(*args, **kwargs)
                except PlaygroundError as e:
                    yield shown(e, args, kwargs)
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except PlaygroundError as e:
                return shown(e, args, kwargs)
        return wrapper

    return decorate


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
    announced: object | None = None  # the job whose end the Train tab has shown (selector, download)
    pending: object | None = None  # a TrainConfig waiting for the shared training slot (hosted)
    generation: object | None = None  # the last GenerationResult (for "branch from here")
    generation_model: str = ""
    generation_settings: object | None = None
    generation_stop: threading.Event = field(default_factory=threading.Event)
    lab: object | None = None  # the last LabResult (for step mode)
    lab_model: str = ""
    last_seen: float = field(default_factory=time.monotonic)  # hosted: idle sessions are closed
    uploads: list[str] = field(default_factory=list)  # hosted: removed with the session
    language: str = "en"  # of the page's last request (playground.ui.i18n): what the server writes is in it


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
        from playground.paths import cache_root, persistent_root

        persistent = persistent_root()  # a Space's /data: runs and caches there outlive a restart
        if runs_dir:
            self.runs_dir = Path(runs_dir)
        elif hosted and not persistent:  # a Space's disk is shared and ephemeral: session files go with the session
            self.runs_dir = Path(tempfile.mkdtemp(prefix="playground-runs-"))
        else:  # locally, or on persistent storage, trained models outlive the app
            self.runs_dir = cache_root() / "runs"
        self.sessions: dict[str, Session] = {}
        self.jobs: dict[str, tuple[str, object]] = {}  # output folder -> (label, TrainingJob), this app's jobs
        self._lock = threading.Lock()
        self.start_lock = threading.Lock()
        self.limits = HostedLimits.from_env() if hosted else None
        if hosted:
            # Tokenized corpora and corpus tokenizers of uploads must not outlive their sessions on a shared
            # disk: cache them in a folder the reaper empties (unless the host chose one, or the Space has
            # persistent storage, where the reaper empties the cache and what a restart left of sessions).
            if not persistent:
                os.environ.setdefault("PLAYGROUND_CACHE", tempfile.mkdtemp(prefix="playground-cache-"))
            reaper = threading.Thread(target=self._reap_forever, name="session-reaper", daemon=True)
            reaper.start()

    # ---- sessions -------------------------------------------------------
    def session(self, request: gr.Request | None) -> Session:
        sid = getattr(request, "session_hash", None) or "local"
        with self._lock:
            s = self.sessions.get(sid)
            if s is None:
                s = self.sessions[sid] = Session(sid, self.runs_dir / f"session-{sid[:12]}")
            s.last_seen = time.monotonic()
            if request is not None:
                s.language = language_of(request)
            return s

    def release(self, request: gr.Request | None) -> None:
        """The browser went away: leave the queue, forget its state (hosted: stop its job, remove its files)."""
        self.release_session(getattr(request, "session_hash", None) or "local")

    def release_session(self, sid: str) -> None:
        with self._lock:
            s = self.sessions.pop(sid, None)
        if s is None:
            return
        self.slots.leave(sid)
        s.generation_stop.set()
        if self.hosted:
            # On a shared host a job without its page would hold the only slot for nobody.
            if s.job is not None:
                s.job.stop()
            # Session models go with the session (on a Space the disk is shared and small).
            for folder in s.models.values():
                self.cache.forget(folder)
            threading.Thread(target=_remove_later, args=(s,), daemon=True).start()

    def reap(self, now: float | None = None) -> list[str]:
        """Hosted: close sessions idle for longer than the limit (clients that never unload), and empty the
        caches of entries as old, when no job is reading them. Returns the closed session ids."""
        if self.limits is None:
            return []
        now = time.monotonic() if now is None else now
        idle = self.limits.idle_minutes * 60
        with self._lock:
            stale = [sid for sid, s in self.sessions.items() if now - s.last_seen > idle
                     and not (s.job is not None and s.job.snapshot().status in ACTIVE)]
        for sid in stale:
            self.release_session(sid)
        if not self.running_jobs():
            from playground.paths import cache_root

            cutoff = time.time() - idle
            with self._lock:
                live = {s.workdir for s in self.sessions.values()}
            caches = [entry for kind in ("corpus", "tokenizers") for entry in (cache_root() / kind).glob("*")]
            # Session folders no session of this app owns: what a restart left on persistent storage.
            leftovers = [folder for folder in self.runs_dir.glob("session-*") if folder not in live]
            for entry in caches + leftovers:
                if entry.stat().st_mtime < cutoff:
                    shutil.rmtree(entry, ignore_errors=True)
        return stale

    def _reap_forever(self) -> None:
        while True:
            time.sleep(min(60.0, self.limits.idle_minutes * 15))
            try:
                self.reap()
            except OSError:
                continue  # a file vanished mid-walk: next round

    def check_disk(self) -> None:
        """Hosted: refuse new work (a job, an upload) while the disk budget is used up."""
        if self.limits is None:
            return
        from playground.paths import cache_root

        gradio_tmp = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")
        folders = {f.resolve() for f in (self.runs_dir, cache_root(), gradio_tmp)}
        # On persistent storage the runs folder lies inside the cache's: count it once.
        self.limits.check_disk(*(f for f in folders if not folders.intersection(f.parents)))

    def running_jobs(self) -> int:
        with self._lock:
            jobs = [job for _, job in self.jobs.values()]
        return sum(1 for job in jobs if runs_lib.is_running(job.snapshot().status))

    def stop_jobs(self, timeout: float = 300.0) -> None:
        """Stop every running job and wait for each to save its model so far (the app is shutting down)."""
        with self._lock:
            running = [(label, job) for label, job in self.jobs.values() if job.snapshot().status in ACTIVE]
        for label, job in running:
            print(f"Stopping {label}: saving the model so far… (Ctrl-C again to quit without saving)", flush=True)
            job.stop()
        for _, job in running:
            job.wait(timeout)

    def add_job(self, session: Session, label: str, job) -> None:
        with self._lock:
            self.jobs[str(job.output)] = (label, job)
        session.job, session.job_label = job, label

    def attach(self, session: Session) -> bool:
        """Locally, a page that opens while a job runs takes it over (after a reload or from another tab)."""
        if self.hosted or (session.job is not None and session.job.snapshot().status in ACTIVE):
            return session.job is not None and session.job.snapshot().status in ACTIVE
        with self._lock:
            running = [(label, job) for label, job in self.jobs.values() if job.snapshot().status in ACTIVE]
        if not running:
            return False
        session.job_label, session.job = running[-1]
        return True

    # ---- runs -------------------------------------------------------------
    def runs_root(self, session: Session) -> Path:
        """Where a session's runs live: locally one folder for all, hosted one folder per session."""
        return session.workdir if self.hosted else self.runs_dir

    def runs(self, session: Session) -> list[runs_lib.RunInfo]:
        return runs_lib.list_runs(self.runs_root(session))

    # ---- models ---------------------------------------------------------
    def model_choices(self, session: Session | None) -> list[tuple[str, str]]:
        """(label, value) pairs for a model dropdown: catalog first, then this session's trained models."""
        out = [(self.label(m), m) for m in self.catalog]
        if session is not None:  # by label: a server path never reaches the page
            out += [(f"{label} (trained here)", label) for label in session.models]
        if session is not None and not self.hosted:  # locally, every finished run, from earlier sessions too
            known = {value for _, value in out}
            finished = [r for r in self.runs(session) if r.finished and str(r.folder) not in known]
            out += [(f"{r.name} (run)", str(r.folder)) for r in finished[:MAX_RUN_CHOICES]]
        if session is not None:  # in the page's language (the list the page opens with: i18n.localize)
            out = [(tr(session.language, label), value) for label, value in out]
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
        if name in session.models:
            return session.models[name]
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
    for upload in session.uploads:  # gradio keeps uploads until its age-based sweep: go sooner
        Path(upload).unlink(missing_ok=True)
