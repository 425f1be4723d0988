"""Named forms: every event's inputs by name, and the components of settings declared once in the engine.

A `Form` names an event's inputs: `inputs` is the list gradio gets, `names` the parameter names its API
endpoint shows (`prompt`, `temperature`, `seed`, … — an API client calls it by name, never by position), and
`read(values)` gives the handler what it received by name. `bind` makes a handler
`handler(ctx, session, form_values)` — a module-level function tests call without a server — the gradio event
function, with those parameter names in its signature.

The decoding knobs are DecodingSettings' fields, shown as their `Knob` metadata says (`knob_components`);
`KnobPanel.settings` turns their values into DecodingSettings through `DecodingSettings.from_values`, the
converter the CLI uses too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence

import gradio as gr

from playground.knobs import KNOBS, DecodingSettings
from playground.values import number


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

    @property
    def names(self) -> list[str]:
        """One parameter name per input: a field's own name, and a nested form's fields by theirs — all of them
        prefixed with the nested form's name where one would clash with another (Compare's `seed`, and its
        `yours_seed`, `yours_temperature`, …)."""
        own = [name for name, f in self.fields.items() if not isinstance(f, Form)]
        out = []
        for name, f in self.fields.items():
            if not isinstance(f, Form):
                out.append(name)
                continue
            inner = f.names
            others = own + [n for other, g in self.fields.items() if isinstance(g, Form) and other != name for n in g.names]
            out += [f"{name}_{n}" for n in inner] if set(inner) & set(others) else inner
        return out

    def read(self, values: Sequence) -> dict:
        """The values an event received for `inputs`, by name."""
        values = list(values)
        if len(values) != len(self.inputs):
            raise ValueError(f"the form has {len(self.inputs)} inputs, not {len(values)}")
        return self._take(iter(values))

    def _take(self, values: Iterator) -> dict:
        return {name: f._take(values) if isinstance(f, Form) else _text(f, next(values)) for name, f in self.fields.items()}


def _text(component, value):
    """A text box's value as text: an API client may send a number, a list or null where the page sends text."""
    if isinstance(component, gr.Textbox) and not isinstance(value, str):
        return "" if value is None else str(value)
    return value


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
        defaults = DecodingSettings()
        for name, value in knobs.items():  # within the slider: what the page can send, and one sentence otherwise
            if name not in ("seed", "stops"):
                knob = KNOBS[name]
                knobs[name] = number(knob.label, value, lo=knob.lo, hi=knob.hi,
                                     integer=isinstance(getattr(defaults, name), int), blank=None)
        return DecodingSettings.from_values(**knobs)


def knob_components(prefix: str, names: Sequence[str], **values) -> dict:
    """A component per knob in `names`, as its Knob declares it (label, help, range, elem_id `prefix-elem`):
    sliders, a Seed box (text: blank is "a fresh seed") and a Stop text box. `values` overrides a knob's
    starting value (Generate opens with top-k 50, the lab with every knob off)."""
    defaults = DecodingSettings()
    out = {}
    for name in names:
        knob = KNOBS[name]
        elem_id, value = f"{prefix}-{knob.elem}", values.get(name, getattr(defaults, name))
        if name == "seed":  # a textbox, not a Number: a Number field shows 0 once rendered, and 0 is a seed
            out[name] = gr.Textbox("" if value is None else str(value), label=knob.label, max_lines=1, elem_id=elem_id,
                                   placeholder="random")
        elif name == "stops":
            out[name] = gr.Textbox("", label=knob.label, placeholder="e.g. \\n\\n", max_lines=1, elem_id=elem_id,
                                   info=knob.help)
        else:
            out[name] = gr.Slider(knob.lo, knob.hi, value=value, step=knob.step, label=knob.label, info=knob.help,
                                  elem_id=elem_id)
    return out


MAIN_KNOBS = ("temperature", "top_k", "top_p", "repetition_penalty")  # what Generate and the lab show first
MORE_KNOBS = ("min_p", "typical_p", "no_repeat_ngram_size")  # folded away under "More knobs"


def bind(ctx, handler: Callable, form: Form, *, progress: bool = False) -> Callable:
    """A gradio event function for `form.inputs` that calls `handler(ctx, session, named values)`.

    Its signature names the form's inputs (`form.names`), so the API endpoint's parameters are `prompt`,
    `temperature`, … and a client can send them by name. Keeps the handler's name (gradio derives unnamed
    endpoints from it) and streams when it is a generator. With `progress`, gradio shows the engine's tqdm bars
    (gr.Progress(track_tqdm=True)) while it runs.
    """
    take = len(form.inputs)
    if inspect.isgeneratorfunction(handler):
        def event(request, *values):
            yield from handler(ctx, ctx.session(request), form.read(values[:take]))
    else:
        def event(request, *values):
            return handler(ctx, ctx.session(request), form.read(values[:take]))
    return named(event, form.names, like=handler, request=True, progress=progress)


def named(event: Callable, names: Sequence[str], *, like: Callable | None = None, request: bool = False,
          progress: bool = False) -> Callable:
    """`event(*values)` — or `event(request, *values)` — with a signature that names its parameters: what gradio's
    API page and clients read (gradio passes the gr.Request by its annotation, and a gr.Progress by its default,
    after the values)."""
    P = inspect.Parameter
    params = [P(n, P.POSITIONAL_OR_KEYWORD) for n in names]
    if request:
        params.insert(0, P("request", P.POSITIONAL_OR_KEYWORD, annotation=gr.Request))
        event.__annotations__ = {"request": gr.Request}
    if progress:
        params.append(P("progress", P.POSITIONAL_OR_KEYWORD, default=gr.Progress(track_tqdm=True)))
    event.__signature__ = inspect.Signature(params)
    if like is not None:
        event.__name__ = event.__qualname__ = like.__name__
        event.__doc__ = like.__doc__
    return event


def checked_by_handlers(blocks: gr.Blocks) -> None:
    """Let a value gradio would refuse reach the handler, which checks it as the engine does.

    gradio refuses such a value in the component's `preprocess`, before the handler, with an English toast that
    names Python types ("Value: 'x' (type: <class 'str'>) is not in the list of choices") or none of the field
    ("Value 11 is greater than maximum value 10") — or, for text sent to a number, with a traceback. A browser
    cannot send these; an API client can. Every handler checks what it receives (playground.values.number, the
    engine's configs, the lists of choices) and answers in one sentence naming the field, in the page's
    language, inline where the tab reports. The components become a subclass (not a patched instance): gradio
    rebuilds a component for each session whose props a handler changed, from its class.
    """
    from playground.ui.lenient import LENIENT

    for block in blocks.blocks.values():
        lenient = LENIENT.get(type(block))
        if lenient is not None:
            block.__class__ = lenient
