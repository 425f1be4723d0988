"""The engine's torch-backed calls, as the tabs reach them: imported on first use, not with the page.

torch and transformers take seconds to import on a small CPU, and a tab needs them only when a button is
pressed, so `python app.py` serves its page first and `warm_up()` imports them in the background right
after (README, "App" benchmark). A tab writes `engine.generate(...)`; the first attribute read imports
the engine module that defines it.

Written by hand because importlib.util.LazyLoader is not thread-safe on Python 3.11 (two requests at once
can see a half-executed module); importlib.import_module runs under the import system's per-module lock.
"""

from __future__ import annotations

import importlib

# Each name a tab calls, and the engine module that defines it.
_HOMES = {
    "playground.generation": ("generate", "stream", "branch"),
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


def warm_up() -> None:
    """Import every engine module the tabs call, and transformers' GPT-2 and Trainer code they load."""
    for module in _HOMES:
        importlib.import_module(module)
    import transformers

    transformers.GPT2LMHeadModel  # noqa: B018 - resolving the lazy attribute imports the modeling code
    importlib.import_module("playground.training")  # Trainer
