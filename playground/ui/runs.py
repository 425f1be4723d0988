"""Runs tab: every training run in the runs folder (from earlier sessions too), and what to do with each.

Select its model, download it, resume it (the CLI's --resume), delete it (after a confirmation), see the
equivalent CLI command; pick several to overlay their curves and see which settings differ. The list
comes from disk (playground.runs), so it survives reloads and restarts.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import gradio as gr

from playground import charts
from playground import runs as runs_lib
from playground.errors import PlaygroundError
from playground.train_config import TrainConfig
from playground.ui import train
from playground.ui.common import note
from playground.ui.i18n import error, headed, localize_figure, tr
from playground.ui.state import AppContext
from playground.values import number

HEADERS = ["run", "base / size", "status", "steps", "best val loss", "best val nats/char", "started"]
STATUS_WORDS = {"running": "training…", "done": "finished", "stopped": "stopped (saved)", "failed": "failed",
                "interrupted": "interrupted"}


def run_rows(runs: list[runs_lib.RunInfo], lang: str = "en") -> list[list]:
    def steps(r):
        return f"{r.steps:,} / {r.max_steps:,}" if r.max_steps else f"{r.steps:,}"

    def best(value):
        return "–" if value is None or not math.isfinite(value) else f"{value:.3f}"

    return [[r.name, r.base, tr(lang, STATUS_WORDS.get(r.status, r.status)), steps(r), best(r.best_val_loss),
             best(r.best_val_nats_per_char), r.date] for r in runs]


def curves(run: runs_lib.RunInfo) -> list[dict]:
    """A run's metric records, with tokens seen filled in for runs recorded before it was logged."""
    s = run.settings
    per_step = (s.get("batch_size") or 0) * (s.get("grad_accum") or 1) * (s.get("block_size") or 0)
    records = runs_lib.read_metrics(run.folder)
    for r in records:
        if "tokens" not in r and per_step:
            r["tokens"] = r.get("step", 0) * per_step
    return records


def build(ctx: AppContext, model_select: gr.Dropdown, train_parts: dict, tabs: gr.Tabs) -> dict:
    where = "this session's runs (removed when it ends)" if ctx.hosted else f"every run in `{ctx.runs_dir}`"
    gr.Markdown(f"All training runs: {where}. Pick one to use its model, download it, resume it or delete it; "
                "pick several below to overlay their curves.")
    with gr.Row():
        refresh = gr.Button("Refresh", size="sm", scale=0, elem_id="runs-refresh")
    table = gr.Dataframe(headers=HEADERS, interactive=False, elem_id="runs-table", max_height=320, wrap=True)
    with gr.Row(equal_height=True):
        pick = gr.Dropdown([], label="Run", elem_id="runs-pick", scale=3)
        use = gr.Button("Use this model", elem_id="runs-use", scale=1)
        download = gr.DownloadButton("Download (.zip)", visible=False, elem_id="runs-download", scale=1)
        resume = gr.Button("Resume training", elem_id="runs-resume", scale=1)
        delete = gr.Button("Delete…", variant="stop", elem_id="runs-delete", scale=1)
    with gr.Row(visible=False, elem_id="runs-confirm-row") as confirm_row:
        confirm_text = gr.HTML()
        confirm = gr.Button("Delete it for good", variant="stop", elem_id="runs-confirm", scale=0)
        cancel = gr.Button("Cancel", elem_id="runs-cancel", scale=0)
    with gr.Accordion("Push to the Hugging Face Hub", open=False, elem_id="runs-push-box"):
        with gr.Row(equal_height=True):
            repo_id = gr.Textbox("", label="Repository", placeholder="your-name/my-gpt2 (or just my-gpt2)", max_lines=1,
                                 elem_id="runs-repo", scale=3)
            private = gr.Checkbox(True, label="Private", elem_id="runs-private", scale=1)
            if ctx.hosted and os.environ.get("SPACE_ID"):  # a visitor pushes with their own account (hf_oauth)
                gr.LoginButton(scale=1)
            push = gr.Button("Push the model", elem_id="runs-push", scale=1)
    message = gr.HTML(elem_id="runs-message")  # what the last action did (or why it could not)
    details = gr.HTML(elem_id="runs-details")  # the picked run's status
    command = gr.Code(label="The same run from the command line", language="shell", interactive=False,
                      elem_id="runs-command", lines=3)
    gr.Markdown("### Compare runs")
    with gr.Row():
        overlay = gr.Dropdown([], multiselect=True, label="Runs to overlay", elem_id="runs-overlay", scale=4)
        x_axis = gr.Radio([(name, key) for key, (_, _, name) in charts.RUN_X_AXES.items()], value="step", label="x-axis",
                          elem_id="runs-x", scale=3)
        y_axis = gr.Radio([(name, key) for key, (*_, name) in charts.RUN_Y_AXES.items()], value="loss", label="y-axis",
                          elem_id="runs-y", scale=3,
                          info="per character: runs with different tokenizers compare")
        log_y = gr.Checkbox(label="Log y", value=False, elem_id="runs-log", scale=1)
        smoothing = gr.Slider(0, 0.95, value=0.6, step=0.05, label="Smoothing (train loss)", scale=2)
    overlay_message = gr.HTML(elem_id="runs-overlay-message")
    plot = gr.Plot(charts.runs_chart([]), elem_id="runs-plot", show_label=False)
    diff = gr.Dataframe(headers=["setting"], label="Settings that differ", interactive=False, elem_id="runs-diff")

    def listing(request: gr.Request, chosen=None, overlaid=None):
        session = ctx.session(request)
        runs = ctx.runs(session)
        names = [r.name for r in runs]
        chosen = chosen if chosen in names else (names[0] if names else None)
        overlaid = [n for n in (overlaid or []) if n in names]
        return (gr.update(value=headed(session.language, HEADERS, run_rows(runs, session.language))),
                gr.update(choices=names, value=chosen),
                gr.update(choices=names, value=overlaid))


    def on_pick(run, request: gr.Request, offer_zip: bool = True):
        """The picked run's actions: the CLI command, and its zip when it has a finished model (`offer_zip`
        False: the download button as it is, the zip not built)."""
        if not run:
            return "", gr.update(visible=False) if offer_zip else gr.skip(), ""
        session = ctx.session(request)
        try:
            run = runs_lib.find_run(ctx.runs_root(session), _name(run))
        except PlaygroundError as e:
            return "", gr.update(visible=False), note(error(session.language, str(e)), "error")
        lang = session.language
        lines = command_lines(run, ctx.hosted, lang)
        text = "\n".join(lines) or "# " + tr(lang, "this run recorded no settings")
        said = error(lang, run.message) if run.status == "failed" else tr(lang, run.message)
        info = note(tr(lang, "{name}: {status}. {message}", name=run.name, message=said,
                       status=tr(lang, STATUS_WORDS.get(run.status, run.status))).strip(),
                    "error" if run.status == "failed" else "info")
        dl = gr.update(visible=False)
        if not offer_zip:
            dl = gr.skip()
        elif run.finished:
            dl = gr.update(value=str(runs_lib.zip_run(run.folder, redact=ctx.hosted)), visible=True)
        return text, dl, info

    pick.change(on_pick, pick, [command, download, details], api_name="runs_pick")

    def on_select_row(evt: gr.SelectData):
        row = evt.row_value if getattr(evt, "row_value", None) else None
        return row[0] if row else gr.skip()

    table.select(on_select_row, None, pick, api_visibility="undocumented")

    def on_use(run, request: gr.Request):
        """Use this model: the picked run's model becomes the selected model on every tab."""
        session = ctx.session(request)
        try:
            run = _finished(ctx, session, run)
        except PlaygroundError as e:
            return gr.skip(), note(error(session.language, str(e)), "error")
        value = str(run.folder)
        if ctx.hosted:  # by label: the page never sees the server's folder
            session.models[run.name] = value
            value = run.name
        return (gr.update(choices=ctx.model_choices(session), value=value),
                note(tr(session.language, "{name} is now the selected model on every tab.", name=run.name), "ok"))

    use.click(on_use, pick, [model_select, message], api_name="runs_use")

    def on_resume(run, request: gr.Request):
        """Resume training: the picked run goes on from its last checkpoint (the CLI's --resume)."""
        session = ctx.session(request)
        skip = (gr.skip(),) * len(train_parts["job_outputs"])
        try:
            run = runs_lib.find_run(ctx.runs_root(session), _name(run))
            config = resume_config(run, session, ctx)
        except PlaygroundError as e:
            return (*skip, gr.skip(), note(error(session.language, str(e)), "error"))
        return (*train.begin(ctx, session, run.name, config), gr.Tabs(selected="train"),
                note(tr(session.language, "Resuming {name} from step {step}.", name=run.name,
                        step=f"{runs_lib.checkpoint_step(runs_lib.last_checkpoint(run.folder)):,}"), "ok"))

    resume.click(on_resume, pick, [*train_parts["job_outputs"], tabs, message], api_name="runs_resume")

    def on_push(run, repo_id, private, request: gr.Request, oauth_token: gr.OAuthToken | None = None):
        """Push the picked run's finished model (no checkpoints) to a Hub repository, created when missing.
        The token: on a Space, the visitor's own from the sign-in button; locally HF_TOKEN or the local login."""
        from playground.hub import push_run

        session = ctx.session(request)
        try:
            run = _finished(ctx, session, run)
            if ctx.hosted and oauth_token is None:  # never the Space owner's HF_TOKEN for a visitor's push
                raise PlaygroundError("Sign in with Hugging Face first (the button beside Push), to push to your own "
                                      "account.")
            url = push_run(run.folder, repo_id if isinstance(repo_id, str) else "", bool(private),
                           token=oauth_token.token if oauth_token is not None else None,
                           within=ctx.runs_root(session) if ctx.hosted else None)
        except PlaygroundError as e:
            return note(error(session.language, str(e)), "error")
        return note(tr(session.language, "Pushed {name} to {url}", name=run.name, url=url), "ok")

    push.click(on_push, [pick, repo_id, private], message, api_name="runs_push", concurrency_limit=2)

    def on_delete(name, request: gr.Request):
        lang = ctx.session(request).language
        if not name:
            return gr.update(visible=False), "", note(tr(lang, "Pick a run first."), "error")
        return gr.update(visible=True), note(tr(lang, "Delete {name} and its model? This cannot be undone.", name=name), "warn"), ""

    delete.click(on_delete, pick, [confirm_row, confirm_text, message], queue=False, api_visibility="undocumented")
    cancel.click(lambda: gr.update(visible=False), None, confirm_row, queue=False, api_visibility="undocumented")

    def on_confirm(run, overlay, model, request: gr.Request):
        """Delete the picked run and its model, for good (after the confirmation the page asks for)."""
        session = ctx.session(request)
        overlaid, selected = overlay if isinstance(overlay, list) else [], model
        try:
            run = runs_lib.find_run(ctx.runs_root(session), _name(run))
            runs_lib.delete_run(run.folder)
        except PlaygroundError as e:
            return (gr.update(visible=False), gr.skip(), gr.skip(), gr.skip(), gr.skip(),
                    note(error(session.language, str(e)), "error"))
        ctx.cache.forget(str(run.folder))
        session.models = {k: v for k, v in session.models.items() if v != str(run.folder)}
        selector = gr.update(choices=ctx.model_choices(session),
                             value=ctx.default if selected in (str(run.folder), run.name) else selected)
        table_, pick_, overlay_ = listing(request, None, overlaid)
        return (gr.update(visible=False), table_, pick_, overlay_, selector,
                note(tr(session.language, "Deleted {name}.", name=run.name), "ok"))

    confirm.click(on_confirm, [pick, overlay, model_select], [confirm_row, table, pick, overlay, model_select, message],
                  api_name="runs_delete")

    def on_overlay(runs, x_axis, y_axis, log_y, smoothing, request: gr.Request):
        """Overlay the curves of the runs named in `runs` (x: step, tokens, time or epoch; y: loss per token, or
        val nats or bits per character), and the settings that differ between them."""
        session = ctx.session(request)
        lang = session.language
        try:
            names = overlay_names(runs)
            if x_axis not in charts.RUN_X_AXES:
                raise PlaygroundError(f"The x-axis must be one of {', '.join(charts.RUN_X_AXES)}, not '{x_axis}'.")
            if y_axis not in charts.RUN_Y_AXES:
                raise PlaygroundError(f"The y-axis must be one of {', '.join(charts.RUN_Y_AXES)}, not '{y_axis}'.")
            smooth_ = number("Smoothing", smoothing, lo=0, hi=0.95)
        except PlaygroundError as e:
            return gr.skip(), gr.skip(), note(error(lang, str(e)), "error")
        root, found = ctx.runs_root(session), []
        for name in names:
            try:
                found.append(runs_lib.find_run(root, name))
            except PlaygroundError:
                continue  # deleted meanwhile: the next refresh drops it from the list
        fig = localize_figure(charts.runs_chart([{"name": r.name, "records": curves(r)} for r in found], x=x_axis,
                                                y=y_axis, log_scale=bool(log_y), smoothing=smooth_), lang)
        rows = runs_lib.differing_settings(found) if len(found) > 1 else []
        setting = tr(lang, "setting")
        return (fig, gr.update(value=rows, headers=[setting, *[r.name for r in found]] if len(found) > 1 else [setting]),
                "")

    gr.on([overlay.change, x_axis.change, y_axis.change, log_y.change, smoothing.input], on_overlay,
          [overlay, x_axis, y_axis, log_y, smoothing],
          [plot, diff, overlay_message], api_name="runs_overlay")

    def show(run, overlay, request: gr.Request, offer_zip: bool = True):
        """The tab opens: the list from disk, and the picked run's actions as they are now."""
        table_, pick_, overlay_ = listing(request, run, overlay if isinstance(overlay, list) else [])
        return (table_, pick_, overlay_, *on_pick(pick_["value"], request, offer_zip))

    refresh.click(show, [pick, overlay], [table, pick, overlay, command, download, details], api_name="runs_list")

    return {"show": show, "show_inputs": [pick, overlay], "show_outputs": [table, pick, overlay, command, download, details]}


def _name(run) -> str:
    """A run's name as an event sent it (an API client may send anything): text, or one sentence."""
    if run in (None, ""):
        raise PlaygroundError("Pick a run first.")
    if not isinstance(run, str):
        raise PlaygroundError("A run is named by its folder's name, as the Runs table lists it.")
    return run


def overlay_names(runs) -> list[str]:
    """The runs to overlay, as a list of names (an API client may send one name, or anything)."""
    if runs in (None, ""):
        return []
    if isinstance(runs, str):
        return [runs]
    if not isinstance(runs, list) or not all(isinstance(r, str) for r in runs):
        raise PlaygroundError("Runs to overlay are a list of run names, as the Runs table lists them.")
    return runs


def command_lines(run: runs_lib.RunInfo, hosted: bool, lang: str = "en") -> list[str]:
    """The run's command lines, each under a comment saying what it does: continue this run (from its last
    checkpoint, when it stopped early) and train again into a new folder. Locally they work pasted into a
    terminal in any folder (runs.train_command); hosted they carry file names, not this server's paths."""
    if not run.settings:
        return []
    settings = run.settings | {"output": str(run.folder)}
    again = runs_lib.new_output(run.folder)
    if hosted:  # the command as you would type it at home: file names, not this server's paths
        settings, again = runs_lib.without_paths(settings), Path(again).name
    lines = []
    if run.resumable and run.status != "done":
        lines += ["# " + tr(lang, "continue this run from its last checkpoint"),
                  runs_lib.train_command(settings, resume=True, here=not hosted)]
    lines += ["# " + tr(lang, "train again into a new folder"),
              runs_lib.train_command(settings, output=again, here=not hosted)]
    return lines


def _finished(ctx: AppContext, session, name) -> runs_lib.RunInfo:
    run = runs_lib.find_run(ctx.runs_root(session), _name(name))
    if not run.finished:
        raise PlaygroundError(f"{run.name} has no saved model yet ({STATUS_WORDS.get(run.status, run.status)}); "
                              + ("resume it to train and save one." if run.resumable else "train it again."))
    return run


def resume_config(run: runs_lib.RunInfo, session, ctx: AppContext) -> TrainConfig:
    """The run's own settings with --resume, as the CLI would run it."""
    if runs_lib.is_running(run.status):
        raise PlaygroundError(f"{run.name} is training right now; follow it on the Train tab.")
    if not run.resumable:
        raise PlaygroundError(f"{run.name} has no checkpoint to resume from; start a new run on the Train tab.")
    if run.status == "done":
        raise PlaygroundError(f"{run.name} already finished all its steps; to train it further, fine-tune it "
                              "(Use this model, then Fine-tune on the Train tab).")
    if not run.settings:
        raise PlaygroundError(f"{run.name} recorded no settings to resume with; run its CLI command instead.")
    if session.job is not None and runs_lib.is_running(session.job.snapshot().status):
        raise PlaygroundError("A training job is already running; stop it first.")
    return TrainConfig.from_dict(run.settings | {"output": str(run.folder), "resume": True})
