"""A run's output folder: claimed before training, the model saved into it at the end, cleared after a failure.

The rule throughout: a folder looks finished (config.json, which makes it load as a model, and
playground.json, which says the run ended) only once everything else in it is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from playground.atomic import atomic_write
from playground.errors import PlaygroundError
from playground.model_card import write_model_card
from playground.runs import FINISHED_FILE, LEFTOVERS, METRICS_FILE
from playground import output_lock
from playground.train_plan import Start, where_to_start

SAVING = ".saving"  # the final save is written here first (a name in LEFTOVERS: a crash mid-save is a leftover)
# Moved into the run folder last, in this order: what makes it load, then what says it finished.
MARKERS = ("config.json", FINISHED_FILE)


def claim_output(out: Path, start: Start, resume: bool) -> bool:
    """Make the output folder ready to train into, as `start` decided; True when this run created it. The
    caller holds the folder's lock from then on, and gives it back (output_lock.release) when the run ends.

    The folder is created and locked (playground.output_lock; released by the run when it ends), then judged
    again under the lock: another training may have written it while this one prepared. Leftovers of a
    crashed run are cleared (its metrics kept aside as previous-metrics.jsonl), and the folder is checked to
    be writable now rather than at the first checkpoint.
    """
    created = output_lock.acquire(out)
    try:
        _claim_locked(out, start, resume)
    except BaseException:
        output_lock.release(out)
        raise
    return created


def _claim_locked(out: Path, start: Start, resume: bool) -> None:
    if where_to_start(out, resume, locked=True) != start:
        raise PlaygroundError(f"The output folder '{out}' changed while this run was preparing; start the training again.")
    if start.clear_leftovers:
        for p in out.iterdir():
            if p.name.startswith("checkpoint-") or p.name == SAVING:
                shutil.rmtree(p, ignore_errors=True)
        if (out / METRICS_FILE).exists():
            os.replace(out / METRICS_FILE, out / "previous-metrics.jsonl")
    try:
        probe = out / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        raise PlaygroundError(f"Cannot write to the output folder '{out}' ({e.strerror}); choose a writable folder.") from None


def save_final(out: Path, model, tokenizer, info: dict) -> None:
    """Write the model, its tokenizer, its card (README.md) and playground.json (`info`) so a crash never leaves a folder that looks done.

    Everything is written to a temporary folder first and moved in with config.json and playground.json
    last; the markers of an earlier save (a resumed run) are removed first, so the folder stops looking
    finished until the new save is whole.
    """
    tmp = out / SAVING
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    try:
        write_model_card(tmp, info, out.name)
    except Exception as e:  # noqa: BLE001 - a card that cannot be written must not cost the trained model
        print(f"The model card could not be written ({type(e).__name__}: {e}); the model is saved without it.",
              file=sys.stderr)
    for marker in MARKERS:
        (out / marker).unlink(missing_ok=True)
    for name in sorted(os.listdir(tmp), key=lambda n: n == "config.json"):
        os.replace(tmp / name, out / name)
    tmp.rmdir()
    atomic_write(out / FINISHED_FILE, json.dumps(info, indent=2))


def remove_unstarted(out: Path) -> None:
    """Remove a folder that a failed run created and that never got past preparation (nothing worth keeping).

    Anything with metrics stays: the curve up to the failure, and the reason in run.json.
    """
    if out.is_dir() and not (out / METRICS_FILE).exists() and all(p.name in LEFTOVERS for p in out.iterdir()):
        shutil.rmtree(out, ignore_errors=True)
