"""The newcomer's walk in English on default paths (tests/ui/newcomer.py), with what does not depend on the
language done here only: a reload while training, and the run resumed from the Runs tab then ended by SIGTERM to
`python app.py` (the model so far saved), the app restarted, the run overlaid and deleted."""

from __future__ import annotations

import json

import pytest

from tests.ui.newcomer import *  # noqa: F403 - the walk's tests, run in this module's language
from tests.ui.newcomer import runs_delete, runs_open_overlay, runs_resume


@pytest.fixture(scope="module", params=["en"])
def lang(request) -> str:
    return request.param


def test_runs_resume_sigterm_restart_overlay_delete(walk):
    app = walk.app
    stopped_at = runs_resume(walk)
    # SIGTERM (or Ctrl-C) to `python app.py` while the resumed run trains: the model so far is saved, as Stop does.
    app.proc.terminate()
    assert app.proc.wait(120) == 0
    info = json.loads((app.runs_dir / walk.run_name / "playground.json").read_text())
    assert info["status"] == "stopped" and info["final_metrics"]["step"] > stopped_at, info
    assert (app.runs_dir / walk.run_name / "model.safetensors").exists()
    app.stop()

    # A restart: the run is still listed, its curves overlay, and it can be deleted (after confirming).
    app.start()
    page = walk.main = walk.open()
    runs_open_overlay(walk, page)
    runs_delete(walk, page)
