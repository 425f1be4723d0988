"""Share links: a query string that reopens the page on one tab with the same model, prompt, knobs and seed.

    ?tab=lab&model=demo&prompt=ROMEO%3A&temperature=0.7&seed=7

`share_query` writes one from a tab's values (knobs named after DecodingSettings' fields, so the link
reads like the CLI); `read_share` reads one back, keeping what is valid and saying in one sentence per
value what it ignored, because a link is typed, truncated and edited by hand. A teacher sends one link and
every student sees the same distribution.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlencode

from playground.errors import PlaygroundError
from playground.knobs import DecodingSettings

TABS = ("generate", "lab", "compare")
KNOBS = tuple(f.name for f in fields(DecodingSettings))
MAX_PROMPT_CHARS = 4000  # a link is not a corpus; browsers and chat apps cut URLs near 8 KB anyway


@dataclass
class Shared:
    """What a share link asked for: each field None (or empty) when the link did not set it validly."""

    tab: str | None = None
    model: str | None = None
    prompt: str | None = None
    knobs: dict = field(default_factory=dict)  # DecodingSettings field name -> value as the form holds it
    ignored: list[str] = field(default_factory=list)  # one sentence per value left out

    @property
    def empty(self) -> bool:
        return self.tab is None and self.model is None and self.prompt is None and not self.knobs


def share_query(tab: str, model: str, prompt: str, knobs: Mapping, defaults: Mapping | None = None) -> str:
    """`?tab=…&model=…&prompt=…&knob=…`: a knob equal to its form default (`defaults`) is left out, so the
    link names only what was changed."""
    if tab not in TABS:
        raise ValueError(f"tab must be one of {TABS}, not {tab!r}")
    params = {"tab": tab, "model": model, "prompt": prompt}
    for name, value in knobs.items():
        if name not in KNOBS:
            raise ValueError(f"not a decoding knob: {name}")
        if value is None or (defaults is not None and name in defaults and _same(value, defaults[name])):
            continue
        params[name] = _text(value)
    return "?" + urlencode(params)


def read_share(params: Mapping[str, str]) -> Shared:
    """The valid part of a share link's query parameters; other parameters (a chat app's tracking tags,
    `present`) are not ours and pass silently."""
    shared = Shared()
    tab = params.get("tab")
    if tab is not None:
        if tab.lower() in TABS:
            shared.tab = tab.lower()
        else:
            shared.ignored.append(f"tab '{tab}' is not one of {', '.join(TABS)}.")
    if params.get("model"):
        shared.model = params["model"].strip()
    if "prompt" in params:
        if len(params["prompt"]) <= MAX_PROMPT_CHARS:
            shared.prompt = params["prompt"]
        else:
            shared.ignored.append(f"the prompt is longer than {MAX_PROMPT_CHARS:,} characters.")
    for name in KNOBS:
        if name in params:
            try:
                shared.knobs[name] = parse_knob(name, params[name])
            except PlaygroundError as e:
                shared.ignored.append(str(e))
    return shared


def parse_knob(name: str, text: str):
    """One knob from its link text, checked by DecodingSettings alone (its own range); the form's value.

    The seed stays text, as the Seed box holds it (blank: random); a stop text stays as typed (`\\n`).
    """
    if name == "stops":
        return text
    if name == "seed":
        DecodingSettings.from_values(seed=text)  # a whole number in range, or blank
        return text.strip()
    try:
        value = float(text)
    except ValueError:
        raise PlaygroundError(f"{name.replace('_', ' ')} must be a number, not '{text}'.") from None
    DecodingSettings.from_values(**{name: value})  # its own range, as the engine checks it
    return int(value) if value.is_integer() and isinstance(getattr(DecodingSettings(), name), int) else value


def _text(value) -> str:
    """A knob value as short, exact link text: 50.0 (a slider's float) is 50, 0.7 stays 0.7."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(a, b) -> bool:
    if a in (None, "") or b in (None, ""):  # a blank box may hold None or ""
        return a in (None, "") and b in (None, "")
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


# --------------------------------------------------------------------------- the page's side

TAB_NAMES = {"generate": "Generate", "lab": "Decoding lab", "compare": "Compare"}
LINK_JS = """
(query) => {
  if (!query || query[0] !== '?') return query;
  const url = window.location.origin + window.location.pathname + query;
  if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
  return url;
}
"""


def share_row(tab: str):
    """The "Copy share link" button and the box that shows the link, where the tab places them."""
    import gradio as gr

    with gr.Row(equal_height=True):
        button = gr.Button("Copy share link", size="sm", elem_id=f"{tab}-share-btn", scale=0, min_width=150)
        box = gr.Textbox(show_label=False, interactive=False, elem_id=f"{tab}-share", buttons=["copy"], max_lines=1, scale=5,
                         placeholder="a link that opens this tab with this model, prompt, knobs and seed")
    return button, box


def wire_share(tab: str, row, model_select, targets: dict) -> None:
    """The share row's button writes a link to the tab's `targets` ("prompt" and DecodingSettings field names
    → components). Python writes the query; the page prefixes its own address (right behind a proxy or on a
    Space) and copies it."""
    from playground.ui.forms import named

    button, box = row
    names = list(targets)
    defaults = {name: component.value for name, component in targets.items()}

    def make_link(model, *values):
        named = dict(zip(names, values))
        return share_query(tab, model or "", named.pop("prompt", "") or "", named, defaults)

    make_link.__name__ = f"share_{tab}"
    button.click(named(make_link, ["model", *names]), [model_select, *targets.values()], box, queue=False, api_name=f"share_{tab}").then(
        None, box, box, js=LINK_JS, api_visibility="undocumented")


def link_values(shared: Shared, targets: dict) -> tuple[dict, list[str]]:
    """The values a share link sets on its tab's components (`targets`: that tab's name → component), and one
    sentence per value a component cannot take (a knob the tab lacks, a number outside a slider's range)."""
    import gradio as gr

    tab = shared.tab or "generate"
    values, ignored = {}, []
    if shared.prompt is not None and "prompt" in targets:
        values[targets["prompt"]] = shared.prompt
    for name, value in shared.knobs.items():
        component = targets.get(name)
        label = name.replace("_", " ")
        if component is None:
            ignored.append(f"the {TAB_NAMES[tab]} tab has no {label} knob.")
        elif isinstance(component, gr.Slider) and not component.minimum <= float(value) <= component.maximum:
            ignored.append(f"{label} {value} is outside its slider ({component.minimum:g} to {component.maximum:g}).")
        elif isinstance(component, gr.Number):
            if str(value).strip():  # a blank seed cannot go into a number box: it keeps its default
                values[component] = int(value)
        else:
            values[component] = value
    return values, ignored
