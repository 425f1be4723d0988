"""The app's named endpoints, sent what an API client (gradio_client, curl) can send and a browser cannot: every
case ends in one sentence, inline where the tab reports, naming the field — never gradio's generic "raised an
exception", a traceback in the server's log, an exception class name or `<class …>` — and changes no file.

Table-driven (issue 19): a row is (endpoint, what is sent, a phrase the answer must hold). The CLI's cases are
tests/test_hostile.py's.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from gradio_client import handle_file

DATA = Path(__file__).parent.parent / "data"
HUGE = 10**400  # an integer no float holds
NAN, INF, OVERFLOW = "nan", "inf", "1e309"

# What a client of each endpoint sends when it sends nothing strange (the rest keep the page's values).
BASE = {
    "/generate": dict(prompt="Hello", max_new_tokens=4, seed="1"),
    "/lab": dict(context="The king", top_n=8, draws=100, seed=0, temps="0.5, 1"),
    "/lab_sample": dict(draws=100, seed=0, top_n=8),
    "/lab_temperature": dict(sweep=0.5, temps="1"),
    "/compare": dict(prompt="The", new_tokens=4, seed=0, include=False),
    "/evaluate": dict(text="To be, or not to be", file=None),
    "/internals": dict(text="To be, or not to be", layer=1, head=0, focus=0),
    "/beam_tree": dict(text="The king", beams=2, steps=2),
    "/train_start": dict(source="scratch", scratch="tiny", tokenizer="bpe:1024", max_steps=2),
    "/prepare_corpus": dict(source="uploaded", files=[], cleaning=[], mode="blocks", block_size=64, stride=0,
                            val_percent=10, text_field=""),
    "/runs_overlay": dict(runs=[], x_axis="step", y_axis="loss", log_y=False, smoothing=0.6),
    "/train_tick": dict(log_scale=False, smoothing=0.6),
    "/runs_use": {}, "/runs_resume": {}, "/runs_push": dict(repo_id="me/x", private=True),
    "/runs_delete": dict(overlay=[]),
}

# (endpoint, what is sent on top of BASE, a phrase the one sentence holds)
CASES = [
    # Generate: every knob through values.number and DecodingSettings.
    *[("/generate", {knob: bad}, phrase) for knob, phrase in [
        ("temperature", "Temperature must be"), ("top_k", "Top-k must be"), ("top_p", "Top-p (nucleus) must be"),
        ("repetition_penalty", "Repetition penalty must be"), ("max_new_tokens", "Max new tokens must be"),
        ("min_p", "Min-p must be"), ("typical_p", "Typical-p must be"), ("no_repeat_ngram_size", "No-repeat"),
        ("num_beams", "Beams must be"), ("num_return_sequences", "Sequences must be")]
      for bad in (NAN, INF, OVERFLOW, -1, "lots")],
    ("/generate", {"temperature": 5}, "Temperature must be a number from 0 to 2"),  # outside the slider
    ("/generate", {"top_k": HUGE}, "Top-k must be"),
    ("/generate", {"max_new_tokens": 0}, "Max new tokens must be a whole number from 1 to 512"),
    ("/generate", {"seed": "abc"}, "Seed must be a whole number"),
    ("/generate", {"seed": "-1"}, "The seed must be a whole number from 0"),
    ("/generate", {"seed": str(2**40)}, "The seed must be a whole number from 0"),
    ("/generate", {"num_beams": 2}, "Beam search is deterministic"),
    ("/generate", {"model": ""}, "Choose a model first"),
    ("/generate", {"model": "/no/such/folder"}, "/no/such/folder"),
    ("/generate", {"model": "gpt-7"}, "gpt-7"),
    ("/generate", {"model": 123}, "Choose a model first"),  # not a name
    # The lab.
    *[("/lab", {field: bad}, phrase) for field, phrase in [
        ("temperature", "Temperature must be"), ("top_p", "Top-p (nucleus) must be"), ("top_n", "Tokens to show must be"),
        ("draws", "Draws must be")] for bad in (NAN, INF, -5)],
    ("/lab", {"draws": 10**7}, "Draws must be a whole number from 1 to 100,000"),
    ("/lab", {"temps": "nan, 1"}, "Temperatures must be numbers separated by commas"),
    ("/lab", {"temps": "1, 2, 3, 4, 5, 6, 7"}, "between one and six temperatures"),
    ("/lab", {"temps": [1, 2]}, "Temperatures must be numbers"),  # a list where text goes
    ("/lab", {"sweep": INF}, "Temperature sweep must be"),
    ("/lab_sample", {"draws": NAN}, "Draws must be"),
    ("/lab_sample", {"seed": "x"}, "Seed must be"),
    ("/lab_temperature", {"sweep": NAN}, "Temperature sweep must be"),
    ("/lab_temperature", {"sweep": 3}, "Temperature sweep must be a number from 0 to 2"),
    ("/lab_temperature", {"temps": "hot"}, "Temperatures must be numbers"),
    # Compare, Evaluate, Internals.
    ("/compare", {"new_tokens": NAN}, "New tokens must be"),
    ("/compare", {"new_tokens": 10**6}, "New tokens must be"),
    ("/compare", {"seed": "x"}, "Seed must be"),
    ("/compare", {"include": True, "yours_temperature": INF}, "Temperature must be"),
    ("/evaluate", {"stride": NAN}, "Stride must be"),
    ("/evaluate", {"stride": -3}, "Stride must be"),
    ("/evaluate", {"text": ""}, "There is no text to score"),
    ("/evaluate", {"second_model": "../../etc"}, "../../etc"),
    *[("/internals", {field: bad}, phrase) for field, phrase in [
        ("layer", "Layer must be"), ("head", "Head must be"), ("focus", "Follow one token must be")]
      for bad in (NAN, INF, -1)],
    ("/beam_tree", {"beams": 99}, "Beams must be a whole number from 2 to 4"),
    ("/beam_tree", {"steps": INF}, "New tokens must be"),
    ("/beam_tree", {"steps": 0}, "New tokens must be a whole number from 1 to 10"),
    # Train: refused before any job starts.
    *[("/train_start", {field: bad}, phrase) for field, phrase in [
        ("grad_accum", "Gradient accumulation must be"), ("max_minutes", "The time budget in minutes must be"),
        ("seed", "The seed must be"),
        ("warmup", "Warm-up steps must be"), ("weight_decay", "Weight decay must be"), ("lr", "Learning rate"),
        ("batch_size", "Batch size must be"), ("max_steps", "Max steps")] for bad in (NAN, INF, OVERFLOW)],
    ("/train_start", {"lr": 0}, "Learning rate must be a positive number"),
    *[("/train_start", {"threads": bad}, "Threads must be") for bad in (NAN, INF, -2, 10**6)],
    ("/train_start", {"batch_size": 0}, "Batch size must be"),
    ("/train_start", {"grad_accum": 10**9}, "Gradient accumulation"),
    ("/train_start", {"source": "nope"}, "Model must be 'finetune'"),
    ("/train_start", {"scratch": "enormous"}, "Unknown from-scratch size 'enormous'"),
    ("/train_start", {"tokenizer": "bpe:x"}, "bpe:x"),
    ("/train_start", {"schedule": "sideways"}, "Unknown schedule 'sideways'"),
    ("/train_start", {"dropout": "lots"}, "Dropout must be"),
    ("/train_start", {"dropout": "1.5"}, "Dropout must be"),
    ("/train_start", {"sample_prompt": "x" * 1_000_001}, "The sample prompt must be text of at most 1,000 characters"),
    ("/train_start", {"source": "finetune", "base": "", "folder": ""}, "Choose a model first"),
    ("/train_tick", {"smoothing": NAN}, "Smoothing must be"),
    # Data.
    ("/prepare_corpus", {"mode": "sideways", "files": ["macbeth"]}, "Unknown example mode 'sideways'"),
    ("/prepare_corpus", {"block_size": NAN, "files": ["macbeth"]}, "Block size must be"),
    ("/prepare_corpus", {"block_size": 4096, "files": ["macbeth"]}, "Block size must be a whole number from 2 to 1,024"),
    ("/prepare_corpus", {"stride": -16, "files": ["macbeth"]}, "Stride must be"),
    ("/prepare_corpus", {"val_percent": 0, "files": ["macbeth"]}, "Validation % must be a number from 1 to 50"),
    ("/prepare_corpus", {"cleaning": ["everything"], "files": ["macbeth"]}, "Unknown cleaning option 'everything'"),
    ("/prepare_corpus", {"source": "../../etc"}, "Unknown corpus '../../etc'"),
    ("/prepare_corpus", {"files": ["deep.json"]}, "deep.json"),
    ("/prepare_corpus", {"files": ["binary.txt"]}, "looks binary"),
    ("/prepare_corpus", {"files": ["empty.txt"]}, "is empty"),
    ("/prepare_corpus", {"source": "dataset", "dataset": ""}, "No dataset named"),
    ("/prepare_corpus", {"source": "dataset", "dataset": "x/y", "dataset_max_chars": NAN}, "Characters to read must be"),
    # Runs.
    ("/runs_overlay", {"runs": "no-such-run"}, None),  # one name, not a list: taken as a list of one, nothing drawn
    ("/runs_overlay", {"runs": [1, 2]}, "Runs to overlay are a list of run names"),
    ("/runs_overlay", {"x_axis": "sideways"}, "The x-axis must be one of step, tokens, time, epoch"),
    ("/runs_overlay", {"smoothing": INF}, "Smoothing must be"),
    ("/runs_overlay", {"y_axis": "up"}, "The y-axis must be one of loss, nats_per_char, bits_per_char"),
    *[(endpoint, {"run": bad}, phrase) for endpoint in ("/runs_use", "/runs_resume", "/runs_delete", "/runs_push")
      for bad, phrase in (("../../etc", "../../etc"), ("", "Pick a run first"), (7, "folder's name"))],
]


def files_of(folder: Path) -> dict[str, str]:
    """Every file under `folder` by its relative path, with a hash of its bytes: what a case must not change."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, tiny_model_dir):
    """The app and a client, its runs folder, and the user's files a careless request could reach."""
    from gradio_client import Client

    from playground.ui import build_app, launch
    from tests.ui.conftest import free_port

    runs = tmp_path_factory.mktemp("hostile-runs")
    demo = build_app(models=[str(tiny_model_dir)], runs_dir=str(runs))
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True)
    guarded = tmp_path_factory.mktemp("users-files")
    (guarded / "notes").mkdir()
    (guarded / "notes" / "run.json").write_text('{"mine": true}')  # a user's file named like the playground's
    (guarded / "notes" / "thesis.txt").write_text("Chapter one.")
    uploads = tmp_path_factory.mktemp("uploads")
    deep = "[" * 100_000 + "]" * 100_000
    (uploads / "deep.json").write_text(deep)
    (uploads / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (uploads / "empty.txt").write_text("")
    yield Client(f"http://127.0.0.1:{port}/", verbose=False), guarded, runs, uploads, str(tiny_model_dir)
    demo.close()


@pytest.mark.parametrize("endpoint, sent, phrase", CASES, ids=[f"{e}-{i}" for i, (e, *_rest) in enumerate(CASES)])
def test_a_bad_value_is_one_sentence_and_changes_nothing(hostile, endpoint, sent, phrase, capfd):
    client, guarded, runs, uploads, model = hostile
    before, runs_before = files_of(guarded), files_of(runs)
    sent = dict(sent)
    if "files" in sent:
        sent["files"] = [handle_file(DATA / "macbeth.txt") if f == "macbeth" else handle_file(uploads / f)
                         for f in sent["files"]]
    values = BASE[endpoint] | sent
    if endpoint not in ("/prepare_corpus", "/runs_overlay", "/train_tick", "/train_start", "/runs_use", "/runs_resume",
                        "/runs_push") and "model" not in values:
        values["model"] = model
    answer = client.predict(**values, api_name=endpoint)  # gradio's generic error would raise AppError here
    said = json.dumps(answer, ensure_ascii=False)
    if phrase is not None:
        assert "pg-error" in said, said[:400]
        assert phrase.replace("'", "&#x27;") in said or phrase in said, said[:600]
        assert said.count("pg-error") == 1  # one sentence
    assert not re.search(r"<class |Traceback|\b[A-Z]\w*(Error|Exception)\b", said), said[:600]  # no class names
    log = capfd.readouterr()
    assert "Traceback" not in log.out + log.err, (log.out + log.err)[-3000:]
    assert files_of(guarded) == before
    assert files_of(runs) == runs_before  # no run started, none touched


def test_the_table_covers_every_named_endpoint_that_takes_input(hostile):
    client = hostile[0]
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    taking = {e for e, info in api.items() if info["parameters"] and not e.startswith("/share_")}
    covered = {e for e, *_ in CASES}
    assert taking - covered <= {"/train_estimate", "/branch", "/lab_step", "/lab_sample_one", "/runs_pick", "/runs_list"}
    assert len(CASES) >= 150
