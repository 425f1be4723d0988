"""Results many users ask for at once, computed once: a small LRU whose concurrent callers of one key share one
computation, and torch work in one intra-op thread for request-sized tensors.

A classroom opens a teacher's share link together: thirty identical Decoding-lab requests arrive within a
second (bench/bench_classroom.py). `SharedResults.get(key, compute)` runs `compute` once; the callers that
arrive while it runs wait for it and get the same result, and later ones find it in the LRU. Written by hand:
functools.lru_cache neither coalesces calls in flight nor keys on objects it must not keep alive (a model),
and no library we use does both.

`one_torch_thread`: torch splits each operation over every core by default. A lab request's operations are
small (one forward of a few dozen tokens, softmaxes over one vocabulary), so splitting them buys nothing, and on
a busy machine each split operation waits for its slowest thread: measured on the 2-core machine at load 8, one
lab call took 11 ms of CPU with one thread against 218 ms with two (docs/benchmarks.md, "A classroom of 30").
torch's thread count is per thread (OpenMP's), so this leaves a training job's thread and the others alone.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


class SharedResults:
    """At most `size` results by key, least recently used dropped first; concurrent callers of a key compute once."""

    def __init__(self, size: int = 64):
        self.size = size
        self._done: OrderedDict[Hashable, object] = OrderedDict()
        self._running: dict[Hashable, Future] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many times a compute ran (tests and benches read it)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]  # type: ignore[return-value]
            future = self._running.get(key)
            owner = future is None
            if owner:
                future = self._running[key] = Future()
        if not owner:
            return future.result()  # the same result, or the same exception, as the caller computing it
        try:
            result = compute()
        except BaseException as e:
            with self._lock:
                del self._running[key]
            future.set_exception(e)  # an error is not kept: the next caller tries again
            raise
        with self._lock:
            del self._running[key]
            self.computed += 1
            self._done[key] = result
            while len(self._done) > self.size:
                self._done.popitem(last=False)
        future.set_result(result)
        return result

    def clear(self) -> None:
        with self._lock:
            self._done.clear()


_default_threads: int | None = None
_threads_lock = threading.Lock()


@contextlib.contextmanager
def one_torch_thread():
    """Run the block's torch operations in one intra-op thread (this thread's setting); usable as a decorator.

    One caveat of torch's: a thread that makes its first torch call while such a block runs elsewhere starts with
    one thread too (torch seeds a new thread from the last count set anywhere), so work that wants every core
    (a training job) sets `torch_threads()` itself when it starts.
    """
    import torch

    global _default_threads
    with _threads_lock:
        if _default_threads is None:
            _default_threads = torch.get_num_threads()
    before = torch.get_num_threads()
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def torch_threads() -> int:
    """The intra-op thread count this process started with (torch's default, or what its launcher set)."""
    import torch

    with _threads_lock:
        return _default_threads or torch.get_num_threads()
