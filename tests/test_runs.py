"""Runs on disk (playground.runs) and the Train tab's time estimate (playground.estimate)."""

from __future__ import annotations

import json
import os
import shlex
import time
from pathlib import Path

import pytest

from playground import runs
from playground.errors import PlaygroundError
from playground.estimate import estimate, flops_per_token
from playground.train_config import TrainConfig
from playground.training import TrainingJob


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, play_file):
    """One real (tiny) run, trained once for the module."""
    root = tmp_path_factory.mktemp("runs")
    config = TrainConfig(corpus=[str(play_file)], output=str(root / "tiny-a"), scratch="tiny", tokenizer="bpe:400",
                         block_size=32, batch_size=8, max_steps=6, eval_every=3, seed=0, sample_tokens=4, lr=3e-3)
    TrainingJob(config).run()
    return root / "tiny-a"


def test_a_finished_run_is_listed_with_its_facts(finished_run):
    [run] = runs.list_runs(finished_run.parent)
    assert (run.name, run.base, run.status, run.steps, run.max_steps) == ("tiny-a", "tiny", "done", 6, 6)
    assert run.finished and run.resumable and run.best_val_loss < 7
    assert abs(run.started - time.time()) < 600 and run.settings["lr"] == 3e-3


def test_the_zip_is_built_once_and_again_only_after_a_new_save(finished_run):
    first = runs.zip_run(finished_run)
    names = __import__("zipfile").ZipFile(first).namelist()
    assert "tiny-a/config.json" in names and "tiny-a/model.safetensors" in names
    assert not any("checkpoint-" in n or n.endswith("run.json") for n in names)
    built = first.stat().st_mtime_ns
    assert runs.zip_run(finished_run).stat().st_mtime_ns == built  # not rebuilt
    marker = finished_run / "playground.json"
    os.utime(marker, ns=(built + 10**9, built + 10**9))  # saved again (a resumed run)
    assert runs.zip_run(finished_run).stat().st_mtime_ns != built


def test_the_cli_command_describes_the_same_run(finished_run):
    from playground.cli import build_parser
    from playground.cli.train import config_from_args

    settings = runs.read_run(finished_run).settings
    command = runs.train_command(settings, here=False)
    argv = shlex.split(command)
    assert argv[:2] == ["gpt2-playground", "train"]
    again = config_from_args(build_parser().parse_args(argv[1:])).to_dict()
    assert again == settings | {"resume": False}
    resumed = runs.train_command(settings, resume=True, here=False)
    assert config_from_args(build_parser().parse_args(shlex.split(resumed)[1:])).resume


def test_the_command_to_train_again_works_from_any_folder(finished_run, tmp_path):
    """The Runs tab's "train again into a new folder" line, pasted into a shell in another folder: it finds the
    package and the corpus, and trains into a new folder beside the run."""
    import subprocess

    settings = runs.read_run(finished_run).settings
    again = runs.new_output(finished_run)
    command = runs.train_command(settings | {"max_steps": 2, "eval_every": 2}, output=again)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(command, shell=True, cwd=elsewhere, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert (Path(again) / "config.json").exists() and Path(again).parent == finished_run.parent


def test_differing_settings_lists_only_what_differs():
    a = runs.RunInfo("a", None, "tiny", "done", 1, 1, 1.0, 0.0, {"lr": 0.001, "seed": 1, "output": "x"})
    b = runs.RunInfo("b", None, "tiny", "done", 1, 1, 1.0, 0.0, {"lr": 0.002, "seed": 1, "output": "y"})
    assert runs.differing_settings([a, b]) == [["lr", "0.001", "0.002"]]


def test_delete_refuses_a_running_run_and_removes_a_finished_one(tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    runs.write_status(live, status="running", pid=os.getpid())  # this very process: alive
    assert runs.read_run(live).status == "running"
    with pytest.raises(PlaygroundError, match="still training"):
        runs.delete_run(live)
    runs.write_status(live, status="stopped")
    (tmp_path / "live.zip").write_bytes(b"zip")
    runs.delete_run(live)
    assert not live.exists() and not (tmp_path / "live.zip").exists()
    with pytest.raises(PlaygroundError, match="not a training run"):
        runs.delete_run(tmp_path)


def test_metrics_are_cut_back_to_a_checkpoint(tmp_path):
    rows = [{"step": s, "train_loss": 1.0} for s in (0, 5, 10, 15)]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"step": 2')
    assert [r["step"] for r in runs.keep_metrics_until(tmp_path, 10)] == [0, 5, 10]
    assert [r["step"] for r in runs.read_metrics(tmp_path)] == [0, 5, 10]


def test_estimate_orders_runs_by_their_cost():
    # GPT-2's 50 257-token head costs a tiny model most of its FLOPs; a corpus BPE does not.
    assert flops_per_token(2, 128, 50257, 128) > 5 * flops_per_token(2, 128, 4000, 128)
    small = estimate(model=None, scratch="tiny", vocab=4000, block=128, batch=32, max_steps=100, device="cpu")
    big = estimate(model=None, scratch="tiny", vocab=50257, block=128, batch=32, max_steps=100, device="cpu")
    gpt2 = estimate(model="gpt2", scratch=None, vocab=None, block=256, batch=8, max_steps=100, device="cpu")
    assert small.tokens_per_second > big.tokens_per_second > gpt2.tokens_per_second > 0
    assert small.seconds == pytest.approx(100 * 32 * 128 / small.tokens_per_second)
    capped = estimate(model=None, scratch="tiny", vocab=50257, block=128, batch=32, max_steps=10**6, max_minutes=2,
                      device="cpu")
    assert capped.budget_ends_it and capped.seconds == 120
    assert "time budget" in capped.describe() and "tokens/s" in capped.describe()
