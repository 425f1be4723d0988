"""Named forms: the decoding-knob panel Generate, the lab and Compare share, and events wired by name.

A `Form` names an event's inputs: `inputs` is the list gradio gets (the order its API endpoint takes
them), and `read(values)` gives the handler the values it received by name, so no handler reads a
component by its position. A `KnobPanel` is the form of the decoding knobs, named after DecodingSettings'
fields; `KnobPanel.settings` turns its values into DecodingSettings through `DecodingSettings.from_values`,
the converter the CLI uses too.

Handlers are module-level functions `handler(ctx, session, form)` that tests call without a server;
`bind` makes one a gradio event function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence

import gradio as gr

from playground.knobs import DecodingSettings


class Form:
    """An event's inputs by name; a field may itself be a Form (its values then arrive as a nested dict)."""

    def __init__(self, **fields):
        self.fields = fields

    @property
    def inputs(self) -> list:
        out = []
        for f in self.fields.values():
            out += f.inputs if isinstance(f, Form) else [f]
        return out

    def read(self, values: Sequence) -> dict:
        """The values an event received for `inputs`, by name."""
        values = list(values)
        if len(values) != len(self.inputs):
            raise ValueError(f"the form has {len(self.inputs)} inputs, not {len(values)}")
        return self._take(iter(values))

    def _take(self, values: Iterator) -> dict:
        return {name: f._take(values) if isinstance(f, Form) else next(values) for name, f in self.fields.items()}


class KnobPanel(Form):
    """Decoding-knob components named after DecodingSettings' fields (each tab has the knobs it shows),
    and their values as DecodingSettings."""

    @staticmethod
    def settings(knobs: dict) -> DecodingSettings:
        """Named knob values, as `read` gives them, as the engine's DecodingSettings (which validates them).

        The one form-only convention: a stop text is typed on one line, so `\\n` in it means a newline;
        blank means no stop text.
        """
        knobs = dict(knobs)
        if "stops" in knobs:
            text = knobs["stops"] or ""
            knobs["stops"] = (text.replace("\\n", "\n"),) if text else ()
        return DecodingSettings.from_values(**knobs)


def main_sliders(prefix: str, lab: bool = False) -> dict:
    """The four knobs Generate and the lab show first (the lab starts with top-k and top-p off)."""
    return dict(
        temperature=gr.Slider(0, 2, value=1.0, step=0.05, label="Temperature", info="0 = greedy; below 1 sharpens, above 1 flattens",
                              elem_id=f"{prefix}-temperature"),
        top_k=gr.Slider(0, 200, value=0 if lab else 50, step=1, label="Top-k", info="keep the k likeliest tokens; 0 = off",
                        elem_id=f"{prefix}-top-k"),
        top_p=gr.Slider(0.01, 1, value=1.0 if lab else 0.95, step=0.01, label="Top-p (nucleus)",
                        info="keep the smallest set reaching p; 1 = off", elem_id=f"{prefix}-top-p"),
        repetition_penalty=gr.Slider(0.5, 2, value=1.0, step=0.05, label="Repetition penalty",
                                     info="above 1 discourages tokens already used", elem_id=f"{prefix}-rep"),
    )


def bind(ctx, handler: Callable, form: Form) -> Callable:
    """A gradio event function for `form.inputs` that calls `handler(ctx, session, named values)`.

    Keeps the handler's name (gradio derives unnamed endpoints from it) and streams when it is a generator.
    """
    if inspect.isgeneratorfunction(handler):
        def event(request: gr.Request, *values):
            yield from handler(ctx, ctx.session(request), form.read(values))
    else:
        def event(request: gr.Request, *values):
            return handler(ctx, ctx.session(request), form.read(values))
    event.__name__ = event.__qualname__ = handler.__name__
    event.__doc__ = handler.__doc__
    return event
