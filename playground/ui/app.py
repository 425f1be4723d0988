"""The Blocks: a header with the shared model selector, then one tab per module, in the issue's order.

Each tab module only builds components and wires them to the engine (LLaMA-Factory's web UI layout:
`create_train_tab(engine)` …); this module puts them together and owns the session lifecycle.
"""

from __future__ import annotations

import functools
import gc
import os
import threading

import gradio as gr

from playground.errors import PlaygroundError
from playground.models import resolve
from playground.ui import compare, data, engine, evaluate, generate, internals, lab, runs, train
from playground.ui.common import PRESENT_JS, note
from playground.ui.forms import checked_by_handlers
from playground.ui.gradio_fixes import fewer_monitoring_summaries, lazy_session_configs
from playground.ui.i18n import (ENGLISH_KEY, I18N, LANGUAGES, empty_tables, localize, localize_figure, table_headers,
                                tr)
from playground.ui.page import OPEN_JS, SWITCH_JS, launch_options
from playground.ui.share import TAB_NAMES, link_values, read_share
from playground.ui.state import AppContext

OPENING_WAIT = 10.0  # seconds a language switch waits for the page's opening events (a slow one is then left)
TABS = ("Data", "Train", "Runs", "Generate", "Decoding lab", "Compare", "Evaluate", "Internals")


def models_from_env() -> list[str] | None:
    """PLAYGROUND_MODELS: extra models (names or folders, separated by the OS path separator), the first the default."""
    value = os.environ.get("PLAYGROUND_MODELS", "").strip()
    return [m for m in value.split(os.pathsep) if m] or None


def build_app(hosted: bool = False, models: list[str] | None = None, default: str | None = None,
              runs_dir: str | None = None) -> gr.Blocks:
    """The whole app. `models` are offered first in the model selector (tests and benchmarks inject tiny
    local models here); `default` is the preselected one (else the first of `models`, else the engine's
    default model)."""
    lazy_session_configs()  # a new session's first event no longer waits for every component's config (gradio_fixes)
    ctx = AppContext(hosted=hosted, models=models if models is not None else models_from_env(), default=default,
                     runs_dir=runs_dir)
    try:
        resolve(ctx.default)
        notice = ctx.default_notice
    except PlaygroundError as e:
        notice = f"⚠ {e} Choose another model in the list."

    # Hosted: gradio sweeps uploads older than the idle limit (a session's own go when it closes: state.py).
    delete_cache = (600, int(ctx.limits.idle_minutes * 60)) if ctx.limits is not None else None
    with gr.Blocks(title="GPT-2 Playground", fill_width=False, delete_cache=delete_cache) as demo:
        demo.ctx = ctx  # for tests and the launcher
        with gr.Row(equal_height=True, elem_id="pg-header"):
            with gr.Column(scale=3):
                gr.Markdown("# GPT-2 Playground\nTrain a small language model, then take its next-token "
                            "distribution apart, knob by knob." + ("  \n*Hosted mode: catalog and session models only.*" if hosted else ""))
                present = gr.Checkbox(False, label="Presentation mode (or ?present=1)", elem_id="present-toggle",
                                      container=False)
            with gr.Column(scale=2):
                model_select = gr.Dropdown(ctx.model_choices(None), value=ctx.default, label="Model (used by every tab)",
                                           elem_id="model-select", info=notice,
                                           allow_custom_value=not hosted)  # locally, type any model folder
                # The page opens in ?lang=, the cookie this sets, or the browser's language: page.py, static/.
                language = gr.Radio(LANGUAGES, value="en", label="Language", show_label=False, container=False,
                                    elem_id="lang-select")  # the label: what a screen reader says (else gradio's "Radio")
        link_note = gr.HTML(elem_id="share-note")
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Data", id="data"):
                data.build(ctx)
            with gr.Tab("Train", id="train") as train_tab:
                t = train.build(ctx, model_select)
            with gr.Tab("Runs", id="runs") as runs_tab:
                r = runs.build(ctx, model_select, t, tabs)
            with gr.Tab("Generate", id="generate"):
                g = generate.build(ctx, model_select)
            with gr.Tab("Decoding lab", id="lab"):
                lb = lab.build(ctx, model_select)
            with gr.Tab("Compare", id="compare"):
                c = compare.build(ctx, model_select, g["knobs"])
            with gr.Tab("Evaluate", id="evaluate"):
                e = evaluate.build(ctx, model_select)
            with gr.Tab("Internals", id="internals"):
                internals.build(ctx, model_select)

        train_tab.select(t["on_corpus_note"], None, t["corpus_note"], queue=False, api_visibility="undocumented")

        def share_models(model, request: gr.Request):
            """Models trained in this session join every model list, and the line under the selector says which
            model every tab now uses."""
            session = ctx.session(request)
            lang, choices = session.language, ctx.model_choices(session)
            line = (tr(lang, notice) if model == ctx.default else
                    tr(lang, "Every tab now uses {model}.", model=tr(lang, ctx.label(model)) if isinstance(model, str) else ""))
            return (gr.update(choices=choices), gr.update(choices=[(tr(lang, "(none)"), evaluate.NONE), *choices]),
                    gr.update(choices=choices, info=line))

        model_select.change(share_models, model_select, [t["base"], e["second"], model_select], queue=False,
                            api_visibility="undocumented")
        runs_tab.select(r["show"], r["show_inputs"], r["show_outputs"], api_visibility="undocumented")

        def open_session(request: gr.Request):
            """A page opens: its session, and the runs on disk in the model list. (The Runs tab lists them when it
            opens, and again after a language switch.)"""
            return gr.update(choices=ctx.model_choices(ctx.session(request)))

        # The page's opening events write in the page's first language; a switch waits for their answers, or one
        # that came back after the switch rewrote the page would leave its old-language text (the Runs table, CI).
        opening = []

        def on_open(fn):
            @functools.wraps(fn)
            def event(*args, **kwargs):
                try:
                    return fn(*args, **kwargs)
                finally:  # (not the session's language: this request's may be the one before a switch)
                    request = next((a for a in (*args, *kwargs.values()) if isinstance(a, gr.Request)), None)
                    ctx.session(request, language=False).answered_one()
            opening.append(event)
            return event

        demo.load(on_open(open_session), None, model_select, queue=False, api_visibility="private")
        demo.load(on_open(t["on_load"]), None, t["job_outputs"], queue=False, api_visibility="private")

        def open_on_training(request: gr.Request):
            """A page opened (or reloaded) while a job trains opens on the Train tab, where its chart is."""
            return gr.Tabs(selected="train") if ctx.attach(ctx.session(request)) else gr.skip()

        demo.load(on_open(open_on_training), None, tabs, queue=False, api_visibility="private")
        demo.load(on_open(t["estimate_event"]), t["form"].inputs, t["estimate"], api_visibility="private")
        demo.load(on_open(g["clamp"][0]), *g["clamp"][1:], queue=False, api_visibility="private")

        # ?present=1 and share links (?tab=lab&model=demo&prompt=…&temperature=0.7&seed=7): the page opens as asked.
        present.change(None, present, None, js=PRESENT_JS, api_visibility="private")
        targets = {"generate": g["share"], "lab": lb["share"], "compare": c["share"]}
        opened = gr.State(None)
        every = list(dict.fromkeys(comp for t in targets.values() for comp in t.values()))

        def open_link(request: gr.Request):
            params = dict(request.query_params)
            lang = ctx.session(request).language
            values = {present: params.get("present", "").lower() in ("1", "true", "yes", "on")}
            shared = read_share(params)
            if shared.empty and not shared.ignored:
                return values
            values[opened] = shared.tab or "generate"
            knobs, unfit = link_values(shared, targets[values[opened]])
            ignored = shared.ignored + unfit
            values |= knobs
            if shared.model is not None:
                known = {value for _, value in ctx.model_choices(ctx.session(request))}
                if shared.model in known:
                    values[model_select] = shared.model
                else:
                    ignored.insert(0, f"model '{shared.model}' is not available here, so the page keeps {ctx.label(ctx.default)}.")
            values[tabs] = gr.update(selected=values[opened])
            applied = [f"{name.replace('_', ' ')} {value}" for name, value in shared.knobs.items()
                       if targets[values[opened]].get(name) in knobs]
            with_model = (tr(lang, " with {model}", model=tr(lang, ctx.label(values[model_select])))
                          if model_select in values else "")
            opened_note = note(tr(lang, "Opened from a shared link: the {tab} tab{model}{knobs}.",
                                  tab=tr(lang, TAB_NAMES[values[opened]]), model=with_model,
                                  knobs=f" ({', '.join(applied)})" if applied else ""), "ok")
            told = " ".join(tr(lang, i) for i in ignored)  # each by its pattern; any other stays English
            values[link_note] = opened_note + (note(tr(lang, "Ignored from the link: {items}", items=told), "warn")
                                               if ignored else "")
            return values

        def open_lab(request: gr.Request, tab, *values):
            """A link to the lab shows its distribution at once: every student sees the same chart."""
            if tab != "lab":
                return [gr.skip()] * len(lb["outputs"])
            return lb["show"](request, *values)

        demo.load(on_open(open_link), None, [present, opened, link_note, model_select, tabs, *every], queue=False,
                  api_visibility="private").then(on_open(open_lab), [opened, *lb["inputs"]], lb["outputs"],
                                                 api_visibility="private")
        demo.unload(ctx.release)

        plots = [b for b in demo.blocks.values() if isinstance(b, gr.Plot)]

        def redraw_charts(lang, *shown):
            """The charts on the page in the language just chosen (a page opening in Chinese sets the switch
            too, so its empty charts' notes become Chinese here): the browser does not translate a figure."""
            return [gr.skip() if s is None or (lang == "en" and ENGLISH_KEY not in s.plot)  # never translated
                    else localize_figure(s.plot, lang) for s in shown]

        tables = empty_tables(demo)
        uploads = [b for b in demo.blocks.values() if isinstance(b, gr.File) and b.visible]

        def name_columns(lang, *values):
            """The tables' column names in the page's language (the browser shows a table's headers as they come)."""
            return table_headers(lang, tables, values)

        # gradio translates its components' own texts ("Drop File Here", their buttons' tooltips) when it draws them:
        # after a switch (not as the page opens in its language), the upload areas are drawn again.
        # (a component the page holds, hidden by CSS: the switch's js writes it, and a gr.State lives on the server)
        switched = gr.Checkbox(False, show_label=False, container=False, elem_classes="pg-hidden", elem_id="lang-switched")

        def redraw_uploads(switched):
            return [gr.update(visible=False) if switched else gr.skip() for _ in uploads]

        clamp, clamp_inputs, clamp_output = g["clamp"]
        form_size = len(t["form"].inputs)

        def follow_switch(request: gr.Request, switched, *values):
            """After a switch (not as a page opens in its language), what the server wrote in the old language and
            the browser does not translate: the Train tab's estimate, Generate's token limit, the Runs tab's rows
            (the renaming above keeps them) and the picked run's details. Not its zip: a switch changes nothing in it."""
            if not switched:
                return [gr.skip()] * (2 + len(r["show_outputs"]))
            form, (model, current), (run, overlay) = values[:form_size], values[form_size:-2], values[-2:]
            return [t["estimate_event"](request, *form), clamp(model, current, request),
                    *r["show"](run, overlay, request, offer_zip=False)]

        def after_opening(request: gr.Request):
            """The switch goes on once the page's opening events have answered (or after OPENING_WAIT seconds)."""
            ctx.session(request).wait_opened(len(opening), timeout=OPENING_WAIT)

        language.change(None, language, switched, js=SWITCH_JS, api_visibility="private").then(
            after_opening, queue=False, show_progress="hidden", api_visibility="private").then(
            redraw_charts, [language, *plots], plots, queue=False, show_progress="hidden", api_visibility="private").then(
            name_columns, [language, *tables], tables, queue=False, show_progress="hidden", api_visibility="private").then(
            redraw_uploads, switched, uploads, queue=False, show_progress="hidden", api_visibility="private").then(
            lambda: [gr.update(visible=True)] * len(uploads), None, uploads, queue=False, show_progress="hidden",
            api_visibility="private").then(  # the model lists' labels ("demo (bundled)") in the new language
            share_models, model_select, [t["base"], e["second"], model_select], queue=False, show_progress="hidden",
            api_visibility="private").then(
            follow_switch, [switched, *t["form"].inputs, *clamp_inputs, *r["show_inputs"]],
            [t["estimate"], clamp_output, *r["show_outputs"]], show_progress="hidden", api_visibility="private")
        demo.load(None, None, language, js=OPEN_JS, api_visibility="private")
        checked_by_handlers(demo)  # an API client's bad value reaches the handler, which answers in one sentence
        localize(demo)  # last: every label above, in both languages
    engine.gate_events(demo)  # no event runs before the engine's libraries are imported (in one thread)
    return demo


def theme() -> gr.themes.Base:
    # System fonts only: the app must look right offline (no web-font downloads).
    return gr.themes.Soft(primary_hue="indigo", secondary_hue="sky", neutral_hue="slate",
                          font=[gr.themes.Font(f) for f in ("system-ui", "-apple-system", "Segoe UI", "sans-serif")],
                          font_mono=[gr.themes.Font(f) for f in ("ui-monospace", "Menlo", "Consolas", "monospace")])


def launch(demo: gr.Blocks, *, host: str = "127.0.0.1", port: int | None = None, share: bool = False,
           warm_up: bool = True, **kwargs):
    """Launch with the app's theme and CSS; hosted apps get an upload size limit.

    The page is built and served before torch and transformers are imported (seconds on a small CPU: the
    tabs reach the engine through playground.ui.engine); once the server is up, `warm_up` imports them
    in the background, so the first Generate is quick too.
    """
    ctx: AppContext = demo.ctx
    fewer_monitoring_summaries()  # before the queue is made: it reads the setting then (gradio_fixes)
    demo.queue(default_concurrency_limit=2)
    block = not kwargs.pop("prevent_thread_lock", False)
    extra = {"max_file_size": f"{ctx.max_upload_mb}mb"} if ctx.max_upload_mb else {}
    # Trained models and their zips live in the runs folder (by default under ~/.cache, which gradio
    # serves only when told): without this, every download of a trained model is refused.
    ctx.runs_dir.mkdir(parents=True, exist_ok=True)
    allowed = [str(ctx.runs_dir), *kwargs.pop("allowed_paths", [])]
    # The page's CSS and scripts, and ssr_mode=False: see playground/ui/page.py (the language switch needs it).
    result = demo.launch(server_name=host, server_port=port, share=share, theme=theme(), i18n=I18N,
                         footer_links=["api", "gradio"], allowed_paths=allowed, prevent_thread_lock=True,
                         **{**launch_options(list(TABS)), **extra, **kwargs})
    if warm_up:
        threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    if block:
        demo.block_thread()  # until Ctrl-C, or SIGTERM through app.py
        ctx.stop_jobs()  # the server was stopped: a running job is saved, like Stop
    return result


def _warm_up() -> None:
    from playground.estimate import machine_rate

    engine.warm_up()
    import playground.training  # noqa: F401 - Trainer, for the first Start (after the engine: see engine.warm_up)

    machine_rate()  # the Train tab's time estimate: measured once, before anyone waits for it
    # What is loaded by now (torch, transformers, gradio, the pages: 600 000 objects) lives as long as the app.
    # Python's full garbage collections would walk it all now and then, each 0.3 s with the GIL held (the 2-core
    # machine), stalling every request under way; frozen, collections skip it (gc.freeze).
    gc.collect()
    gc.freeze()
