"""Decoding knobs: one clear sentence per bad value, and the one converter every form and the CLI share."""

from __future__ import annotations

import pytest

from playground.errors import PlaygroundError
from playground.knobs import MAX_NEW_TOKENS, DecodingSettings, parse_seed


@pytest.mark.parametrize(
    "knobs, message",
    [
        (dict(temperature=-0.1), "Temperature must be 0"),
        (dict(top_p=0.0), "top-p must be above 0"),
        (dict(top_p=1.5), "top-p must be above 0"),
        (dict(top_k=-1), "top-k must be 0"),
        (dict(repetition_penalty=0.0), "Repetition penalty must be above 0"),
        (dict(repetition_penalty=-2), "Repetition penalty must be above 0"),
        (dict(max_new_tokens=MAX_NEW_TOKENS + 1), "max new tokens must be between"),
        (dict(max_new_tokens=0), "max new tokens must be between"),
        (dict(min_p=1.5), "min-p must be between"),
        (dict(typical_p=0.0), "typical-p must be above 0"),
        (dict(no_repeat_ngram_size=-1), "no-repeat-ngram size"),
        (dict(num_beams=4, temperature=0.7), "Beam search is deterministic"),
        (dict(num_beams=2, temperature=0, num_return_sequences=3), "at most one sequence per beam"),
        (dict(temperature=0, num_return_sequences=2), "Greedy decoding always gives the same text"),
        (dict(num_beams=9, temperature=0), "Number of beams"),
        (dict(top_k=2.5), "top k must be a whole number"),
        (dict(temperature=float("nan")), "must be a finite number"),
        (dict(stops=("",)), "Stop texts must be non-empty"),
        (dict(seed=-1), "The seed must be"),
    ],
)
def test_bad_settings_are_one_clear_sentence(knobs, message):
    with pytest.raises(PlaygroundError, match=message) as e:
        DecodingSettings(**knobs)
    assert "\n" not in str(e.value) and str(e.value).endswith(".")


def test_slider_floats_are_accepted_as_whole_numbers():
    s = DecodingSettings(max_new_tokens=50.0, top_k=10.0, stops="\n")
    assert (s.max_new_tokens, s.top_k, s.stops) == (50, 10, ("\n",))


def test_from_values_takes_named_form_values():
    s = DecodingSettings.from_values(temperature=0.7, top_k=40.0, max_new_tokens=12.0, seed=" 7.0 ", stops="\n\n")
    assert s == DecodingSettings(temperature=0.7, top_k=40, max_new_tokens=12, seed=7, stops=("\n\n",))


def test_from_values_none_means_not_given():
    assert DecodingSettings.from_values(temperature=None, top_p=None, seed=None, stops=None) == DecodingSettings()
    assert DecodingSettings.from_values(seed="").seed is None  # a blank Seed box: a fresh seed


def test_from_values_beams_without_a_temperature_are_deterministic():
    assert DecodingSettings.from_values(num_beams=3).temperature == 0.0
    with pytest.raises(PlaygroundError, match="Beam search is deterministic"):
        DecodingSettings.from_values(num_beams=3, temperature=0.7)  # a temperature that was given still conflicts


def test_from_values_refuses_unknown_knobs_and_bad_seeds():
    with pytest.raises(TypeError, match="not a decoding knob: top_q"):
        DecodingSettings.from_values(top_q=0.9)
    with pytest.raises(PlaygroundError, match="Seed must be a whole number, or blank"):
        DecodingSettings.from_values(seed="abc")
    assert parse_seed(None) is None and parse_seed(3) == 3
