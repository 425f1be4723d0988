"""Where a run reports its metrics besides its own metrics.jsonl: none, trackio, TensorBoard or Weights & Biases.

transformers' Trainer does the reporting (its `report_to` callbacks); this module only checks that the chosen
tracker is installed, in one sentence before any work, and names the run: trackio and wandb file it under the
project "gpt2-playground" as the output folder's name and start time (run_name), TensorBoard writes into
OUTPUT/runs/.

trackio (Gradio's local-first tracker) is the recommended one: it keeps every run in a local SQLite database
under TRACKIO_DIR (default ~/.cache/huggingface/trackio), and `trackio show --project gpt2-playground` opens
its dashboard. Nothing is sent anywhere unless TRACKIO_SPACE_ID names a Space.
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

from playground.errors import PlaygroundError

TRACKERS = ("none", "trackio", "tensorboard", "wandb")
PROJECT = "gpt2-playground"  # the trackio / wandb project every playground run is filed under
# The package each tracker needs (TensorBoard: either torch's writer's backend or tensorboardX).
_PACKAGES = {"trackio": ("trackio",), "tensorboard": ("tensorboard", "tensorboardX"), "wandb": ("wandb",)}


def tracker_installed(name: str) -> bool:
    return name == "none" or any(importlib.util.find_spec(p) is not None for p in _PACKAGES.get(name, ()))


def check_tracker(name: str) -> None:
    """Refuse an unknown tracker, or one whose package is missing, with one sentence."""
    if name not in TRACKERS:
        raise PlaygroundError(f"Unknown tracker '{name}'; use none, trackio, tensorboard or wandb.")
    if not tracker_installed(name):
        raise PlaygroundError(
            f"Reporting to {name} needs the {_PACKAGES[name][0]} package, which is not installed; "
            f"install it (pip install {_PACKAGES[name][0]}) or report to none."
        )


def run_name(output: Path, started: float) -> str:
    """The tracker's name for a run: its folder and start time, so a resumed run continues its own curve and a
    new run in a reused folder name starts a new one."""
    return f"{Path(output).name}-{time.strftime('%Y%m%d-%H%M%S', time.localtime(started))}"


def trainer_arguments(name: str, run: str) -> dict:
    """TrainingArguments keywords that send a run's logs to tracker `name` (after check_tracker), as run `run`."""
    if name == "none":
        return {"report_to": "none"}
    # trackio_static_space_id=False: never make a Space at the end of training (Trainer's default would try
    # the Hub when a Space is configured); the run stays in the local database.
    return {"report_to": [name], "project": PROJECT, "run_name": run, "trackio_static_space_id": False}


def trackio_dir() -> Path:
    """Where trackio keeps its projects (one SQLite database each), as trackio itself decides it."""
    if os.environ.get("TRACKIO_DIR"):
        return Path(os.environ["TRACKIO_DIR"]).expanduser()
    from huggingface_hub.constants import HF_HOME

    return Path(HF_HOME) / "trackio"


def where_reported(name: str, run: str, output: Path | None = None) -> str:
    """One line saying where run `run`'s metrics went besides metrics.jsonl ("" for none). With `output` (this
    machine's run folder) it says where on disk; without, it names no path (the model card, which is shared)."""
    if name == "trackio":
        where = f" in {trackio_dir()} (trackio show --project {PROJECT})" if output is not None else ""
        return f"trackio project '{PROJECT}', run '{run}'" + where
    if name == "tensorboard":
        logs = Path(output) / "runs" if output is not None else Path("runs")
        return f"TensorBoard logs in {logs} (tensorboard --logdir {logs})"
    if name == "wandb":
        return f"Weights & Biases project '{PROJECT}', run '{run}'"
    return ""
