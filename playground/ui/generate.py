"""Generate tab: every decoding knob, streamed output, tokens coloured by probability, branch from any token."""

from __future__ import annotations

import json

import gradio as gr

from playground.errors import PlaygroundError
from playground.knobs import KNOBS, MAX_NEW_TOKENS, DecodingSettings
from playground.models import context_length
from playground.ui import engine
from playground.ui.common import PROB_BINS, PROB_COLORS, TOKEN_TIPS_JS, esc, legend, note, prob_bin, token_label
from playground.ui.i18n import I18N, tr
from playground.ui.forms import MAIN_KNOBS, MORE_KNOBS, Form, KnobPanel, bind, knob_components
from playground.ui.share import share_row, wire_share
from playground.ui.errors import friendly
from playground.ui.sessions import Session
from playground.ui.state import AppContext
from playground.values import number

EXAMPLE_PROMPT = "ROMEO:\nBut soft, what light"
# Generate requests that may run at once: enough for concurrent presses to reach the batcher together (one
# generate call for all of them) instead of queueing in gradio; the batcher bounds the generate calls.
GENERATE_CONCURRENCY = 20


def max_new_tokens_limit(model_name: str) -> int:
    """The largest max-new-tokens the model allows: its context minus one token of prompt."""
    context = context_length(model_name)
    return MAX_NEW_TOKENS if context is None else max(1, min(MAX_NEW_TOKENS, context - 1))


def tokens_view(prompt: str, steps) -> list[tuple[str, str | None]]:
    """HighlightedText value: the prompt uncoloured, then each generated token in its probability bin."""
    return [(prompt, None)] + [(s.token, prob_bin(s.prob)) for s in steps]


TIP_ALTERNATIVES = 5


def token_tip(step, lang: str = "en") -> str:
    """What hovering a generated token shows: its probability and the likeliest alternatives at its position."""
    lines = [f"{token_label(step.token)}   " + tr(lang, "p = {p} (raw model {raw})", p=f"{step.prob:.1%}",
                                                  raw=f"{step.raw_prob:.1%}"), tr(lang, "top alternatives:")]
    lines += [f"  {token_label(t.token)}   {t.prob:.1%}" + ("  " + tr(lang, "← chosen") if t.id == step.id else "")
              for t in step.top[:TIP_ALTERNATIVES]]
    return "\n".join(lines)


def token_tips(steps, lang: str = "en") -> str:
    """Hover data for tokens_view's entries (the prompt first, without a tip), as JSON for the page's script:
    each entry's tip, and whether its p < 1 % (drawn underlined too: not told by colour alone)."""
    entries = [{"tip": None, "rare": False}] + [{"tip": token_tip(s, lang), "rare": s.prob < 0.01} for s in steps]
    return json.dumps(entries)


def sequence_text(prompt: str, result, lang: str = "en") -> str:
    if len(result.sequences) == 1:
        return prompt + result.sequences[0].text
    return "\n\n".join(tr(lang, "── sequence {i} ──", i=i) + f"\n{prompt}{s.text}" for i, s in enumerate(result.sequences, 1))


def info_line(result, model_name: str, ctx: AppContext, lang: str = "en") -> str:
    seq = result.sequences[0]
    bits = [tr(lang, "model {model}", model=tr(lang, ctx.label(model_name))), tr(lang, "seed {seed}", seed=result.seed),
            tr(lang, "{n} tokens", n=len(seq.token_ids))]
    if seq.steps:
        avg = sum(s.prob for s in seq.steps) / len(seq.steps)
        bits.append(tr(lang, "mean p of chosen tokens {p}", p=f"{avg:.0%}"))
    text = " · ".join(bits)
    if result.notice:
        return note(result.notice, "warn") + note(text, "info")
    return note(text + (" · " + tr(lang, "stopped") if result.cancelled else ""), "info")


def on_generate(ctx: AppContext, session: Session, form: dict):
    """Generate: the text as it streams, then the coloured tokens and the info line.

    `form`: prompt, model, knobs (named after DecodingSettings' fields). Beams and several sequences
    are not streamed. Runs go through the engine's batcher: users who press Generate at the same moment
    with the same model and knobs share one generate call (README, "Load").
    """
    session.generation_stop.clear()
    settings = KnobPanel.settings(form["knobs"])
    prompt_text, model_name = form["prompt"], form["model"]
    model, tok = ctx.model(session, model_name)
    if settings.num_beams > 1 or settings.num_return_sequences > 1:
        yield tr(session.language, "Generating…"), gr.skip(), gr.skip()
        result = engine.generate(model, tok, prompt_text, settings, stop_event=session.generation_stop, batcher=engine.BATCHER)
    else:
        live = engine.stream(model, tok, prompt_text, settings, stop_event=session.generation_stop, batcher=engine.BATCHER)
        text, generating = prompt_text, note(tr(session.language, "Generating…"), "info")
        yield text, [], generating
        for piece in live:
            text += piece
            # The other two outputs again, not gr.skip(): gradio treats a skip as a property update and builds
            # the component anew with its API schema each time, once per streamed piece and output; the same
            # values cost nothing (a stream sends only what changed).
            yield text, [], generating
        result = live.result
    _remember(session, result, model_name, settings)
    yield (sequence_text(prompt_text, result, session.language), tokens_view(prompt_text, result.sequences[0].steps),
           info_line(result, model_name, ctx, session.language))


def branch_here(ctx: AppContext, session: Session, form: dict):
    """Continue from here: the last generation up to `position`, then `token_id` in place of the token that was
    there, and the rest generated anew with the same knobs and seed. `form`: prompt, model, position, token_id."""
    if session.generation is None or form["position"] is None or form["token_id"] in (None, ""):
        raise PlaygroundError("Click a generated token and pick an alternative first.")
    position = number("Position", form["position"], integer=True, lo=0)
    token_id = number("Token id", form["token_id"], integer=True, lo=0)
    model, tok = ctx.model(session, session.generation_model)
    result = engine.branch(model, tok, session.generation, session.generation_settings, position=position,
                           token_id=token_id)
    _remember(session, result, session.generation_model, session.generation_settings)
    prompt_text = form["prompt"] if isinstance(form["prompt"], str) else ""
    return (sequence_text(prompt_text, result, session.language), tokens_view(prompt_text, result.sequences[0].steps),
            info_line(result, session.generation_model, ctx, session.language),
            note(tr(session.language, "Continued from token {i} with your choice.", i=position + 1), "ok"))


def build(ctx: AppContext, model_select: gr.Dropdown) -> dict:
    gr.Markdown("Type a prompt and generate. Every knob is applied exactly as `transformers`' `generate` applies it. "
                "Below the text, each generated token is coloured by the probability it had when it was picked — "
                "**hover a token** to see what else the model considered, **click it** to continue from there with "
                "another choice.", elem_classes="pg-intro")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            prompt = gr.Textbox(EXAMPLE_PROMPT, label="Prompt", lines=4, elem_id="prompt",
                                placeholder="Empty starts from <|endoftext|>, like a new document.")
            with gr.Row():
                go_btn = gr.Button("Generate", variant="primary", elem_id="generate-btn", elem_classes="pg-primary", scale=3)
                stop_btn = gr.Button("Stop", variant="stop", elem_id="generate-stop", scale=1)
            output = gr.Textbox(label="Output", lines=10, max_lines=24, interactive=False, elem_id="generate-output",
                                buttons=["copy"])
            info = gr.HTML(elem_id="generate-info")
            share = share_row("generate")
        with gr.Column(scale=3):
            sliders = knob_components("gen", MAIN_KNOBS, top_k=50, top_p=0.95)
            # Clamped to the selected model's context when the page loads and whenever the model changes
            # (per page); API clients that name another model are checked by the engine.
            max_new = knob_components("gen", ["max_new_tokens"], max_new_tokens=60)["max_new_tokens"]
            with gr.Accordion("More knobs", open=False):
                more = knob_components("gen", MORE_KNOBS)
                with gr.Row():
                    more |= knob_components("gen", ["num_beams", "num_return_sequences"])
                with gr.Row():
                    more |= knob_components("gen", ["seed", "stops"])
    gr.Markdown("### Tokens coloured by their probability")
    gr.HTML(legend(PROB_BINS, I18N("p of the chosen token:")))
    tokens = gr.HighlightedText(label="Hover a token for its probability and alternatives; click it to continue from there",
                                color_map=PROB_COLORS, show_legend=False, show_inline_category=False,
                                combine_adjacent=False, elem_id="generate-tokens", interactive=False)
    # The hover tips travel beside the tokens (HighlightedText has no per-token tooltip); the page's script
    # (common.PAGE_JS) shows them. Kept off screen: it is data, not a view.
    tips = gr.Textbox("[]", visible=True, interactive=False, elem_id="generate-tips", elem_classes="pg-hidden",
                      show_label=False, container=False)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            picked = gr.HTML(note(I18N("Generate, then click a token above."), "info"), elem_id="generate-picked")
        with gr.Column(scale=4):
            alternatives = gr.Radio([], label="Alternatives at this position (final distribution)", elem_id="generate-alternatives")
            branch_btn = gr.Button("Continue from here with this token", elem_id="generate-branch", interactive=False)
    position = gr.State(None)

    # The /generate endpoint's (and Compare's) order: the four sliders, then max new tokens, then the rest.
    knobs = KnobPanel(**sliders, max_new_tokens=max_new, **more)
    form = Form(prompt=prompt, model=model_select, knobs=knobs)
    generate_event = friendly(message=2, outputs=3)(bind(ctx, on_generate, form))

    def on_model(model_name, current, request: gr.Request):
        session = ctx.session(request)
        limit = max_new_tokens_limit(session.models.get(model_name, model_name))  # hosted: a label
        return gr.update(maximum=limit, value=min(int(current or 1), limit),
                         info=tr(session.language, "at most {limit} for this model (its context is {context} tokens)",
                                 limit=limit, context=limit + 1)
                         if limit < MAX_NEW_TOKENS else tr(session.language, KNOBS["max_new_tokens"].help))

    model_select.change(on_model, [model_select, max_new], max_new, queue=False, api_visibility="undocumented")

    def on_tips(request: gr.Request):
        session = ctx.session(request)
        result = session.generation
        return token_tips(result.sequences[0].steps, session.language) if result is not None else "[]"

    def then_tips(event) -> None:
        """After the tokens change: their hover tips, then the page script attaches them (and clears the mark)."""
        event.then(on_tips, None, tips, queue=False, api_visibility="undocumented").then(
            None, [tokens, tips], None, js=TOKEN_TIPS_JS, api_visibility="undocumented")

    then_tips(go_btn.click(generate_event, form.inputs, [output, tokens, info], api_name="generate",
                           concurrency_limit=GENERATE_CONCURRENCY, concurrency_id="generate"))
    then_tips(prompt.submit(generate_event, form.inputs, [output, tokens, info],
                            concurrency_limit=GENERATE_CONCURRENCY, concurrency_id="generate", api_visibility="undocumented"))

    def on_stop(request: gr.Request):
        ctx.session(request).generation_stop.set()

    stop_btn.click(on_stop, None, None, queue=False, api_name="generate_stop")

    def on_select(evt: gr.SelectData, request: gr.Request):
        session = ctx.session(request)
        result = session.generation
        pos = (evt.index if isinstance(evt.index, int) else evt.index[0]) - 1  # entry 0 is the prompt
        if result is None or not 0 <= pos < len(result.sequences[0].steps):
            return note(tr(session.language, "That is the prompt; click a generated token."), "info"), gr.update(choices=[], value=None), None, gr.update(interactive=False)
        step = result.sequences[0].steps[pos]
        chosen = "  " + tr(session.language, "← chosen")
        choices = [(f"{token_label(t.token)}   {t.prob:.1%}" + (chosen if t.id == step.id else ""), str(t.id))
                   for t in step.top]
        if str(step.id) not in {c[1] for c in choices}:  # a token outside the top-N was drawn
            choices.append((f"{token_label(step.token)}   {step.prob:.1%}{chosen}", str(step.id)))
        lang = session.language
        html_ = (f'<div class="pg-note pg-info"><b>{esc(tr(lang, "Token {i}", i=pos + 1))}: '
                 f'<code>{esc(token_label(step.token))}</code></b><br>'
                 + esc(tr(lang, "picked with p = {p} (raw model: {raw})", p=f"{step.prob:.1%}", raw=f"{step.raw_prob:.1%}"))
                 + "<br>" + esc(tr(lang, "entropy of the distribution: {h} nats", h=f"{step.entropy:.2f}")) + "</div>")
        return html_, gr.update(choices=choices, value=str(step.id)), pos, gr.update(interactive=True)

    tokens.select(on_select, None, [picked, alternatives, position, branch_btn], queue=False, api_visibility="undocumented")

    branch_form = Form(prompt=prompt, model=model_select, position=position, token_id=alternatives)
    then_tips(branch_btn.click(friendly(message=3, outputs=4)(bind(ctx, branch_here, branch_form)), branch_form.inputs,
                               [output, tokens, info, picked], api_name="branch", concurrency_limit=4,
                               concurrency_id="branch"))  # not batched
    targets = {"prompt": prompt, **knobs.fields}
    wire_share("generate", share, model_select, targets)
    return {"knobs": knobs, "clamp": (on_model, [model_select, max_new], max_new), "share": targets}


def _remember(session: Session, result, model_name: str, settings: DecodingSettings) -> None:
    session.generation, session.generation_model = result, model_name
    # Branching repeats the run with the seed it used, so a fresh seed must be pinned.
    session.generation_settings = settings.replace(seed=result.seed, num_return_sequences=1)
