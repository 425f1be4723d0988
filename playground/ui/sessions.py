"""One Session per browser tab: what the app remembers for it (its corpus, models, job, last generation, lab).

Gradio shares module-level objects between every user, and `gr.State` deep-copies its value, which a model, a
thread or a lock cannot survive. So, as gradio's "state in Blocks" guide advises, sessions live in a dict keyed
by `request.session_hash` (playground.ui.state.AppContext.session).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


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
    dataset: object | None = None  # dataset_corpus.DatasetSource, when the corpus is a dataset instead of files


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
    opened: int = 0  # how many of the page's opening events have answered (a language switch waits for them: app.py)
    _opening: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def answered_one(self) -> None:
        with self._opening:
            self.opened += 1
            self._opening.notify_all()

    def wait_opened(self, events: int, timeout: float) -> bool:
        """Wait until `events` opening events have answered (False: `timeout` seconds passed first)."""
        with self._opening:
            return self._opening.wait_for(lambda: self.opened >= events, timeout)
