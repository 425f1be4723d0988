"""Hosted mode with two browser sessions: one training job at a time, a visible queue, generation for all."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from tests.ui.conftest import free_port
from tests.ui.test_api import KNOBS

DATA = Path(__file__).parent.parent / "data"
FORM = ["Train from scratch", None, "", "tiny", "bpe:1000", 300, 0, 0.002, 4, 0, 1, "cosine", 2, 0.1, 50, "", 1, False, ""]


@pytest.fixture(scope="module")
def hosted_url(tiny_model_dir, tmp_path_factory):
    from playground.ui import build_app, launch

    demo = build_app(hosted=True, models=[str(tiny_model_dir)], runs_dir=str(tmp_path_factory.mktemp("hosted-runs")))
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


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
        c.predict("Uploaded files", [handle_file(DATA / "macbeth.txt")], [], "blocks", 32, 0, 10, "", api_name="/prepare_corpus")
    a.predict(*FORM, api_name="/train_start")
    wait_for(a, ["Training", "Preparing"])
    b.predict(*FORM, api_name="/train_start")
    assert "position 1 in the queue" in status_of(b)
    # B can still generate while it waits.
    text, tokens, info = b.predict("Hi", str(tiny_model_dir), *KNOBS, api_name="/generate")
    assert len(tokens) == 13
    a.predict(api_name="/train_stop")
    wait_for(a, ["Stopped"])
    wait_for(b, ["Training", "Preparing"])  # the slot passed to B
    b.predict(api_name="/train_stop")
    wait_for(b, ["Stopped"])


def test_hosted_mode_refuses_server_paths(hosted_url):
    c = Client(hosted_url, verbose=False)
    with pytest.raises(AppError):
        c.predict("Hi", "/etc", *KNOBS, api_name="/generate")
