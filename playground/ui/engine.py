"""The engine's torch-backed calls, as the tabs reach them: imported on first use, not with the page.

torch and transformers take seconds to import on a small CPU, and a tab needs them only when a button is
pressed, so `python app.py` serves its page first and `warm_up()` imports them in the background right
after (README, "App" benchmark). A tab writes `engine.generate(...)`; the first attribute read imports
the engine module that defines it.

Written by hand because importlib.util.LazyLoader is not thread-safe on Python 3.11 (two requests at once
can see a half-executed module); importlib.import_module runs under the import system's per-module lock.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable
from inspect import isasyncgenfunction, iscoroutinefunction, isgeneratorfunction  # not `inspect`: an engine name

import anyio

# Each name a tab calls, and the engine module that defines it.
_HOMES = {
    "playground.generation": ("generate", "stream", "branch"),
    "playground.batching": ("BATCHER",),
    "playground.decoding": ("lab", "lab_step", "histogram", "temperature_comparison"),
    "playground.compare": ("compare", "iter_compare", "strategy_names"),
    "playground.evaluation": ("perplexity",),
    "playground.internals": ("inspect", "beam_tree"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str):
    try:
        module = _HOME_OF[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), name)


_warm_lock = threading.Lock()
_warm = False


def warm_up() -> None:
    """Import every engine module the tabs call, and the libraries behind them, once, in one thread.

    Two threads importing transformers at once can deadlock inside importlib, which then hands one of them a
    half-initialised module (seen: datasets' hashing, during a corpus upload, found no
    transformers.PreTrainedTokenizerBase). So the first import happens here, under a lock, and every event
    waits for it (`gate_events`).
    """
    global _warm
    with _warm_lock:
        if _warm:
            return
        import datasets  # noqa: F401 - corpus reading
        import transformers

        # Resolving these lazy attributes imports the tokenizer, GPT-2 and generation code.
        transformers.PreTrainedTokenizerBase, transformers.GPT2LMHeadModel  # noqa: B018
        for module in _HOMES:
            importlib.import_module(module)
        _warm = True


def gate_events(demo) -> None:
    """Make every event of `demo` wait until warm_up() has run (at once, after the first seconds)."""
    for block_fn in demo.fns.values():
        if block_fn.fn is not None:
            block_fn.fn = _after_warm_up(block_fn.fn)


def _after_warm_up(fn: Callable) -> Callable:
    # The wrapper keeps fn's kind (gradio streams generators and awaits coroutines) and, through
    # functools.wraps, its signature (gradio injects gr.Request by it).
    if isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def agen(*args, **kwargs):
            await anyio.to_thread.run_sync(warm_up)
            async for item in fn(*args, **kwargs):
                yield item
        return agen
    if iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def coro(*args, **kwargs):
            await anyio.to_thread.run_sync(warm_up)
            return await fn(*args, **kwargs)
        return coro
    if isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen(*args, **kwargs):
            warm_up()
            yield from fn(*args, **kwargs)
        return gen

    @functools.wraps(fn)
    def plain(*args, **kwargs):
        warm_up()
        return fn(*args, **kwargs)
    return plain
