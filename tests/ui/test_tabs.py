"""Tab handlers called as plain functions, without a server: named forms in, the tab's outputs out."""

from __future__ import annotations

import pytest

from playground.compare import PRESETS
from playground.errors import PlaygroundError
from playground.knobs import DecodingSettings
from playground.ui.compare import on_compare
from playground.ui.generate import on_generate
from playground.ui.forms import Form, KnobPanel
from playground.ui.lab import refresh
from playground.ui.state import AppContext

# Generate's knobs by name, as its panel reads them from the page.
KNOBS = dict(temperature=1.0, top_k=50, top_p=0.95, repetition_penalty=1.0, max_new_tokens=12, min_p=0.0, typical_p=1.0,
             no_repeat_ngram_size=0, num_beams=1, num_return_sequences=1, seed="7", stops="")


@pytest.fixture()
def app(tmp_path, tiny_model_dir, peaky_model_dir):
    ctx = AppContext(models=[str(peaky_model_dir), str(tiny_model_dir)], runs_dir=tmp_path / "runs")
    return ctx, ctx.session(None)


def test_a_form_reads_its_values_by_name_in_its_inputs_order():
    panel = KnobPanel(temperature="T", top_k="K", stops="S")  # any objects stand for components
    form = Form(prompt="P", knobs=panel, seed="X")
    assert form.inputs == ["P", "T", "K", "S", "X"]
    named = form.read(["Hello", 0.5, 7.0, "\\n\\n", 3])
    assert named == {"prompt": "Hello", "knobs": {"temperature": 0.5, "top_k": 7.0, "stops": "\\n\\n"}, "seed": 3}
    assert KnobPanel.settings(named["knobs"]) == DecodingSettings(temperature=0.5, top_k=7, stops=("\n\n",))
    with pytest.raises(ValueError, match="5 inputs, not 4"):
        form.read([1, 2, 3, 4])


def test_generate_streams_then_remembers_the_run(app, peaky_model_dir):
    ctx, session = app
    updates = list(on_generate(ctx, session, dict(prompt="Hello", model=str(peaky_model_dir), knobs=KNOBS)))
    assert len(updates) >= 3  # the prompt, pieces as they come, the final text
    text, tokens, info = updates[-1]
    assert text.startswith("Hello") and len(tokens) == 1 + 12 and "seed 7" in info
    # While it streams, the tokens and info keep their values as plain values: gradio handles a gr.skip()
    # as a property update and rebuilds the component with its API schema, per piece (README, "Load").
    assert all(u[1] == [] and "Generating" in u[2] for u in updates[1:-1])
    assert session.generation.seed == 7 and session.generation_settings == DecodingSettings.from_values(
        **{**KNOBS, "stops": None})


def test_compare_adds_the_generate_knobs_as_yours(app, tiny_model_dir):
    ctx, session = app
    form = dict(prompt="The", model=str(tiny_model_dir), new_tokens=10, seed=0, include=True, yours={**KNOBS, "top_k": 3})
    updates = list(on_compare(ctx, session, form))
    rows, chart, texts, message = updates[-1]
    assert [row[0] for row in rows] == [*PRESETS, "yours"] and all(row[-1] <= 10 for row in rows)
    assert message == "" and "yours" in texts
    # A row more as each strategy finishes, the progress line naming the one that runs next.
    assert [len(u[0]) for u in updates] == list(range(8))
    assert "Running greedy" in updates[0][3] and "0 of 7 strategies" in updates[0][3]
    assert "Running beam 4" in updates[1][3] and "1 of 7 strategies" in updates[1][3]
    with pytest.raises(PlaygroundError, match="Beam search is deterministic"):  # the Generate knobs are validated
        list(on_compare(ctx, session, {**form, "yours": {**KNOBS, "num_beams": 2}}))


def test_hover_tips_carry_each_tokens_probability_and_alternatives(app, peaky_model_dir):
    import json

    from playground.ui.generate import token_tips

    ctx, session = app
    list(on_generate(ctx, session, dict(prompt="Hello", model=str(peaky_model_dir), knobs={**KNOBS, "top_k": 0, "top_p": 1.0})))
    steps = session.generation.sequences[0].steps
    tips = json.loads(token_tips(steps))
    assert len(tips) == 1 + len(steps) and tips[0] == {"tip": None, "rare": False}  # the prompt has none
    first = tips[1]["tip"].splitlines()
    assert f"p = {steps[0].prob:.1%}" in first[0] and first[1] == "top alternatives:" and len(first) == 2 + 5
    assert sum("← chosen" in line for line in first) == (steps[0].id in [t.id for t in steps[0].top[:5]])
    assert [t["rare"] for t in tips[1:]] == [s.prob < 0.01 for s in steps]


def test_lab_shows_the_distribution_of_its_knobs(app, peaky_model_dir):
    ctx, session = app
    knobs = dict(temperature=1.0, top_k=5, top_p=1.0, repetition_penalty=1.0, min_p=0.0, typical_p=1.0, no_repeat_ngram_size=0)
    form = dict(context="The king", model=str(peaky_model_dir), knobs=knobs, top_n=8, draws=2000, seed=0, temps="0.5, 1",
                sweep=1.0)
    *_, info = refresh(ctx, session, form)
    assert "5 tokens possible" in info and session.lab.stages[-1].kept == 5


def test_the_data_tab_prepares_a_dataset_folder_and_train_uses_it(app, tmp_path, play_text, monkeypatch):
    """Data tab, "a dataset": a local folder laid out as on the Hub (parquet), read through load_dataset; the
    Train tab's run then reads the same dataset (TrainConfig's dataset fields), not files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from playground.ui.data import prepare_corpus
    from playground.ui.train import make_config

    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "speeches" / "data"
    folder.mkdir(parents=True)
    speeches = [s for s in play_text.split("\n\n") if s.strip()]
    pq.write_table(pa.table({"id": list(range(len(speeches))), "speech": speeches}), folder / "train-00000-of-00001.parquet")
    ctx, session = app
    form = dict(source="dataset", files=None, cleaning=[], mode="blocks", block_size=64, stride=0, val_percent=10,
                text_field="", dataset=str(folder.parent), dataset_config="", dataset_split="train",
                dataset_max_chars=20_000)
    message, stats, _, top = prepare_corpus(ctx, session, form)
    assert "Ready: speeches" in message and "train examples" in stats and top
    assert session.corpus.dataset.max_chars == 20_000 and session.corpus.files == []
    config = make_config(ctx, session, dict(source="scratch", scratch="tiny", tokenizer="bpe:1024", max_steps=5),
                         tmp_path / "out")
    assert (config.dataset, config.dataset_split, config.dataset_max_chars, config.corpus) == (
        str(folder.parent), "train", 20_000, [])
    # A bad cap is one sentence, and the corpus the Train tab uses stays what it was.
    message, stats, *_ = prepare_corpus(ctx, session, form | {"dataset_max_chars": "lots"})
    assert "Characters to read must be a whole number" in message and "still uses speeches" in stats


def test_the_tick_that_says_finished_sends_the_model(tiny_model_dir, peaky_model_dir, tmp_path):
    """The Train tab's tick decides "finished" and writes the status from one snapshot. A job that ends between two
    reads of it once gave a tick reading "Finished" that left the model selector as it was; an API client that
    stops ticking at "Finished" then never got the model (test_api: KeyError 'value', seen in CI)."""
    import shutil
    from types import SimpleNamespace

    from playground.training import JobSnapshot
    from playground.ui import build_app

    folder = tmp_path / "run"
    shutil.copytree(tiny_model_dir, folder)  # a saved model: config.json, weights, tokenizer
    (folder / "playground.json").write_text('{"status": "done"}')  # the marker of a finished run's save

    class EndsBetweenReads:
        """Each read of the job finds it one stage further on: saving, then done."""
        notice, output = "", folder

        def __init__(self):
            self.stages = iter(["saving", "done"])
            self.status = "saving"

        def snapshot(self):
            self.status = next(self.stages, self.status)
            return JobSnapshot(status=self.status, message="Training finished.", step=12, max_steps=12, progress=1.0,
                               elapsed=3.0, eta=None, records=[], samples=[], final={}, output=str(folder))

    demo = build_app(models=[str(peaky_model_dir), str(tiny_model_dir)], runs_dir=str(tmp_path / "runs"))
    request = SimpleNamespace(session_hash="ticking", headers={}, query_params={})
    demo.ctx.add_job(demo.ctx.session(request), "tiny run", EndsBetweenReads())
    tick = next(fn.fn for fn in demo.fns.values() if fn.api_name == "train_tick")
    for _ in range(3):
        plot, samples, status, timer, start, stop, selector, download = tick(False, False, 0.0, request)
        sent = isinstance(selector, dict) and "value" in selector
        assert ("Finished" in status) == sent, (status, selector)
        if sent:
            break
    assert selector["value"] == str(folder) and download["visible"]
