"""A handler's PlaygroundError as one sentence, inline, in the page's language: never a traceback or a toast."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import gradio as gr

from playground.errors import PlaygroundError
from playground.ui.common import note
from playground.ui.i18n import error, language_of


def friendly(*, message: int, outputs: int) -> Callable:
    """Show a handler's PlaygroundError as one sentence, inline, never a traceback; the app keeps serving.

    The sentence goes into output `message` (of `outputs`) as an error note that stays until the next
    action, and every other output keeps what it showed (gr.skip()): no 10-second toast, no outputs wiped
    to bare "Error" badges. Works for plain functions and generators.
    """
    def decorate(fn: Callable) -> Callable:
        def shown(e: PlaygroundError, args: tuple, kwargs: dict):
            request = next((a for a in (*args, *kwargs.values()) if isinstance(a, gr.Request)), None)
            values = [gr.skip()] * outputs
            values[message] = note(error(language_of(request), str(e)), "error")
            return values[0] if outputs == 1 else tuple(values)

        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                try:
                    yield from fn(*args, **kwargs)
                except PlaygroundError as e:
                    yield shown(e, args, kwargs)
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except PlaygroundError as e:
                return shown(e, args, kwargs)
        return wrapper

    return decorate
