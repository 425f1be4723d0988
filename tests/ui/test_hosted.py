"""Hosted mode with two browser sessions: one training job at a time, a visible queue, generation for all."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from tests.ui.conftest import free_port
from tests.ui.test_api import KNOBS

DATA = Path(__file__).parent.parent / "data"
FORM = dict(source="scratch", scratch="tiny", tokenizer="bpe:1000", max_steps=300, max_minutes=0, lr=0.002, batch_size=4,
            warmup=2, eval_every=50, seed=1)
PREPARE = dict(source="uploaded", cleaning=[], mode="blocks", block_size=32, stride=0, val_percent=10, text_field="")


@pytest.fixture(scope="module")
def hosted_url(tiny_model_dir, tmp_path_factory):
    from playground.ui import build_app, launch

    saved = {k: os.environ.get(k) for k in ("PLAYGROUND_CACHE", "PLAYGROUND_MAX_EVAL_CHARS")}
    os.environ.update(PLAYGROUND_CACHE=str(tmp_path_factory.mktemp("hosted-cache")), PLAYGROUND_MAX_EVAL_CHARS="1000")
    demo = build_app(hosted=True, models=[str(tiny_model_dir)], runs_dir=str(tmp_path_factory.mktemp("hosted-runs")))
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()
    for k, v in saved.items():
        os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def status_of(client) -> str:
    return client.predict(False, 0.0, api_name="/train_tick")[2]


def wait_for(client, words, timeout=90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = status_of(client)
        if any(w in status for w in words):
            return status
        time.sleep(0.5)
    raise AssertionError(f"none of {words} in {status}")


def test_one_job_at_a_time_others_queue_and_still_generate(hosted_url, tiny_model_dir):
    a, b = Client(hosted_url, verbose=False), Client(hosted_url, verbose=False)
    for c in (a, b):
        c.predict(files=[handle_file(DATA / "macbeth.txt")], **PREPARE, api_name="/prepare_corpus")
    a.predict(**FORM, api_name="/train_start")
    wait_for(a, ["Training", "Preparing"])
    b.predict(**FORM, api_name="/train_start")
    assert "position 1 in the queue" in status_of(b)
    # B can still generate while it waits.
    text, tokens, info = b.predict(prompt="Hi", model=str(tiny_model_dir), **KNOBS, api_name="/generate")
    assert len(tokens) == 13
    a.predict(api_name="/train_stop")
    wait_for(a, ["Stopped"])
    wait_for(b, ["Training", "Preparing"])  # the slot passed to B
    b.predict(api_name="/train_stop")
    wait_for(b, ["Stopped"])


def test_hosted_mode_refuses_server_paths(hosted_url):
    c = Client(hosted_url, verbose=False)
    *_, info = c.predict(prompt="Hi", model="/etc", **KNOBS, api_name="/generate")
    assert "&#x27;/etc&#x27; is not available here; choose a model from the list." in info and "pg-error" in info


def test_hosted_caps_and_no_server_paths(hosted_url, tiny_model_dir):
    c = Client(hosted_url, verbose=False)
    status = c.predict(**(FORM | dict(scratch="xl")), api_name="/train_start")[-1]
    assert "trains from scratch only tiny, mini" in status and "pg-error" in status
    # A text longer than the host allows is refused before any scoring, inline.
    *_, message = c.predict(text="x" * 1001, file=None, model=str(tiny_model_dir), api_name="/evaluate")
    assert "at most 1,000" in message
    # A run's model reaches the page by its label, and its zip holds no server paths.
    c.predict(files=[handle_file(DATA / "macbeth.txt")], **PREPARE, api_name="/prepare_corpus")
    c.predict(**(FORM | dict(max_steps=6)), api_name="/train_start")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        out = c.predict(False, 0.0, api_name="/train_tick")
        if "Finished" in out[2]:
            break
        time.sleep(0.5)
    assert "Finished" in out[2] and "Saved in" not in out[2]
    selector, download = out[4], out[5]
    trained = [v for label, v in selector["choices"] if label.endswith("(trained here)")]
    assert trained == [selector["value"]] and "/" not in selector["value"]
    with zipfile.ZipFile(download["value"]) as z:
        info = json.loads(z.read(next(n for n in z.namelist() if n.endswith("playground.json"))))
    assert "/" not in json.dumps(info["settings"]), info["settings"]
    assert info["settings"]["corpus"] == ["macbeth.txt"]
    # Push: a visitor pushes with their own sign-in (the Space's hf_oauth), never with the owner's HF_TOKEN.
    pushed = c.predict(run=selector["value"], repo_id="someone/tiny", private=True, api_name="/runs_push")
    assert "Sign in with Hugging Face first" in pushed and "pg-error" in pushed
    # The label works wherever a model is used.
    text, tokens, info_html = c.predict(prompt="Hi", model=selector["value"], **KNOBS, api_name="/generate")
    assert len(tokens) == 13
