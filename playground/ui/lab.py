"""Decoding lab tab: the next-token distribution knob by knob, sampled histograms, temperatures, step mode.

Every number comes from `playground.decoding`, which runs the very processors `generate` builds, so what
the chart shows is what Generate samples from.
"""

from __future__ import annotations

import time

import gradio as gr

from playground import charts
from playground.assets import LAB_CONTEXTS
from playground.knobs import MAX_SAMPLES
from playground.errors import PlaygroundError
from playground.ui import engine
from playground.ui.common import note, token_label
from playground.ui.i18n import localize_figure, tr
from playground.ui.forms import MAIN_KNOBS, MORE_KNOBS, Form, KnobPanel, bind, knob_components
from playground.ui.share import share_row, wire_share
from playground.ui.errors import friendly
from playground.ui.sessions import Session
from playground.ui.state import AppContext
from playground.values import check_seed, number

MAX_TOP_N = 30  # bars per stage: more cannot be read
EXAMPLE_CONTEXT = LAB_CONTEXTS[0]  # peaked for the bundled demo model (see playground.assets.LAB_CONTEXTS)


def stage_data(result) -> tuple[list[str], list[dict]]:
    """The LabResult as the chart's plain data: raw top-N tokens and each stage's probabilities for them."""
    top = result.stages[0].top
    ids = [t.id for t in top]
    stages = [{"name": s.name, "active": s.active, "kept": s.kept, "probs": s.probs[ids].tolist(), "entropy": s.entropy,
               "kept_mass": s.kept_mass} for s in result.stages]
    return [t.token for t in top], stages


def histogram_figure(hist, lang: str = "en") -> object:
    return localize_figure(charts.sample_histogram([c.to_dict() for c in hist.counts], draws=hist.draws, other_count=hist.other_count,
                                   other_expected=hist.other_expected, other_tokens=hist.other_tokens,
                                   title=f"{hist.draws:,} draws from the final distribution (seed {hist.seed})"), lang)


def temperature_figure(tok, result, sweep_t: float, references: tuple[float, ...], lang: str = "en") -> object:
    """The raw top-N bars at `sweep_t` (and markers at the reference temperatures), from the lab's own
    logits: no forward pass, so the slider can sweep as fast as the browser asks."""
    top = result.stages[0].top
    ids = [t.id for t in top]
    curves = engine.temperature_comparison(result.logits, tok, (float(sweep_t), *references), 1)

    def data(c) -> dict:
        probs = c.probs[ids].tolist()
        return {"temperature": c.temperature, "entropy": c.entropy, "probs": probs, "rest": max(0.0, 1.0 - sum(probs))}

    return localize_figure(charts.temperature_chart([t.token for t in top], data(curves[0]), [data(c) for c in curves[1:]]),
                           lang)


def parse_temperatures(text) -> tuple[float, ...]:
    """The temperatures marked for comparison: one to six numbers from 0 to 10, separated by commas."""
    if not isinstance(text, str):
        raise PlaygroundError(f"Temperatures must be numbers separated by commas, like 0.3, 1, 1.5 — not '{text}'.")
    parts = [t for t in text.replace(";", ",").split(",") if t.strip()]
    if not parts or len(parts) > 6:
        raise PlaygroundError("Give between one and six temperatures, like 0.3, 1, 1.5.")
    try:
        return tuple(number("A temperature", t, lo=0, hi=10) for t in parts)
    except PlaygroundError:
        raise PlaygroundError(f"Temperatures must be numbers separated by commas, like 0.3, 1, 1.5 — not '{text[:40]}'.") from None


def _settings(form: dict):
    """The lab's knobs, with the seed of its Sampling section."""
    return KnobPanel.settings({**form["knobs"], "seed": form["seed"]})


def _outputs(session: Session, tok, result, temps: tuple[float, ...], sweep_t: float, extra_note: str = ""):
    """Stage chart, histogram, temperature chart, the step-mode choices and the info line for a LabResult."""
    session.lab = result
    tokens, stages = stage_data(result)
    fig = localize_figure(charts.stage_chart(tokens, stages), session.language)
    tfig = temperature_figure(tok, result, sweep_t, temps, session.language)
    choices = [(f"{token_label(t.token)}  {t.prob:.1%}", str(t.id)) for t in result.final if t.prob > 0]
    final, lang = result.stages[-1], session.language
    text = (tr(lang, "{n} context tokens", n=len(result.context_ids)) + " · "
            + tr(lang, "{n} tokens possible after every knob", n=f"{final.kept:,}")
            + (" · " + tr(lang, "greedy: generate takes the top token") if result.greedy else ""))
    msg = (note(result.notice, "warn") if result.notice else "") + (note(extra_note, "ok") if extra_note else "") + note(text, "info")
    return fig, histogram_figure(result.histogram, session.language), tfig, gr.update(choices=choices, value=choices[0][1] if choices else None), msg


def _context(session: Session, text: str, model_name: str, tok):
    """Step mode keeps exact token ids; the text box shows them decoded. Re-use the ids while it is unchanged."""
    prev = session.lab
    if prev is not None and session.lab_model == model_name and tok.decode(prev.context_ids) == text:
        return prev.context_ids
    return text


def _sizes(form: dict) -> tuple[int, int]:
    """The tokens to show and the draws to make, checked (an API client may send anything)."""
    return (number("Tokens to show", form["top_n"], integer=True, lo=1, hi=MAX_TOP_N),
            number("Draws", form["draws"], integer=True, lo=1, hi=MAX_SAMPLES))


def _views(form: dict) -> tuple[tuple[float, ...], float]:
    """The temperatures marked for comparison and the sweep's, checked before any work."""
    return parse_temperatures(form["temps"]), number("Temperature sweep", form["sweep"], lo=0, hi=2)


def refresh(ctx: AppContext, session: Session, form: dict):
    """Show distribution. `form`: context, model, knobs (by name), top_n, draws, seed, temps, sweep."""
    (top_n, draws), (temps, sweep), settings = _sizes(form), _views(form), _settings(form)
    model, tok = ctx.model(session, form["model"])
    result = engine.lab(model, tok, _context(session, form["context"], form["model"], tok), settings,
                        top_n=top_n, samples=draws)
    session.lab_model = form["model"]
    return _outputs(session, tok, result, temps, sweep)


def _step(ctx: AppContext, session: Session, form: dict, pick: bool):
    if session.lab is None:
        raise PlaygroundError("Press Show distribution first; then choose the next token.")
    if pick and form["choice"] in (None, ""):
        raise PlaygroundError("Choose a token in the list first.")
    (top_n, draws), (temps, sweep) = _sizes(form), _views(form)
    choice = number("Next token", form["choice"], integer=True, lo=0) if pick else None
    model, tok = ctx.model(session, session.lab_model or form["model"])
    token_id, result = engine.lab_step(model, tok, session.lab, _settings(form), choice, top_n=top_n, samples=draws)
    appended = tok.decode([token_id])
    outs = _outputs(session, tok, result, temps, sweep,
                    tr(session.language, "Appended “{token}”", token=token_label(appended))
                    + ("" if pick else tr(session.language, " (sampled)")))
    return (tok.decode(result.context_ids), *outs)


def append_token(ctx: AppContext, session: Session, form: dict):
    """Step mode: append the chosen token and show the next distribution. `form`: model, choice, knobs,
    top_n, draws, seed, temps, sweep."""
    return _step(ctx, session, form, pick=True)


def sample_token(ctx: AppContext, session: Session, form: dict):
    """Step mode: append the token generate would pick (a seeded draw, or the argmax under greedy)."""
    return _step(ctx, session, form, pick=False)


def sample(ctx: AppContext, session: Session, form: dict):
    """Sample: a histogram of `draws` draws from the final distribution, beside the expected counts.
    `form`: model, draws, seed, top_n."""
    top_n, n_draws = _sizes(form)
    seed = check_seed(number("Seed", form["seed"], integer=True, lo=0, blank=0))
    lab = session.lab
    if lab is None:
        raise PlaygroundError("Press Show distribution first; then sample from it.")
    _, tok = ctx.model(session, session.lab_model or form["model"])
    hist = engine.histogram(lab.final_probs, n_draws, seed, tok, top_n, greedy=lab.greedy)
    return histogram_figure(hist, session.language), gr.skip()


def sweep_temperature(ctx: AppContext, session: Session, form: dict):
    """The temperature chart at `sweep` (0 = greedy), with the temperatures in `temps` marked. `form`: model,
    sweep, temps."""
    t, temps = number("Temperature sweep", form["sweep"], lo=0, hi=2), parse_temperatures(form["temps"])
    if session.lab is None:
        raise PlaygroundError("Press Show distribution first; then sweep its temperature.")
    _, tok = ctx.model(session, session.lab_model or form["model"])
    return temperature_figure(tok, session.lab, t, temps, session.language), gr.skip()


def play_sweep(ctx: AppContext, session: Session, form: dict):
    """The sweep played from greedy to T = 2, the slider following (about three seconds)."""
    refs = parse_temperatures(form["temps"])
    if session.lab is None:
        raise PlaygroundError("Press Show distribution first; then play its temperature sweep.")
    _, tok = ctx.model(session, session.lab_model or form["model"])
    for i in range(0, 41, 2):
        t = i / 20
        yield temperature_figure(tok, session.lab, t, refs, session.language), t, gr.skip()
        time.sleep(0.12)


def build(ctx: AppContext, model_select: gr.Dropdown) -> dict:
    gr.Markdown("What does each knob do to the model's next-token distribution? **Show distribution** draws the top "
                "tokens after every stage, in the order `generate` applies them, all on one probability scale: tokens a "
                "knob cuts turn pale and hatched, the survivors are renormalised (each bar grows past the tick where it "
                "stood; ×1.25 means the stage kept 80 % of the mass). Each panel gives its entropy and *effective "
                "choices* e^H — as uncertain as a fair pick among that many tokens. Move a slider and the chart follows. "
                "Then **sample** from the final distribution, sweep the **temperature**, or **step**: append a token "
                "and look at the next distribution.", elem_classes="pg-intro")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            context = gr.Textbox(EXAMPLE_CONTEXT, label="Context", lines=4, elem_id="lab-context", elem_classes="pg-step")
            gr.Examples([[c] for c in LAB_CONTEXTS], [context], label="Contexts with a clear favourite (demo model)",
                        elem_id="lab-examples")
            sliders = knob_components("lab", MAIN_KNOBS, top_k=0, top_p=1.0)  # every knob off: the raw distribution
            with gr.Accordion("More knobs", open=False):
                more = knob_components("lab", MORE_KNOBS)
                top_n = gr.Slider(5, MAX_TOP_N, value=12, step=1, label="Tokens to show", elem_id="lab-top-n")
            show = gr.Button("Show distribution", variant="primary", elem_id="lab-btn", elem_classes="pg-primary")
            info = gr.HTML(elem_id="lab-info")
            share = share_row("lab")
        with gr.Column(scale=5):
            plot = gr.Plot(charts.stage_chart([], []), elem_id="lab-plot", show_label=False)
    gr.Markdown("### Step mode")
    with gr.Row(equal_height=True):
        step_choice = gr.Radio([], label="Next token (final distribution)", elem_id="lab-step-choice", scale=5)
        with gr.Column(scale=1, min_width=180):
            step_btn = gr.Button("Append this token", elem_id="lab-step-btn")
            sample_one = gr.Button("Sample one", elem_id="lab-sample-one")
    gr.Markdown("### Sampling and temperature")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=260):
            draws = gr.Slider(1, MAX_SAMPLES, value=10_000, step=1, label="Draws", elem_id="lab-draws")
            seed = gr.Number(0, label="Seed", precision=0, elem_id="lab-seed")
            sample_btn = gr.Button("Sample", elem_id="lab-sample-btn")
            sweep = gr.Slider(0, 2, value=1.0, step=0.05, label="Temperature sweep", elem_id="lab-sweep",
                              info="drag: the same bars at another temperature (0 = greedy)")
            animate = gr.Button("▶ Sweep 0 → 2", size="sm", elem_id="lab-animate")
            temps = gr.Textbox("0.3, 1.0, 1.5", label="Temperatures marked for comparison", max_lines=1, elem_id="lab-temps")
        with gr.Column(scale=5):
            with gr.Row():
                hist_plot = gr.Plot(charts.sample_histogram([], draws=0), elem_id="lab-hist", show_label=False)
                temp_plot = gr.Plot(charts.temperature_chart([], None), elem_id="lab-temp-plot", show_label=False)

    knobs = KnobPanel(**sliders, **more)
    # The /lab endpoint's order: context, model, the knobs, then the lab's own inputs.
    form = Form(context=context, model=model_select, knobs=knobs, top_n=top_n, draws=draws, seed=seed, temps=temps, sweep=sweep)
    inputs, outputs = form.inputs, [plot, hist_plot, temp_plot, step_choice, info]
    show_event = friendly(message=4, outputs=5)(bind(ctx, refresh, form))
    show.click(show_event, inputs, outputs, api_name="lab", concurrency_limit=4, concurrency_id="lab")
    # Sliders redraw live (input: while dragging, and as a value is typed into the number box — its release comes
    # only when the box loses focus; always_last: at most one refresh waits, the newest).
    gr.on([k.input for k in knobs.inputs] + [top_n.input, temps.submit], show_event, inputs, outputs,
          trigger_mode="always_last", concurrency_limit=4, concurrency_id="lab", show_progress="minimal",
          api_visibility="undocumented")

    sample_form = Form(model=model_select, draws=draws, seed=seed, top_n=top_n)
    sample_btn.click(friendly(message=1, outputs=2)(bind(ctx, sample, sample_form)), sample_form.inputs, [hist_plot, info],
                     api_name="lab_sample", concurrency_limit=4, concurrency_id="lab")

    # The lab kept its logits: each slider position is a softmax, not a forward pass, so redraw while dragging.
    sweep_form = Form(model=model_select, sweep=sweep, temps=temps)
    gr.on([sweep.input], friendly(message=1, outputs=2)(bind(ctx, sweep_temperature, sweep_form)),
          sweep_form.inputs, [temp_plot, info], api_name="lab_temperature", trigger_mode="always_last",
          concurrency_limit=4, concurrency_id="lab", show_progress="hidden")

    animate_form = Form(model=model_select, temps=temps)
    animate.click(friendly(message=2, outputs=3)(bind(ctx, play_sweep, animate_form)), animate_form.inputs,
                  [temp_plot, sweep, info], show_progress="hidden", concurrency_limit=4, concurrency_id="lab",
                  api_visibility="undocumented")

    step_form = Form(model=model_select, choice=step_choice, knobs=knobs, top_n=top_n, draws=draws, seed=seed, temps=temps,
                     sweep=sweep)
    for button, handler, api_name in ((step_btn, append_token, "lab_step"), (sample_one, sample_token, "lab_sample_one")):
        button.click(friendly(message=5, outputs=6)(bind(ctx, handler, step_form)), step_form.inputs, [context, *outputs],
                     api_name=api_name, concurrency_limit=4, concurrency_id="lab")
    targets = {"prompt": context, **knobs.fields, "seed": seed}
    wire_share("lab", share, model_select, targets)
    return {"share": targets, "show": show_event, "inputs": inputs, "outputs": outputs}
