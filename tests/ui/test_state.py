"""Sessions, hosted-mode rules, the shared training queue and the launcher's flags (no server needed)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from playground.errors import PlaygroundError
from playground.ui.errors import friendly
from playground.ui.slots import TrainingSlots
from playground.ui.state import AppContext

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """A hosted AppContext points PLAYGROUND_CACHE at a temporary folder: keep that inside the test."""
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))


def request(session: str):
    return SimpleNamespace(session_hash=session)


class FakeJob:
    def __init__(self, status="training", output="run"):
        self.status, self.stopped, self.output = status, False, output

    def snapshot(self):
        return SimpleNamespace(status=self.status)

    def stop(self):
        self.stopped = True

    def wait(self, timeout=None):
        return self.snapshot()


def test_sessions_are_per_browser_and_released_on_unload(tmp_path):
    ctx = AppContext(hosted=True, models=["demo"], runs_dir=tmp_path)
    a, b = ctx.session(request("a")), ctx.session(request("b"))
    assert a is not b and ctx.session(request("a")) is a
    ctx.add_job(a, "run", FakeJob())
    ctx.release(request("a"))
    assert a.job.stopped  # hosted: closing the page never leaves a job holding the shared slot for nobody
    assert set(ctx.sessions) == {"b"}


def test_a_closed_hosted_session_keeps_its_folder_until_its_job_has_ended(tmp_path, monkeypatch):
    """Data loss case 5 of issue 19: a session that closes while its job evaluates or saves must not have its
    folder deleted under the job (it died with FileNotFoundError on metrics.jsonl); the reaper leaves it too."""
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    ended = threading.Event()

    class SavingJob(FakeJob):
        def wait(self, timeout=None):
            ended.wait(timeout)
            self.status = "stopped"
            return self.snapshot()

    ctx = AppContext(hosted=True, models=["demo"], runs_dir=tmp_path / "runs")
    session = ctx.session(request("closing"))
    (session.workdir / "run").mkdir(parents=True)
    (session.workdir / "run" / "metrics.jsonl").write_text("{}\n")
    os.utime(session.workdir, (0, 0))  # as old as a folder a restart left behind
    ctx.add_job(session, "run", SavingJob())
    ctx.release(request("closing"))
    assert session.job.stopped
    ctx.reap(time.monotonic())
    time.sleep(0.3)
    assert (session.workdir / "run" / "metrics.jsonl").exists()  # the job is still writing there
    ended.set()
    deadline = time.monotonic() + 30
    while session.workdir.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not session.workdir.exists() and ctx.closing == set()


def test_a_local_job_outlives_its_page_and_the_next_page_reattaches(tmp_path):
    ctx = AppContext(models=["demo"], runs_dir=tmp_path)
    a = ctx.session(request("a"))
    job = FakeJob()
    ctx.add_job(a, "tiny-1", job)
    ctx.release(request("a"))  # the page is closed or reloaded
    assert not job.stopped and ctx.running_jobs() == 1
    b = ctx.session(request("b"))
    assert ctx.attach(b) and b.job is job and b.job_label == "tiny-1"
    job.status = "stopped"
    assert not ctx.attach(ctx.session(request("c")))  # nothing running: nothing to attach


def test_hosted_mode_accepts_catalog_and_session_models_only(tmp_path):
    hosted = AppContext(hosted=True, models=["demo"], runs_dir=tmp_path)
    s = hosted.session(request("x"))
    assert hosted.check_model(s, "gpt2") == "gpt2"
    with pytest.raises(PlaygroundError, match="not available here"):
        hosted.check_model(s, "/etc")
    s.models["mine"] = str(tmp_path / "mine")
    assert hosted.check_model(s, str(tmp_path / "mine")) == str(tmp_path / "mine")
    assert hosted.max_upload_mb == 10
    local = AppContext(models=["demo"], runs_dir=tmp_path)
    assert local.check_model(local.session(request("y")), "/some/folder") == "/some/folder"
    assert local.max_upload_mb is None


def test_model_choices_list_session_models_after_the_catalog(tmp_path):
    ctx = AppContext(models=["/models/tiny"], runs_dir=tmp_path)
    assert ctx.default == "/models/tiny"
    s = ctx.session(request("s"))
    s.models["run-1"] = "/runs/run-1"
    values = [v for _, v in ctx.model_choices(s)]
    assert values[0] == "/models/tiny" and "demo" in values and "gpt2" in values and values[-1] == "run-1"
    assert ("run-1 (trained here)", "run-1") in ctx.model_choices(s)  # a label: no server path on the page
    assert ctx.check_model(s, "run-1") == "/runs/run-1"


def test_hosted_limits_cap_refuse_and_read_the_environment(play_file):
    from playground.limits import HostedLimits
    from playground.train_config import TrainConfig

    limits = HostedLimits.from_env({"PLAYGROUND_MAX_MINUTES": "10", "PLAYGROUND_SIZES": "tiny"})
    assert (limits.max_minutes, limits.sizes) == (10.0, ("tiny",))
    base = dict(corpus=[str(play_file)], output="x")
    capped = limits.apply(TrainConfig(**base, scratch="tiny", max_steps=10**6))
    assert capped.max_minutes == 10 and capped.max_steps == 10**6  # the time budget ends it
    assert limits.apply(TrainConfig(**base, scratch="tiny", max_minutes=2)).max_minutes == 2
    for config, match in [(TrainConfig(**base, scratch="xl"), "only tiny"),
                          (TrainConfig(**base, model="gpt2-xl"), "fine-tunes only"),
                          (TrainConfig(**base, scratch="tiny", batch_size=60_000), "tokens")]:
        with pytest.raises(PlaygroundError, match=match):
            limits.apply(config)
    assert limits.apply(TrainConfig(**base, model="/s/mine"), {"/s/mine"}).model == "/s/mine"  # trained here
    with pytest.raises(PlaygroundError, match="at most 200,000"):
        HostedLimits().check_eval("x" * 200_001)
    with pytest.raises(PlaygroundError, match="PLAYGROUND_MAX_MINUTES must be a number"):
        HostedLimits.from_env({"PLAYGROUND_MAX_MINUTES": "ten"})
    assert "15 minutes per training job" in HostedLimits().describe()


def test_hosted_disk_budget_refuses_new_work(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DISK_MB", "1")
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))  # uploads count too
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    ctx = AppContext(hosted=True, models=["demo"], runs_dir=tmp_path / "runs")
    ctx.check_disk()
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "big.bin").write_bytes(b"x" * (2 * 2**20))
    with pytest.raises(PlaygroundError, match="disk budget"):
        ctx.check_disk()


def test_hosted_idle_sessions_are_closed_with_their_files(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    ctx = AppContext(hosted=True, models=["demo"], runs_dir=tmp_path / "runs")
    idle, busy, fresh = (ctx.session(request(x)) for x in ("idle", "busy", "fresh"))
    idle.workdir.mkdir(parents=True)
    (idle.workdir / "model.safetensors").write_text("w")
    upload = tmp_path / "upload.txt"
    upload.write_text("a visitor's corpus")
    idle.uploads.append(str(upload))
    ctx.add_job(busy, "b", FakeJob("training", "b"))
    stale_corpus = tmp_path / "cache" / "corpus" / "old"  # where playground.corpus caches
    stale_corpus.mkdir(parents=True)
    os.utime(stale_corpus, (0, 0))
    now = idle.last_seen + ctx.limits.idle_minutes * 60 + 1
    fresh.last_seen = now
    assert ctx.reap(now) == ["idle"]  # the training one stays; its page may only be busy elsewhere
    assert set(ctx.sessions) == {"busy", "fresh"} and stale_corpus.exists()  # a job may read the cache
    busy.job.status = "done"
    assert ctx.reap(now) == ["busy"] and not stale_corpus.exists()
    deadline = time.monotonic() + 30  # a background thread removes them: the folder first, then the uploads
    while (idle.workdir.exists() or upload.exists()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not idle.workdir.exists() and not upload.exists()


def test_one_training_slot_queues_the_others_in_order():
    slots = TrainingSlots(limit=1)
    assert slots.may_start("a", running=0)
    assert not slots.may_start("b", running=1)
    assert slots.enqueue("b") == 1 and slots.enqueue("c") == 2 and slots.enqueue("b") == 1
    assert not slots.may_start("c", running=0)  # b is first in line
    assert slots.may_start("b", running=0) and slots.position("b") is None
    assert slots.position("c") == 1
    slots.leave("c")
    assert slots.position("c") is None
    unlimited = TrainingSlots(limit=None)
    assert all(unlimited.may_start(s, running=5) for s in "xyz")


def test_running_jobs_counts_every_session(tmp_path):
    ctx = AppContext(hosted=True, models=["demo"], runs_dir=tmp_path)
    ctx.add_job(ctx.session(request("a")), "a", FakeJob("training", "a"))
    ctx.add_job(ctx.session(request("b")), "b", FakeJob("done", "b"))
    ctx.add_job(ctx.session(request("c")), "c", FakeJob("idle", "c"))  # started, thread not yet reporting
    assert ctx.running_jobs() == 2


def test_friendly_shows_engine_errors_inline_and_keeps_the_other_outputs():
    import gradio as gr

    @friendly(message=1, outputs=3)
    def bad():
        raise PlaygroundError("Temperature must be 0 (greedy) or more, not -1.")

    @friendly(message=0, outputs=1)
    def bad_stream():
        yield "partial"
        raise PlaygroundError("top-p must be above 0.")

    text, info, plot = bad()
    assert "Temperature must be 0" in info and "pg-error" in info
    assert text == plot == gr.skip()  # the page keeps what it showed
    assert list(bad_stream())[0] == "partial" and "top-p must be above 0." in list(bad_stream())[-1]


def test_launcher_flags(monkeypatch):
    sys.path.insert(0, str(ROOT))
    import app

    monkeypatch.delenv("SPACE_ID", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_PORT", raising=False)
    args = app.parse_args([])
    assert (args.host, args.port, args.share, args.hosted, args.model) == ("127.0.0.1", 7860, False, False, None)
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7999")
    assert app.parse_args([]).port == 7999
    assert app.parse_args(["--port", "8001", "--share", "--model", "demo", "--model", "gpt2"]).model == ["demo", "gpt2"]
    monkeypatch.setenv("SPACE_ID", "someone/playground")
    args = app.parse_args([])
    assert args.hosted and args.host == "0.0.0.0"
