"""memo: results computed once for concurrent identical requests, and torch work in one thread."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from playground.memo import SharedResults, one_torch_thread


def test_concurrent_callers_of_one_key_share_one_computation():
    shared, calls = SharedResults(), []
    barrier = threading.Barrier(12)

    def compute():
        calls.append(1)
        time.sleep(0.2)  # still running when the other eleven arrive
        return object()

    def ask(key):
        barrier.wait()
        return shared.get(key, compute)

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(ask, ["a"] * 10 + ["b"] * 2))
    assert len(calls) == 2 and shared.computed == 2
    assert len({id(r) for r in results[:10]}) == 1 and results[10] is results[11] is not results[0]
    assert shared.get("a", lambda: pytest.fail("recomputed")) is results[0]  # kept for later callers too


def test_an_error_reaches_every_waiting_caller_and_is_not_kept():
    shared = SharedResults()
    barrier = threading.Barrier(4)

    def fail():
        time.sleep(0.2)
        raise ValueError("broken")

    def ask(_):
        barrier.wait()
        try:
            shared.get("k", fail)
        except ValueError as e:
            return str(e)

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(ask, range(4))) == ["broken"] * 4
    assert shared.get("k", lambda: 7) == 7  # tried again, not the old error


def test_least_recently_used_results_go_first():
    shared = SharedResults(size=2)
    shared.get(1, lambda: "one")
    shared.get(2, lambda: "two")
    shared.get(1, lambda: "again")  # 1 is now the most recent
    shared.get(3, lambda: "three")  # drops 2
    assert shared.get(1, lambda: "new") == "one" and shared.get(2, lambda: "new") == "new"


@pytest.fixture
def two_torch_threads(monkeypatch):
    """torch with two threads, as a process on two cores starts (the test workers run with one each:
    OMP_NUM_THREADS in tests/conftest.py), and memo's record of the start count cleared; both restored after."""
    import playground.memo as memo

    start = torch.get_num_threads()
    monkeypatch.setattr(memo, "_default_threads", None)
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(start)


def test_one_torch_thread_is_this_threads_setting_only(two_torch_threads):
    from playground.memo import torch_threads

    before, seen = torch.get_num_threads(), {}
    assert before == 2

    def other(name):
        seen[name] = torch.get_num_threads()

    ready = threading.Event()
    started = threading.Thread(target=lambda: (torch.get_num_threads(), ready.set(), time.sleep(0.3), other("running")))
    started.start()  # a thread already using torch keeps its own count
    ready.wait()
    with one_torch_thread():
        assert torch.get_num_threads() == 1
        started.join()
    assert torch.get_num_threads() == before and seen["running"] == before
    after = threading.Thread(target=other, args=("after",))
    after.start()
    after.join()
    assert seen["after"] == before == torch_threads()  # what a training job sets itself when it starts
