"""The app launched in-process on a free localhost port, with tiny local models (never the Hub)."""

from __future__ import annotations

import socket

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tiny_model_dir, peaky_model_dir, tmp_path_factory):
    from playground.ui import build_app, launch

    demo = build_app(models=[str(peaky_model_dir), str(tiny_model_dir)], runs_dir=str(tmp_path_factory.mktemp("runs")))
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture()
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)
