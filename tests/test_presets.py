from pathlib import Path

import pytest

from playground import estimate
from playground.assets import SHAKESPEARE, SHIPPED_TOKENIZERS
from playground.presets import FAST, ONE_THREAD, QUICK_DEMO, SLOW, quick_demo, quick_demo_config
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


@pytest.mark.parametrize("seconds_per_token,size,batch,why", [
    (2e-5, "tiny", 32, FAST),  # the 2-core development machine, quiet (~54 000 tokens/s for tiny)
    (1.5e-4, "tiny", 16, SLOW),  # eight times slower: half the batch, so that enough steps still fit
    (1e-3, "tiny", 16, SLOW),  # slower still: batch 16 all the same (8 learns less per token, and costs more)
    (3e-7, "mini", 32, FAST),  # a GPU-class machine trains mini long enough in two minutes
])
def test_the_quick_demo_measures_the_machine_and_says_what_it_chose(monkeypatch, tmp_path, seconds_per_token, size,
                                                                     batch, why):
    probes = []
    monkeypatch.setattr(estimate, "_probe", lambda device, vocab, threads=None: probes.append(threads) or seconds_per_token)
    demo = quick_demo("cpu")
    assert probes[0] is None  # measured now with every core, not an earlier process-wide figure
    assert (demo.settings["scratch"], demo.settings["batch_size"], demo.sentences) == (size, batch, (why,))
    assert demo.settings["threads"] is None  # one thread was not faster
    assert "{" not in demo.reason and f"{batch} × 128" in demo.reason and demo.reason.endswith(".")
    assert demo.describe(lambda t: "» " + t).startswith("» Measured")  # each sentence through the page's language
    cfg = demo.config(str(tmp_path / "out"))  # the form's values are what runs
    assert (cfg.scratch, cfg.batch_size, cfg.tokenizer, cfg.max_minutes) == (size, batch, "bpe:1024", 2.0)
    again = len(probes)
    assert quick_demo("cpu").settings == demo.settings and len(probes) == 2 * again  # measured again on each press


def test_the_quick_demo_trains_on_one_thread_when_one_is_faster_now(monkeypatch, tmp_path):
    import playground.memo as memo

    monkeypatch.setattr(memo, "_default_threads", 2)  # a process on two cores (the test workers get one each)
    # Another program keeps a core busy: a step split over two threads waits for the slow one.
    monkeypatch.setattr(estimate, "_probe", lambda device, vocab, threads=None: 3e-5 if threads == 1 else 6e-5)
    demo = quick_demo("cpu")
    assert demo.settings["threads"] == 1 and demo.sentences[-1] == ONE_THREAD
    assert demo.config(str(tmp_path / "o")).threads == 1 and "one CPU thread" in demo.reason


def test_the_quick_demos_bpe_of_the_bundled_plays_is_shipped(tmp_path, monkeypatch):
    """Its two minutes go to training: the 1 024-token BPE of train.txt is not trained, nor cached, but shipped."""
    from playground.corpus_files import load_corpus
    from playground.scratch import scratch_tokenizer

    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    corpus = load_corpus(quick_demo_config(tmp_path / "o").corpus)
    shipped = SHIPPED_TOKENIZERS / f"{corpus.content_hash}-bpe1024"
    assert (shipped / "tokenizer.json").exists()
    tok = scratch_tokenizer("bpe:1024", corpus, None)
    assert len(tok) == 1024 and tok.eos_token == "<|endoftext|>"
    assert tok.decode(tok("KING HENRY V:\nOnce more unto the breach").input_ids) == "KING HENRY V:\nOnce more unto the breach"
    assert not (tmp_path / "cache" / "tokenizers").exists()
