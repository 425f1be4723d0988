from pathlib import Path

from playground.assets import SHAKESPEARE
from playground.presets import QUICK_DEMO, quick_demo_config
from playground.train_config import TrainConfig
from playground.training import TrainingJob, read_metrics


def test_quick_demo_trains_tiny_on_the_bundled_corpus_for_two_minutes(tmp_path):
    cfg = quick_demo_config(tmp_path / "out")
    assert isinstance(cfg, TrainConfig)
    assert cfg.scratch == "tiny" and cfg.model is None and cfg.tokenizer == "bpe:4000"
    assert [Path(p) for p in cfg.corpus] == [SHAKESPEARE / "train.txt"]
    assert [Path(p) for p in cfg.val_files] == [SHAKESPEARE / "validation.txt"]
    assert all(Path(p).exists() for p in cfg.corpus + cfg.val_files)
    assert cfg.max_minutes == QUICK_DEMO["max_minutes"] == 2.0 and cfg.max_steps is None
    assert cfg.output == str(tmp_path / "out")
    # The Train tab's form reads these keys.
    assert {"scratch", "tokenizer", "max_steps", "max_minutes", "lr", "batch_size", "eval_every"} <= QUICK_DEMO.keys()


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
