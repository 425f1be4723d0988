"""Training runs on disk: list, read, zip, delete, and the CLI command that repeats or resumes one.

A run is an output folder of `python -m playground train` (or of the app's Train tab). Besides the
model, it holds:

    run.json        status while and after it runs: running | done | stopped | failed, the process id,
                    start time, base model, settings and the last message (written atomically); its
                    "format" field (RUN_FORMAT) is the mark that the playground made the folder
    .lock           while a training writes the folder: its process id (playground.saving.OutputLock)
    metrics.jsonl   one JSON record per log / evaluation (see training.LiveMetrics)
    playground.json written last by a finished save: settings, corpus stats, final metrics
    checkpoint-N    the newest complete checkpoint, for --resume

Only the standard library is imported here (no torch), so the app can list runs before the heavy
libraries have loaded.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from playground.atomic import atomic_write, replacing
from playground.errors import PlaygroundError

RUN_FILE = "run.json"
METRICS_FILE = "metrics.jsonl"
FINISHED_FILE = "playground.json"
LOCK_FILE = ".lock"
# Written into every run.json: a folder is the playground's own run only when its run.json says so. Files that
# merely share a name (a user's own run.json or metrics.jsonl) never make a folder ours to clear or resume.
RUN_FORMAT = "gpt2-playground-run-1"
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
# What a crashed run may leave behind: a run folder (owned) holding only these can be trained into afresh.
LEFTOVERS = {RUN_FILE, METRICS_FILE, "previous-metrics.jsonl", ".saving", ".write-test", "runs", LOCK_FILE}

# The one definition of a run under way. run.json says "running" (RunInfo.status); a live TrainingJob
# (JobSnapshot.status) names its phase, from "idle" (started, its thread not yet reporting) through
# preparing, training and saving. done, stopped, failed and interrupted are over.
RUNNING = "running"
RUNNING_STATUSES = frozenset({RUNNING, "idle", "preparing", "training", "saving"})


def is_running(status: str | None) -> bool:
    """True for a run or a job that is under way (and so holds a training slot and cannot be deleted)."""
    return status in RUNNING_STATUSES


def last_checkpoint(folder: str | os.PathLike) -> Path | None:
    """The newest complete checkpoint (trainer_state.json is written last, so it marks completeness)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    done = [(int(m.group(1)), p) for p in folder.iterdir()
            if (m := _CHECKPOINT.match(p.name)) and (p / "trainer_state.json").exists()]
    return max(done)[1] if done else None


def checkpoint_step(checkpoint: str | os.PathLike) -> int:
    return int(_CHECKPOINT.match(Path(checkpoint).name).group(1))


def read_metrics(folder: str | os.PathLike) -> list[dict]:
    """The records of metrics.jsonl (skipping a torn last line after a crash)."""
    path = Path(folder) / METRICS_FILE
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


def keep_metrics_until(folder: str | os.PathLike, step: int) -> list[dict]:
    """Drop the records past `step` (what a resume from checkpoint-`step` will record again); returns the rest."""
    kept = [r for r in read_metrics(folder) if r.get("step", 0) <= step]
    atomic_write(Path(folder) / METRICS_FILE, "".join(json.dumps(r) + "\n" for r in kept))
    return kept


def read_status(folder: str | os.PathLike) -> dict:
    """run.json as a dict; {} when it is missing or is not a JSON object (a user's file of that name)."""
    try:
        status = json.loads((Path(folder) / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # ValueError: bad JSON or bad UTF-8
        return {}
    return status if isinstance(status, dict) else {}


def write_status(folder: str | os.PathLike, **fields) -> dict:
    """Update run.json with `fields` (merged into what is there), marked as the playground's (RUN_FORMAT)."""
    status = read_status(folder) | {k: v for k, v in fields.items()} | {"format": RUN_FORMAT}
    atomic_write(Path(folder) / RUN_FILE, json.dumps(status, indent=2))
    return status


def owned(folder: str | os.PathLike) -> bool:
    """True when `folder` is a run the playground made: its run.json carries RUN_FORMAT."""
    return read_status(folder).get("format") == RUN_FORMAT if Path(folder).is_dir() else False


def alive(pid) -> bool:
    """True when a process with this id runs (one of another user counts: it cannot be signalled, but it lives)."""
    try:
        pid = int(pid)
        if pid <= 0:
            return False  # 0 and -1 would signal a whole process group, not one process
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True
    except (OSError, ValueError, TypeError, OverflowError):
        return False


# --------------------------------------------------------------------------- listing


@dataclass
class RunInfo:
    """One run folder as the Runs panel shows it."""

    name: str
    folder: Path
    base: str  # the catalog name, folder or scratch size it trained from
    status: str  # running | done | stopped | failed | interrupted (RUNNING: its process is alive)
    steps: int
    max_steps: int | None
    best_val_loss: float | None
    started: float  # seconds since the epoch
    settings: dict = field(default_factory=dict)
    message: str = ""
    best_val_nats_per_char: float | None = None  # compares runs with different tokenizers

    @property
    def finished(self) -> bool:
        """A model that loads: the final save completed (config.json and playground.json are moved in last)."""
        return (self.folder / FINISHED_FILE).exists() and (self.folder / "config.json").exists()

    @property
    def resumable(self) -> bool:
        return not is_running(self.status) and last_checkpoint(self.folder) is not None

    @property
    def date(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started))


def is_run(folder: Path) -> bool:
    return folder.is_dir() and any((folder / f).exists() for f in (RUN_FILE, FINISHED_FILE, METRICS_FILE))


def read_run(folder: str | os.PathLike) -> RunInfo | None:
    folder = Path(folder)
    if not is_run(folder):
        return None
    status = read_status(folder)
    try:
        info = json.loads((folder / FINISHED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        info = {}
    info = info if isinstance(info, dict) else {}
    records = read_metrics(folder)
    settings = status.get("settings") or info.get("settings") or {}
    state = status.get("status") or info.get("status") or "interrupted"
    if state == RUNNING and not alive(status.get("pid")):
        state = "interrupted"  # its process is gone (killed, crashed, machine restarted)
    vals = [r["val_loss"] for r in records if isinstance(r.get("val_loss"), (int, float))]
    per_char = [r["val_nats_per_char"] for r in records if isinstance(r.get("val_nats_per_char"), (int, float))]
    steps = max((r.get("step", 0) for r in records), default=0)
    started = status.get("started") or folder.stat().st_mtime
    base = status.get("base") or info.get("base_model") or settings.get("model") or settings.get("scratch") or "?"
    return RunInfo(name=folder.name, folder=folder, base=str(base), status=state, steps=int(steps),
                   max_steps=status.get("max_steps"), best_val_loss=min(vals) if vals else None,
                   started=float(started), settings=settings, message=status.get("message", ""),
                   best_val_nats_per_char=min(per_char) if per_char else None)


def list_runs(root: str | os.PathLike) -> list[RunInfo]:
    """Every run under `root` (and one level of session folders below it), newest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        if is_run(child):
            found.append(child)
        elif child.is_dir() and not child.name.startswith("."):
            found.extend(g for g in child.iterdir() if is_run(g))
    runs = [r for r in map(read_run, found) if r is not None]
    return sorted(runs, key=lambda r: r.started, reverse=True)


def find_run(root: str | os.PathLike, name_or_folder: str) -> RunInfo:
    for run in list_runs(root):
        if run.name == name_or_folder or str(run.folder) == str(name_or_folder):
            return run
    raise PlaygroundError(f"There is no run called '{name_or_folder}' any more; refresh the list.")


# --------------------------------------------------------------------------- actions


def zip_run(folder: str | os.PathLike, *, redact: bool = False) -> Path:
    """The finished model as FOLDER.zip (weights, tokenizer, metrics; no checkpoints), built once.

    The zip is rebuilt only when the model was saved again after it (a resumed run). `redact` (a shared
    host) writes file names instead of the server's paths into the zip's playground.json.
    """
    folder = Path(folder)
    marker = folder / FINISHED_FILE
    if not marker.exists():
        raise PlaygroundError(f"'{folder.name}' has no finished model to download yet; wait for it to be saved.")
    target = folder.with_suffix(".zip")
    if target.exists() and target.stat().st_mtime >= marker.stat().st_mtime:
        return target
    with replacing(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if not path.is_file() or rel.parts[0].startswith(("checkpoint-", ".")) or rel.name == RUN_FILE:
                continue
            if redact and rel.name == FINISHED_FILE:
                info = json.loads(path.read_text(encoding="utf-8"))
                info["settings"] = without_paths(info.get("settings", {}))
                z.writestr(str(Path(folder.name) / rel), json.dumps(info, indent=2))
            else:
                z.write(path, Path(folder.name) / rel)
    return target


def without_paths(settings: dict) -> dict:
    """Settings with file names for the corpus, validation files and output (what a shared host may show)."""
    out = dict(settings)
    for key in ("corpus", "val_files"):
        out[key] = [Path(f).name for f in settings.get(key) or []]
    if settings.get("output"):
        out["output"] = Path(settings["output"]).name
    if settings.get("model") and os.sep in str(settings["model"]):
        out["model"] = Path(settings["model"]).name
    if settings.get("dataset") and Path(settings["dataset"]).expanduser().is_dir():  # a local folder, not a Hub name
        out["dataset"] = Path(settings["dataset"]).name
    return out


def delete_run(folder: str | os.PathLike) -> None:
    """Remove a run folder and its zip; a running run, or a folder the playground did not make, is refused."""
    run = read_run(folder)
    if run is None or not owned(folder):
        raise PlaygroundError(f"'{Path(folder).name}' is not a training run; nothing was deleted.")
    if is_running(run.status):
        raise PlaygroundError(f"'{run.name}' is still training; stop it first, then delete it.")
    shutil.rmtree(run.folder)
    run.folder.with_suffix(".zip").unlink(missing_ok=True)


def train_command(settings: dict, *, resume: bool = False, output: str | None = None, here: bool = True) -> str:
    """The command line that runs these settings (or resumes the run), as typed at a terminal in any folder
    of this computer (`here`): `gpt2-playground train …` where the package is installed, else this Python with
    `-m playground` and the checkout on PYTHONPATH; relative paths made absolute. Not `here` (a hosted app
    shows what to type at home): `gpt2-playground train …` with the paths as given. `output` trains into
    another folder instead.

    The flags are the CLI's own, from TrainConfig's fields (playground.config_fields.flag_values); imported
    here on first use, so listing runs stays free of the heavy libraries.
    """
    from playground.config_fields import flag_values

    settings = {"output": "OUTPUT"} | settings | ({"output": output} if output is not None else {})
    if here:
        for key in ("corpus", "val_files"):
            settings[key] = [_absolute(f) for f in settings.get(key) or []]
        for key in ("output", "model"):
            if settings.get(key) and (os.sep in str(settings[key]) or Path(str(settings[key])).exists()):
                settings[key] = _absolute(settings[key])
    args = shlex.join(["train", *flag_values(settings), *(["--resume"] if resume else [])])
    return f"{program() if here else 'gpt2-playground'} {args}"


def program() -> str:
    """How to call the CLI from any folder of this computer: the installed `gpt2-playground` command, or — from
    a checkout that was never installed — this Python with the checkout on PYTHONPATH (a plain
    `python -m playground` works only in the checkout's root)."""
    import importlib.util
    import sys

    spec = importlib.util.find_spec("playground")
    package = Path(spec.origin).resolve().parent if spec and spec.origin else None
    if package is not None and package.parent.name in ("site-packages", "dist-packages"):
        return "gpt2-playground"
    python = f"{shlex.quote(sys.executable)} -m playground"
    return python if package is None else f"PYTHONPATH={shlex.quote(str(package.parent))} {python}"


def _absolute(path) -> str:
    return str(Path(str(path)).expanduser().resolve()) if str(path) and str(path) != "OUTPUT" else str(path)


def new_output(folder: str | os.PathLike) -> str:
    """A folder beside `folder` for training its settings again: `NAME-again`, `NAME-again-2`, …"""
    folder = Path(folder)
    candidate, n = folder.with_name(f"{folder.name}-again"), 2
    while candidate.exists():
        candidate, n = folder.with_name(f"{folder.name}-again-{n}"), n + 1
    return str(candidate)


# Settings that differ between runs by nature, not by choice.
_NOT_COMPARED = {"output", "resume"}


def differing_settings(runs: list[RunInfo]) -> list[list]:
    """Rows [setting, value in run 1, value in run 2, …] for the settings that are not the same in every run."""
    keys = sorted({k for r in runs for k in r.settings} - _NOT_COMPARED)
    rows = []
    for key in keys:
        values = [r.settings.get(key) for r in runs]
        if any(v != values[0] for v in values[1:]):
            rows.append([key, *("–" if v is None else json.dumps(v) if isinstance(v, (dict, list)) else str(v)
                                for v in values)])
    return rows
