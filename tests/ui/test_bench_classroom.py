"""bench/bench_classroom.py's sessions speak the page's protocol to the app as it is now: three sessions press Show
distribution (two contexts), Sample and Generate together, and every call completes without an error.

Each test runs in a thread of its own: the browser tests' playwright (sync API) keeps an event loop running in
the worker's main thread, and the bench runs its own.
"""

import concurrent.futures
import functools
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_bench():
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_classroom", ROOT / "bench" / "bench_classroom.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def own_thread(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(test, *args, **kwargs).result()
    return run


@own_thread
def test_browser_sessions_press_the_labs_buttons_together(app_url, tiny_model_dir):
    bench = load_bench()
    sessions = bench.BrowserSessions(app_url, 3)
    try:
        model = str(tiny_model_dir)
        lab = [bench.arguments(sessions.api, "/lab", {"context": c, "model": model, "draws": 500, "seed": 0})
               for c in ("ROMEO:", "To be, or not")]
        sample = bench.arguments(sessions.api, "/lab_sample", {"model": model, "draws": 500})
        generate = bench.arguments(sessions.api, "/generate", {"prompt": "ROMEO:", "model": model, "max_new_tokens": 5})
        for endpoint, data_of in (("/lab", lambda i: lab[i % 2]), ("/lab_sample", lambda i: sample),
                                  ("/generate", lambda i: generate)):
            row = bench.summary(endpoint, sessions.at_once(endpoint, data_of))
            assert row["errors"] == 0 and row["n"] == 3, row
    finally:
        sessions.close()


@own_thread
def test_a_call_that_fails_is_counted_as_an_error(app_url):
    bench = load_bench()
    sessions = bench.BrowserSessions(app_url, 2)
    try:
        results = sessions.at_once("/lab", lambda i: ["too few inputs"])
        assert [e is not None for _, e in results] == [True, True]
    finally:
        sessions.close()
