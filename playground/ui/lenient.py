"""The choice and number components, but a value they would refuse goes on to the handler, which checks it and
answers in one sentence (playground.ui.forms.checked_by_handlers says why).

Subclasses rather than patched instances: gradio rebuilds a component for each session whose props a handler
changed, from its class. `is_template` (gradio's mark for a component drawn as its base class) keeps what the
page draws the same.
"""

from __future__ import annotations

import gradio as gr
import gradio.component_meta as component_meta


def _or_as_sent(preprocess, payload):
    try:
        return preprocess(payload)
    except (gr.Error, TypeError, ValueError, OverflowError):
        return payload


# gradio's component metaclass writes a .pyi stub beside the module of every component class it creates (for
# custom components' type hints); these five need none, and the package must not write into its own folder.
_write_stub, component_meta.create_or_modify_pyi = component_meta.create_or_modify_pyi, lambda *args, **kwargs: None
try:
    class Radio(gr.Radio):
        is_template = True

        def preprocess(self, payload):
            return _or_as_sent(super().preprocess, payload)

    class Dropdown(gr.Dropdown):
        is_template = True

        def preprocess(self, payload):
            return _or_as_sent(super().preprocess, payload)

    class CheckboxGroup(gr.CheckboxGroup):
        is_template = True

        def preprocess(self, payload):
            return _or_as_sent(super().preprocess, payload)

    class Slider(gr.Slider):
        is_template = True

        def preprocess(self, payload):
            return _or_as_sent(super().preprocess, payload)

    class Number(gr.Number):
        is_template = True

        def preprocess(self, payload):
            return _or_as_sent(super().preprocess, payload)
finally:
    component_meta.create_or_modify_pyi = _write_stub

LENIENT = {gr.Radio: Radio, gr.Dropdown: Dropdown, gr.CheckboxGroup: CheckboxGroup, gr.Slider: Slider, gr.Number: Number}
