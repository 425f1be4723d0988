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

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import gradio as gr

from playground import runs as runs_lib
from playground.errors import PlaygroundError
from playground.limits import HostedLimits
from playground.models import PRETRAINED, default_model, model_label
from playground.ui.i18n import language_of, tr
from playground.ui.model_cache import ModelCache
from playground.ui.sessions import Session
from playground.ui.slots import TrainingSlots

MAX_UPLOAD_MB_HOSTED = 10
MAX_RUN_CHOICES = 20  # finished runs offered in the model selector (newest first); the Runs tab lists all
ACTIVE = runs_lib.RUNNING_STATUSES  # a job under way: playground.runs has the one definition


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
        self.closing: set[Path] = set()  # hosted: folders of closed sessions, removed once their jobs end
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
    def session(self, request: gr.Request | None, *, language: bool = True) -> Session:
        """The request's session, created on its first request; `language`: it takes the request's language."""
        sid = getattr(request, "session_hash", None) or "local"
        with self._lock:
            s = self.sessions.get(sid)
            if s is None:
                s = self.sessions[sid] = Session(sid, self.runs_dir / f"session-{sid[:12]}")
            s.last_seen = time.monotonic()
            if request is not None and language:
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
            with self._lock:
                self.closing.add(s.workdir)
            threading.Thread(target=self._remove_later, args=(s,), daemon=True).start()

    def _remove_later(self, session: Session) -> None:
        """A closed session's files, once its job (stopped by release_session) has ended: a job still saving or
        evaluating writes into its folder, and deleting it under the job would crash it mid-write."""
        try:
            if session.job is not None:
                session.job.wait()
            shutil.rmtree(session.workdir, ignore_errors=True)
            for upload in session.uploads:  # gradio keeps uploads until its age-based sweep: go sooner
                Path(upload).unlink(missing_ok=True)
        finally:
            with self._lock:
                self.closing.discard(session.workdir)

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
            with self._lock:  # sessions still open, or closing (their folders go once their jobs end)
                live = {s.workdir for s in self.sessions.values()} | self.closing
            caches = [entry for kind in ("corpus", "tokenizers", "datasets") for entry in (cache_root() / kind).glob("*")]
            # Session folders no session of this app owns: what a restart left on persistent storage.
            leftovers = [folder for folder in self.runs_dir.glob("session-*") if folder not in live]
            for entry in caches + leftovers:
                try:
                    if entry.stat().st_mtime < cutoff:
                        shutil.rmtree(entry, ignore_errors=True)
                except FileNotFoundError:  # removed meanwhile
                    continue
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
        name = name.strip() if isinstance(name, str) else ""
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
