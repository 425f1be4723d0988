from pathlib import Path

from playground.assets import SHAKESPEARE
from playground.presets import QUICK_DEMO, quick_demo_config
from playground.train_config import SCRATCH_DEFAULTS
from playground.training import TrainingJob, read_metrics


def test_quick_demo_is_a_time_budgeted_scratch_run_on_the_bundled_plays(tmp_path):
    cfg = quick_demo_config(tmp_path / "out")
    # What the Train tab's form shows is what runs: every preset value reaches the config, None as unset.
    assert {key: getattr(cfg, key) for key in QUICK_DEMO} == QUICK_DEMO
    assert cfg.model is None and cfg.output == str(tmp_path / "out")
    # Trained on the bundled plays, checked against the held-out ones (two different, non-empty files).
    (train,), (val,) = map(Path, cfg.corpus), map(Path, cfg.val_files)
    assert train.parent == val.parent == SHAKESPEARE and train != val and train.stat().st_size > 0 and val.stat().st_size > 0
    # A time budget and no step cap: the size's defaults fill the rest, and warm-up stays short.
    run = cfg.resolved(context=1024)
    assert run.max_minutes and run.max_steps is None
    assert (run.lr, run.batch_size) == (SCRATCH_DEFAULTS[cfg.scratch].lr, SCRATCH_DEFAULTS[cfg.scratch].batch_size)
    assert run.warmup <= 20
    assert quick_demo_config(tmp_path / "short", max_minutes=None, max_steps=10).max_steps == 10  # tests shorten it


def test_shortened_quick_demo_lowers_val_loss(tmp_path, monkeypatch):
    # The preset with a slice of the bundled text, a smaller BPE and 10 steps instead of two minutes.
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    train = tmp_path / "train.txt"
    val = tmp_path / "val.txt"
    train.write_text((SHAKESPEARE / "train.txt").read_text(encoding="utf-8")[:60_000], encoding="utf-8")
    val.write_text((SHAKESPEARE / "validation.txt").read_text(encoding="utf-8")[:8_000], encoding="utf-8")
    cfg = quick_demo_config(
        tmp_path / "out", corpus=[str(train)], val_files=[str(val)], tokenizer="bpe:500",
        max_minutes=None, max_steps=10, eval_every=5,
    )
    final = TrainingJob(cfg).run()
    vals = [r["val_loss"] for r in read_metrics(tmp_path / "out") if "val_loss" in r]
    assert len(vals) >= 2
    assert vals[-1] < vals[0] - 0.5, vals
    assert final["step"] == 10
    assert (tmp_path / "out" / "model.safetensors").exists()
