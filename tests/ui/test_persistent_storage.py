"""A Space with persistent storage (/data; here a temporary folder standing in for it): runs and caches live
there and outlive a restart, and the hosted caps and reaping apply to them as to temporary folders."""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import pytest

from playground.errors import PlaygroundError
from playground.paths import cache_root
from playground.ui.state import AppContext


@pytest.fixture()
def data(tmp_path, monkeypatch):
    """/data of a Space: what PLAYGROUND_PERSISTENT_DIR names; PLAYGROUND_CACHE unset (and unset again after)."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("PLAYGROUND_PERSISTENT_DIR", str(folder))
    monkeypatch.setenv("PLAYGROUND_CACHE", "")
    monkeypatch.delenv("PLAYGROUND_CACHE")
    return folder / "gpt2-playground"


def request(session: str):
    return SimpleNamespace(session_hash=session)


def test_hosted_runs_and_caches_live_on_persistent_storage_across_a_restart(data):
    ctx = AppContext(hosted=True, models=["demo"])
    assert ctx.runs_dir == data / "runs" and cache_root() == data
    assert "PLAYGROUND_CACHE" not in os.environ  # no temporary cache folder instead
    model = ctx.session(request("visitor-1")).workdir / "run-1" / "model.safetensors"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"weights")
    restarted = AppContext(hosted=True, models=["demo"])  # the Space restarts: a new process, no sessions
    assert restarted.runs_dir == ctx.runs_dir and model.exists()


def test_what_a_restart_left_is_reaped_like_an_idle_session(data):
    ctx = AppContext(hosted=True, models=["demo"])
    live = ctx.session(request("live-one"))
    leftover = ctx.runs_dir / "session-before-rest"  # a session of the process before the restart
    corpus = data / "corpus" / "old-hash"
    for folder in (live.workdir, leftover, corpus):
        folder.mkdir(parents=True)
    ctx.reap()
    assert leftover.exists() and corpus.exists()  # not idle long enough yet
    long_ago = time.time() - ctx.limits.idle_minutes * 60 - 1
    for folder in (live.workdir, leftover, corpus):
        os.utime(folder, (long_ago, long_ago))
    live.last_seen = time.monotonic()  # its page is open
    assert ctx.reap() == []
    assert not leftover.exists() and not corpus.exists() and live.workdir.exists()


def test_the_disk_budget_counts_runs_inside_the_cache_once(data, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DISK_MB", "3")
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(data.parent / "gradio"))
    ctx = AppContext(hosted=True, models=["demo"])
    folder = ctx.session(request("a")).workdir
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"x" * 2 * 2**20)
    ctx.check_disk()  # 2 MB of 3 (counted twice it would be 4)
    (folder / "more.safetensors").write_bytes(b"x" * 2 * 2**20)
    with pytest.raises(PlaygroundError, match="disk budget"):
        ctx.check_disk()


def test_locally_runs_go_to_persistent_storage_and_playground_cache_still_wins(data, tmp_path, monkeypatch):
    assert AppContext(models=["demo"]).runs_dir == data / "runs"
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "mine"))
    assert AppContext(models=["demo"]).runs_dir == tmp_path / "mine" / "runs"
    assert AppContext(hosted=True, models=["demo"]).runs_dir == tmp_path / "mine" / "runs"


def test_without_persistent_storage_hosted_runs_stay_temporary(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_PERSISTENT_DIR", str(tmp_path / "no-storage"))
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    ctx = AppContext(hosted=True, models=["demo"])
    assert ctx.runs_dir.name.startswith("playground-runs-") and tmp_path not in ctx.runs_dir.parents
    ctx.runs_dir.rmdir()
