import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from playground.errors import PlaygroundError
from playground.train_config import TrainConfig
from playground.runs import RUN_FORMAT, read_run, read_status
from playground.training import TrainingJob, last_checkpoint, lr_multiplier, read_metrics
from tests.conftest import fast_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


fast = fast_config  # a tiny from-scratch run: a few hundred steps a second here


def test_lr_multiplier():
    assert lr_multiplier(0, 0.0, 9, "constant") == pytest.approx(0.1)
    assert lr_multiplier(9, 0.0, 9, "constant") == 1.0
    assert lr_multiplier(100, 0.5, 0, "cosine") == pytest.approx(0.5)
    assert lr_multiplier(100, 1.0, 0, "cosine") == pytest.approx(0.0)
    assert lr_multiplier(100, 0.25, 0, "linear") == pytest.approx(0.75)


def test_val_loss_falls_and_metrics_are_logged(play_file, tmp_path):
    out = tmp_path / "run"
    job = TrainingJob(fast(play_file, out, lr=3e-3))
    final = job.run()
    records = read_metrics(out)
    evals = [r for r in records if "val_loss" in r]
    assert [r["step"] for r in evals] == [0, 20, 40, 60]
    assert evals[-1]["val_loss"] < evals[0]["val_loss"] - 1.0
    assert all("step" in r for r in records)
    assert evals[-1]["val_perplexity"] == pytest.approx(math.exp(evals[-1]["val_loss"]))
    train = [r for r in records if "train_loss" in r]
    assert train and all(k in train[-1] for k in ("learning_rate", "grad_norm", "tokens_per_second", "elapsed", "epoch"))
    assert all(isinstance(r["sample"], str) and r["sample"] for r in evals)
    snap = job.snapshot()
    assert snap.status == "done" and snap.progress == 1.0 and len(snap.samples) == 4
    assert final["step"] == 60 and final["val_loss"] == pytest.approx(evals[-1]["val_loss"])


def test_output_folder_loads_in_plain_transformers(play_file, tmp_path):
    from transformers import pipeline

    out = tmp_path / "run"
    TrainingJob(fast(play_file, out, max_steps=10, eval_every=10)).run()
    names = {p.name for p in out.iterdir()}
    assert {"config.json", "model.safetensors", "generation_config.json", "tokenizer.json", "playground.json", "metrics.jsonl"} <= names
    # Weights in safetensors only (checkpoints also hold Trainer's optimizer/args pickles, not weights).
    assert not list(out.rglob("pytorch_model*.bin")) and (out / "checkpoint-10" / "model.safetensors").exists()
    assert ".saving" not in names
    info = json.loads((out / "playground.json").read_text())
    # A new model's context is its training block: no untrained position embeddings.
    assert json.loads((out / "config.json").read_text())["n_positions"] == 32
    assert info["settings"]["scratch"] == "tiny" and info["corpus_hash"] and info["final_metrics"]["step"] == 10
    gen = pipeline("text-generation", model=str(out), device="cpu")
    text = gen("FIRST WITCH:", max_new_tokens=5, do_sample=False)[0]["generated_text"]
    assert text.startswith("FIRST WITCH:") and len(text) > len("FIRST WITCH:")


def test_resume_continues_the_step_count(play_file, tmp_path):
    out = tmp_path / "run"
    TrainingJob(fast(play_file, out, max_steps=20, eval_every=10)).run()
    assert last_checkpoint(out).name == "checkpoint-20"
    before = read_metrics(out)
    final = TrainingJob(fast(play_file, out, max_steps=30, eval_every=10, resume=True)).run()
    after = read_metrics(out)
    assert final["step"] == 30
    assert after[: len(before)] == before  # appended, not rewritten
    assert max(r["step"] for r in after) == 30 and min(r["step"] for r in after[len(before):]) > 20


def test_stop_saves_the_model_so_far(play_file, tmp_path):
    out = tmp_path / "run"
    job = TrainingJob(fast(play_file, out, max_steps=100_000, eval_every=1000))
    job.start()
    deadline = time.monotonic() + 60
    while not any("train_loss" in r for r in job.snapshot().records) and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    snap = job.wait(60)
    assert snap.status == "stopped", snap.message
    assert 0 < snap.step < 100_000
    info = json.loads((out / "playground.json").read_text())
    assert info["status"] == "stopped" and (out / "model.safetensors").exists()
    assert last_checkpoint(out) is not None  # resumable


def test_time_budget_ends_training(play_file, tmp_path, monkeypatch):
    # The job's own clock, made to say that every optimizer step takes one second of a six-second budget:
    # the test checks that the budget ends the run, whatever the speed (or load) of the machine.
    out = tmp_path / "run"
    job = TrainingJob(fast(play_file, out, max_steps=None, eval_every=None, max_minutes=0.1))
    monkeypatch.setattr(job, "elapsed", lambda: float(job.step))
    final = job.run()
    assert final["step"] == 7  # step 7 ends reading the clock at 6 s (six steps done): the budget is spent
    assert job.snapshot().status == "done"
    assert any("val_loss" in r for r in read_metrics(out))


def test_finetune_with_lora_saves_a_merged_model(tiny_model_dir, play_file, tmp_path):
    from transformers import AutoModelForCausalLM

    out = tmp_path / "lora"
    cfg = TrainConfig(corpus=[str(play_file)], output=str(out), model=str(tiny_model_dir), lora=True,
                      block_size=32, batch_size=4, max_steps=4, eval_every=4, sample_tokens=4)
    TrainingJob(cfg).run()
    model = AutoModelForCausalLM.from_pretrained(out)
    assert not any("lora" in n for n, _ in model.named_parameters())
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    changed = [n for (n, p), (_, q) in zip(model.named_parameters(), base.named_parameters()) if not torch.equal(p, q)]
    assert any("c_attn" in n for n in changed)


def _dropout_layers(model) -> set[float]:
    return {m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)}


def test_dropout_reaches_every_dropout_layer_through_the_model_config(tiny_model_dir, play_file, tmp_path):
    def prepared(**kw):
        return TrainingJob(fast(play_file, tmp_path / "o", **kw)).prepare().model

    tuned = dict(scratch=None, tokenizer=None, model=str(tiny_model_dir))
    own = prepared(**tuned)
    assert own.config.resid_pdrop == 0.1 and _dropout_layers(own) == {0.1}  # the pretrained model's own
    model = prepared(**tuned, dropout=0.25)
    assert (model.config.resid_pdrop, model.config.embd_pdrop, model.config.attn_pdrop) == (0.25, 0.25, 0.25)
    assert _dropout_layers(model) == {0.25}
    scratch = prepared()  # from scratch: none (nanoGPT's advice for short runs)
    assert scratch.config.attn_pdrop == 0.0 and _dropout_layers(scratch) == {0.0}


def test_live_metrics_reaches_the_job_only_through_its_public_methods():
    import inspect
    import re

    from playground import trainer

    assert not re.findall(r"job\._\w+", inspect.getsource(trainer))


@pytest.mark.parametrize("kw,match", [
    (dict(lr=0.0), "Learning rate"),
    (dict(lr=-1.0), "Learning rate"),
    (dict(batch_size=0), "Batch size"),
    (dict(val_fraction=0.0), "Validation fraction"),
    (dict(val_fraction=0.6), "Validation fraction"),
    (dict(scratch="enormous"), "Unknown from-scratch size"),
    (dict(scratch=None), "exactly one"),
    (dict(tokenizer="words"), "Unknown tokenizer"),
])
def test_bad_settings(play_file, tmp_path, kw, match):
    with pytest.raises(PlaygroundError, match=match):
        fast(play_file, tmp_path / "x", **kw)


def _assert_nothing_done(out: Path):
    assert not (out / "config.json").exists() and not (out / "playground.json").exists()


@pytest.mark.parametrize("case", ["block_above_context", "unknown_model", "short_corpus", "empty_corpus", "binary_corpus"])
def test_bad_runs_leave_nothing_that_looks_done(case, play_file, tiny_model_dir, tmp_path):
    out = tmp_path / "out"
    corpus = tmp_path / "c.txt"
    kw = {}
    if case == "block_above_context":
        kw = dict(scratch=None, tokenizer=None, model=str(tiny_model_dir), block_size=256)
        match = "above the model's context"
    elif case == "unknown_model":
        kw = dict(scratch=None, tokenizer=None, model="gpt-7")
        match = "Unknown model"
    elif case == "short_corpus":
        corpus.write_text("Fair is foul.\n", encoding="utf-8")
        kw = dict(corpus=[str(corpus)], tokenizer="gpt2")
        match = "too few for a train and a validation block"
    elif case == "empty_corpus":
        corpus.write_text("", encoding="utf-8")
        kw = dict(corpus=[str(corpus)])
        match = "empty"
    else:
        corpus.write_bytes(bytes(range(256)) * 10)
        kw = dict(corpus=[str(corpus)])
        match = "binary"
    job = TrainingJob(fast(play_file, out, **kw))
    with pytest.raises(PlaygroundError, match=match):
        job.run()
    assert job.snapshot().status == "failed"
    _assert_nothing_done(out)
    assert not out.exists()  # the folder this run created is gone


def test_refuses_a_used_output_folder_and_an_unwritable_one(play_file, tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    with pytest.raises(PlaygroundError, match="not empty"):
        TrainingJob(fast(play_file, used)).run()
    assert (used / "notes.txt").read_text() == "mine"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PlaygroundError, match="(is a file|Cannot write)"):
        TrainingJob(fast(play_file, blocker / "sub")).run()


def _cli(*args, cwd=ROOT, timeout=300, launcher=None):
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    cmd = (launcher or [sys.executable, "-m", "playground"]) + list(args)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_cli_train_and_eval(play_file, tmp_path, capsys):
    from playground.cli import main

    out = tmp_path / "cli"
    # In this process, as `python -m playground` calls main: the real `python -m playground train` process is
    # the Ctrl-C test's and the two-process test's (a third interpreter here cost ~10 s of imports).
    assert main(["train", "--corpus", str(play_file), "--scratch", "tiny", "--tokenizer", "bpe:400", "--output", str(out),
                 "--block-size", "32", "--batch-size", "8", "--max-steps", "12", "--eval-every", "6"]) == 0
    final = json.loads(capsys.readouterr().out)
    assert final["step"] == 12 and "val_loss" in final
    # Loss that compares across tokenizers: per character beside per token, on the CLI's final line.
    assert final["val_bits_per_char"] == pytest.approx(final["val_nats_per_char"] / math.log(2))
    assert 0 < final["val_nats_per_char"] < final["val_loss"]  # a BPE token spells more than one character
    assert main(["eval", "--model", str(out), "--text-file", str(play_file), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert set(res) == {"loss", "perplexity", "tokens", "characters", "nats_per_char"}
    assert res["characters"] == len(play_file.read_text(encoding="utf-8"))


@pytest.mark.parametrize("args,match", [
    (["train", "--corpus", "tests/data/macbeth.txt", "--scratch", "tiny", "--output", "{tmp}/o", "--lr", "0"], "Learning rate"),
    (["train", "--corpus", "tests/data/macbeth.txt", "--scratch", "tiny", "--output", "{tmp}/o", "--batch-size", "0"], "Batch size"),
    (["train", "--corpus", "tests/data/macbeth.txt", "--model", "gpt9", "--output", "{tmp}/o"], "Unknown model"),
    (["train", "--corpus", "{tmp}/missing.txt", "--scratch", "tiny", "--output", "{tmp}/o"], "does not exist"),
    (["eval", "--model", "gpt2-xl", "--text-file", "tests/data/macbeth.txt"], "Hub is unreachable"),
    (["eval", "--model", "{tmp}", "--text-file", "tests/data/macbeth.txt"], "no config.json"),
])
def test_cli_bad_input_is_one_sentence_and_exit_2(args, match, tmp_path, capsys, monkeypatch):
    # In this process (the CLI's main, as `python -m playground` calls it): a fresh interpreter per case
    # cost ~5 s of imports each; tests/test_bad_input.py checks the exit status in real processes.
    from playground.cli import main

    monkeypatch.chdir(ROOT)
    assert main([a.format(tmp=tmp_path) for a in args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert match in err and err.strip().count("\n") == 0, err
    assert not (tmp_path / "o").exists()


def test_accelerate_two_processes(play_file, tmp_path):
    """Trainer's DDP on CPU: `accelerate launch --cpu --num_processes 2 -m playground train …`."""
    out = tmp_path / "ddp"
    launcher = [sys.executable, "-m", "accelerate.commands.launch", "--cpu", "--num_processes", "2",
                "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "playground"]
    r = _cli("train", "--corpus", str(play_file), "--scratch", "tiny", "--tokenizer", "bpe:400", "--output", str(out),
             "--block-size", "32", "--batch-size", "4", "--max-steps", "8", "--eval-every", "4", launcher=launcher)
    assert r.returncode == 0, r.stderr[-3000:]
    info = json.loads((out / "playground.json").read_text())
    assert info["final_metrics"]["step"] == 8
    records = read_metrics(out)
    assert [r["step"] for r in records if "val_loss" in r] == [0, 4, 8]  # written once, by the main process
    # 2 processes x 4 sequences x 32 tokens per optimizer step
    assert TrainConfig.from_dict(info["settings"]).batch_size == 4


# --------------------------------------------------------------------------- runs that last (issue 8)


def _assert_clean_metrics(records: list[dict], max_steps: int):
    """One train row and at most one val row per step, steps rising, elapsed never going back."""
    train = [r["step"] for r in records if "train_loss" in r]
    val = [r["step"] for r in records if "val_loss" in r]
    assert train == sorted(set(train)) and val == sorted(set(val)), (train, val)
    assert max(r["step"] for r in records) <= max_steps
    elapsed = [r["elapsed"] for r in records]
    assert elapsed == sorted(elapsed), elapsed


def test_resume_drops_rows_past_the_checkpoint_and_keeps_time_running(play_file, tmp_path, monkeypatch):
    out = tmp_path / "run"
    TrainingJob(fast(play_file, out, max_steps=20, eval_every=10)).run()
    kept = read_metrics(out)
    # As if the run had gone on past its checkpoint and then crashed: these rows will be recorded again.
    with open(out / "metrics.jsonl", "a") as f:
        f.write(json.dumps({"step": 25, "train_loss": 9.9, "elapsed": 99.0}) + "\n")
        f.write('{"step": 26, "train_lo')  # a torn line
    job = TrainingJob(fast(play_file, out, max_steps=40, eval_every=10, resume=True))
    # LiveMetrics' clock for tokens/s, made to tick one second per optimizer step of this (resumed) process,
    # so the rate it reports is exactly one step's tokens per second whatever the machine's load.
    monkeypatch.setattr("playground.trainer.time", SimpleNamespace(monotonic=lambda: float(max(job.step - 20, 0))))
    job.run()
    after = read_metrics(out)
    assert after[: len(kept)] == kept and not any(r.get("train_loss") == 9.9 for r in after)
    _assert_clean_metrics(after, 40)
    resumed = [r for r in after[len(kept):] if "train_loss" in r]
    assert resumed[0]["elapsed"] >= kept[-1]["elapsed"]  # the clock runs on from the checkpoint
    # tokens/s after the resume counts steps from the checkpoint, not from step 0 (which would give 21x)
    assert [r["tokens_per_second"] for r in resumed] == [8 * 32] * len(resumed)
    assert all(r["tokens"] == r["step"] * 8 * 32 for r in after if "tokens" in r)
    assert read_status(out)["status"] == "done" and read_run(out).steps == 40


def test_a_folder_left_by_a_crash_before_any_checkpoint_trains_afresh(play_file, tmp_path):
    out = tmp_path / "crashed"
    (out / "checkpoint-5").mkdir(parents=True)  # half-written: no trainer_state.json
    (out / "metrics.jsonl").write_text('{"step": 0, "val_loss": 6.0, "elapsed": 1.0}\n')
    (out / "run.json").write_text(json.dumps({"status": "running", "pid": 2**22 + 12345, "format": RUN_FORMAT}))
    assert read_run(out).status == "interrupted"  # its process is gone
    job = TrainingJob(fast(play_file, out, max_steps=10, eval_every=10))
    job.run()
    assert "starts from the beginning" in job.notice
    assert (out / "previous-metrics.jsonl").exists() and (out / "config.json").exists()
    assert [r["step"] for r in read_metrics(out) if "val_loss" in r] == [0, 10]
    # --resume where nothing can be resumed yet also just trains (no "train without --resume first")
    fresh = TrainingJob(fast(play_file, tmp_path / "fresh", max_steps=5, eval_every=5, resume=True))
    fresh.run()
    assert "no checkpoint to resume" in fresh.notice and fresh.snapshot().status == "done"


def test_a_diverging_run_stops_with_a_sentence_and_keeps_its_folder(play_file, tmp_path):
    out = tmp_path / "diverge"
    job = TrainingJob(fast(play_file, out, lr=1e30, max_steps=200, eval_every=100))
    with pytest.raises(PlaygroundError, match=r"diverged at step \d+ .*lower the learning rate \(now 1e\+30\)"):
        job.run()
    assert job.snapshot().status == "failed" and job.snapshot().step < 200
    assert (out / "metrics.jsonl").exists() and not (out / "config.json").exists()
    status = read_status(out)
    assert status["status"] == "failed" and "diverged" in status["message"]
    assert last_checkpoint(out) is None or last_checkpoint(out).name == "checkpoint-0"


def test_a_batch_larger_than_the_corpus_is_refused(play_file, tmp_path):
    with pytest.raises(PlaygroundError, match=r"Batch size 60000 is more than the corpus's \d+ training examples"):
        TrainingJob(fast(play_file, tmp_path / "huge", batch_size=60_000)).run()
    assert not (tmp_path / "huge").exists()  # refused before the folder was made


def _wait_for(predicate, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_ctrl_c_saves_the_model_so_far(play_file, tmp_path):
    """SIGINT to the CLI acts like Stop. SIGTERM shares its handler (one registration for both), and is sent to
    `python app.py` in tests/ui/test_browser_en.py."""
    import signal

    out = tmp_path / "sig"
    cmd = [sys.executable, "-m", "playground", "train", "--corpus", str(play_file), "--scratch", "tiny",
           "--tokenizer", "bpe:400", "--output", str(out), "--block-size", "32", "--batch-size", "8",
           "--max-steps", "100000", "--eval-every", "100000"]
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: any("train_loss" in r for r in read_metrics(out)))
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert "Stopping after this step" in stderr
    info = json.loads((out / "playground.json").read_text())
    assert info["status"] == "stopped" and (out / "config.json").exists()
    assert read_run(out).status == "stopped" and last_checkpoint(out) is not None


def test_killed_run_resumes_to_a_clean_record(play_file, tmp_path, capsys):
    """kill -9 after a checkpoint, then --resume: no duplicated steps, nothing past --max-steps."""
    import signal

    out = tmp_path / "killed"
    args = ["train", "--corpus", str(play_file), "--scratch", "tiny", "--tokenizer", "bpe:400", "--output", str(out),
            "--block-size", "32", "--batch-size", "8", "--max-steps", "200", "--eval-every", "20"]
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "playground", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: checkpoint_past(out, 20))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert read_run(out).status == "interrupted" and not (out / "playground.json").exists()
    from playground.cli import main  # the rest in this process, as `python -m playground` runs it

    assert main(args) == 2 and "pass --resume" in capsys.readouterr().err  # a plain run is told to resume
    assert main([*args, "--resume"]) == 0
    _assert_clean_metrics(read_metrics(out), 200)
    assert json.loads((out / "playground.json").read_text())["final_metrics"]["step"] == 200


def checkpoint_past(out: Path, step: int) -> bool:
    last = last_checkpoint(out)
    return last is not None and int(last.name.split("-")[1]) >= step


def test_val_loss_per_character_is_exact_for_padded_line_by_line_batches(play_file, tmp_path):
    """val_nats_per_char = the val set's total nats / its characters, even when a batch pads short lines
    (Trainer alone would weight each batch's mean by its examples, not by its tokens)."""
    val = tmp_path / "val.txt"
    lines = [ln for ln in play_file.read_text(encoding="utf-8").split("\n") if ln.strip()][:40]
    val.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "lines"
    job = TrainingJob(fast(play_file, out, line_by_line=True, val_files=[str(val)], block_size=64, batch_size=8,
                           max_steps=4, eval_every=4, precision="fp32"))
    final = job.run()
    run = job.prepared
    model = run.model.eval()
    nats, per_example, characters = 0.0, [], 0
    with torch.no_grad():
        for row in run.data.val["input_ids"]:
            ids = torch.tensor([row])
            loss = float(model(input_ids=ids, labels=ids).loss)
            nats += loss * (len(row) - 1)
            per_example.append(loss)
            characters += len(run.tokenizer.decode(row[1:], skip_special_tokens=True)) + 1  # + its line break
    assert characters == sum(len(ln) + 1 for ln in lines)
    exact = nats / characters
    assert final["val_nats_per_char"] == pytest.approx(exact, rel=1e-4)
    assert final["val_bits_per_char"] == pytest.approx(exact / math.log(2), rel=1e-4)
    assert final["val_loss"] == pytest.approx(nats / sum(len(r) - 1 for r in run.data.val["input_ids"]), rel=1e-4)
    # The lines differ in length, so weighting batches by examples would have given another figure.
    assert abs(sum(per_example) / len(per_example) - final["val_loss"]) > 1e-3
    evals = [r for r in read_metrics(out) if "val_loss" in r]
    assert all(r["val_nats_per_char"] == pytest.approx(r["val_loss"] * run.val_tokens / run.val_characters) for r in evals)
    info = json.loads((out / "playground.json").read_text())
    assert info["final_metrics"]["val_nats_per_char"] == pytest.approx(exact, rel=1e-4)


@pytest.mark.parametrize("faster, threads_set, expected", [(1, None, 1), (2, None, 2), (2, 1, 1)])
def test_a_cpu_run_trains_on_the_thread_count_measured_faster_at_its_start(play_file, tmp_path, monkeypatch,
                                                                         faster, threads_set, expected):
    """On a multi-core CPU a run left to choose measures one thread against every core first and trains on the
    faster (one, while another program keeps a core busy); `--threads N` is taken as given, unprobed."""
    import playground.estimate as estimate
    import playground.memo as memo

    probed = []

    def probe(device, vocab, threads=None):
        probed.append(threads)
        return 3e-5 if (threads == 1) == (faster == 1) else 6e-5

    start = torch.get_num_threads()
    monkeypatch.setattr(memo, "_default_threads", 2)  # a process on two cores (the test workers get one each)
    monkeypatch.setattr(estimate, "_probe", probe)
    out = tmp_path / "threads"
    try:
        TrainingJob(fast(play_file, out, max_steps=2, eval_every=2, threads=threads_set)).run()
    finally:
        torch.set_num_threads(start)  # the job set this thread's count
    assert json.loads((out / "playground.json").read_text())["threads"] == expected
    assert probed == ([] if threads_set else [None, 1])
