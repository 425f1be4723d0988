"""Share links: the query string a tab writes reads back to the same values; bad values are left out, each
with one sentence."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import gradio as gr
import pytest

from playground.knobs import DecodingSettings
from playground.ui.generate import build as build_generate
from playground.ui.share import Shared, link_values, read_share, share_query
from playground.ui.state import AppContext


def params(query: str) -> dict:
    """What the page's request.query_params holds for a link."""
    return dict(parse_qsl(urlsplit(query).query, keep_blank_values=True))


def test_a_link_reads_back_to_the_values_it_was_written_from():
    knobs = dict(temperature=0.7, top_k=5.0, top_p=0.9, repetition_penalty=1.15, max_new_tokens=40.0, min_p=0.05,
                 typical_p=1.0, no_repeat_ngram_size=2.0, num_beams=1.0, num_return_sequences=1.0, seed="7", stops="\\n\\n")
    prompt = "KING LEAR:\nBlow, winds & crack your cheeks? 50% — ünïcode"
    query = share_query("lab", "demo", prompt, knobs)
    shared = read_share(params(query))
    assert (shared.tab, shared.model, shared.prompt, shared.ignored) == ("lab", "demo", prompt, [])
    assert shared.knobs == {**knobs, "top_k": 5, "max_new_tokens": 40, "no_repeat_ngram_size": 2, "num_beams": 1,
                            "num_return_sequences": 1}
    # What the link restores is what the form held: the same DecodingSettings.
    assert DecodingSettings.from_values(**{**shared.knobs, "stops": "\n\n"}) == DecodingSettings.from_values(
        **{**knobs, "stops": "\n\n"})


def test_a_link_names_only_the_knobs_that_differ_from_the_form():
    defaults = dict(temperature=1.0, top_k=50, seed="")
    query = share_query("generate", "demo", "Hi", dict(temperature=0.7, top_k=50.0, seed="", stops=""), defaults | {"stops": None})
    assert params(query) == {"tab": "generate", "model": "demo", "prompt": "Hi", "temperature": "0.7"}
    with pytest.raises(ValueError, match="not a decoding knob: colour"):
        share_query("generate", "demo", "Hi", dict(colour=1))


def test_bad_values_are_left_out_with_one_sentence_each():
    shared = read_share({"tab": "train", "temperature": "abc", "top_p": "0", "top_k": "2.5", "seed": "-1",
                         "num_beams": "4", "min_p": "nan", "utm_source": "chat", "present": "1"})
    assert shared.tab is None and shared.knobs == {"num_beams": 4}  # beams alone are valid (greedy beams)
    # One sentence per bad value, naming it, in the knobs' order; parameters that are not ours pass silently.
    assert shared.ignored == [
        "tab 'train' is not one of generate, lab, compare.",
        "temperature must be a number, not 'abc'.",
        "top k must be a whole number, not 2.5.",
        "top-p must be above 0 and at most 1 (1 turns it off), not 0.",
        "min p must be a finite number, not nan.",
        "The seed must be a whole number from 0 to 4294967295 (2**32 - 1), not -1.",
    ]
    assert read_share({"prompt": "x" * 5000}).ignored == ["the prompt is longer than 4,000 characters."]
    assert read_share({}).empty and read_share({"present": "1"}).empty and not read_share({"present": "1"}).ignored


def test_link_values_fill_a_tabs_components_within_their_ranges(tmp_path, tiny_model_dir):
    ctx = AppContext(models=[str(tiny_model_dir)], runs_dir=tmp_path / "runs")
    with gr.Blocks():
        model = gr.Dropdown([str(tiny_model_dir)], value=str(tiny_model_dir))
        g = build_generate(ctx, model)
    targets = g["share"]
    shared = Shared(tab="generate", prompt="Once", knobs={"temperature": 0.5, "top_k": 500, "seed": "7", "stops": "\\n"})
    values, ignored = link_values(shared, targets)
    assert values == {targets["prompt"]: "Once", targets["temperature"]: 0.5, targets["seed"]: "7", targets["stops"]: "\\n"}
    assert ignored == ["top k 500 is outside its slider (0 to 200)."]
    _, ignored = link_values(Shared(tab="generate", knobs={"max_new_tokens": 5}), {"prompt": targets["prompt"]})
    assert ignored == ["the Generate tab has no max new tokens knob."]
