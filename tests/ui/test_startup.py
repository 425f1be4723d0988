"""Start-up: the page is built and served before torch, transformers or datasets are imported (issue 12).

Checked in a fresh interpreter, because this test session has long imported all three.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, socket, sys, urllib.request
from playground.ui import build_app, launch

demo = build_app(models=[sys.argv[1]])
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
launch(demo, port=port, prevent_thread_lock=True, quiet=True, warm_up=False)
page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).status
heavy = sorted(m for m in ("torch", "transformers", "datasets") if m in sys.modules)
from playground.ui import engine
engine.generate  # the first use imports the engine module behind it
print(json.dumps({"page": page, "heavy_before": heavy, "torch_after_use": "torch" in sys.modules}))
demo.close()
"""


def test_page_is_served_before_torch_transformers_and_datasets_are_imported(tiny_model_dir, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1", "PLAYGROUND_CACHE": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tiny_model_dir)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(next(line for line in out.stdout.splitlines() if line.startswith("{")))
    assert result == {"page": 200, "heavy_before": [], "torch_after_use": True}


def test_every_engine_name_the_tabs_call_is_the_engine_function():
    from playground.ui import engine

    for name, module in engine._HOME_OF.items():  # a name of engine.py's own (an import) would shadow it
        assert getattr(engine, name).__module__ == module, name


def test_events_wait_for_the_engine_imports_and_keep_their_kind(monkeypatch):
    import asyncio
    import concurrent.futures
    import inspect

    from playground.ui import engine

    calls = []
    monkeypatch.setattr(engine, "warm_up", lambda: calls.append("warm"))

    def plain(x, request=None):
        return x + 1

    def gen(x):
        yield x

    async def coro(x):
        return x * 2

    wrapped = [engine._after_warm_up(f) for f in (plain, gen, coro)]
    assert inspect.signature(wrapped[0]) == inspect.signature(plain)  # gradio injects gr.Request by it
    assert inspect.isgeneratorfunction(wrapped[1]) and inspect.iscoroutinefunction(wrapped[2])
    # In a thread of its own: the session's browser (playwright's sync API) keeps an event loop in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        awaited = pool.submit(asyncio.run, wrapped[2](4)).result()
    assert wrapped[0](1) == 2 and list(wrapped[1](3)) == [3] and awaited == 8
    assert calls == ["warm"] * 3


def test_the_page_gets_its_css_scripts_and_language_script_first(app_url):
    """The CSS and scripts are files of the package (playground/ui/static), and the language script comes first in
    the page's <head>, before gradio's own script picks its language (playground/ui/page.py)."""
    import urllib.request

    from playground.ui.page import CSS_PATHS, STATIC

    assert {p.name for p in STATIC.iterdir()} >= {"app.css", "page.js", "language.js"} and all(p.exists() for p in CSS_PATHS)
    html = urllib.request.urlopen(app_url + "?lang=zh-CN", timeout=30).read().decode()
    first, gradio = html.index("window.pgI18n = window.pgI18n ||"), html.index('<script type="module"')
    assert html.index("<head>") < first < html.index("navigator.language") < gradio
    config = json.loads(urllib.request.urlopen(app_url + "config", timeout=30).read())
    assert ".pg-note" in config["css"] and "pgTokenTips" in config["js"] and "window.pgI18n" in config["head"]


def test_building_the_app_writes_nothing_into_the_package(tmp_path):
    """gradio's component metaclass writes a .pyi stub beside any module that defines a component class
    (playground.ui.lenient's); an installed package must never write into its own folder."""
    from pathlib import Path

    import playground
    from playground.ui import build_app

    package = Path(playground.__file__).parent
    before = {p for p in package.rglob("*") if p.suffix != ".pyc"}
    build_app(models=["demo"], runs_dir=str(tmp_path))
    assert {p for p in package.rglob("*") if p.suffix != ".pyc"} - before == set()
    assert not list(package.rglob("*.pyi"))


def test_the_warm_up_freezes_what_is_loaded_for_the_garbage_collector(monkeypatch):
    """After the warm-up, Python's full collections skip the libraries' objects (each would walk 600 000 of them)."""
    import gc

    from playground import estimate
    from playground.ui import app, engine

    monkeypatch.setattr(engine, "warm_up", lambda: None)
    monkeypatch.setattr(estimate, "machine_rate", lambda: None)
    try:
        app._warm_up()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
