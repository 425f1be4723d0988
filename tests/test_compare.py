"""Strategy comparison: every preset on one seed, and the text metrics on hand-made sequences."""

from __future__ import annotations

import math

import pytest
import torch

from playground.compare import PRESETS, compare, distinct_n, mean_logprob, repeat_ngram_rate
from playground.generation import generate
from playground.knobs import DecodingSettings

PROMPT = "Fair is foul, and foul is fair: hover through the fog"


def test_text_metrics_on_hand_made_sequences():
    assert distinct_n([1, 2, 3, 4], 1) == 1.0 and distinct_n([1, 1, 1, 1], 1) == 0.25
    assert distinct_n([1, 2, 1, 2, 1], 2) == 0.5 and distinct_n([1], 2) == 0.0
    assert repeat_ngram_rate([1, 2, 3, 1, 2, 3], 3) == 0.25 and repeat_ngram_rate([1, 2], 3) == 0.0


def _forward_mean_logprob(model, context_ids, continuation_ids):
    """The reference: one forward pass over prompt + continuation, the raw log-softmax at each new token."""
    ids = torch.tensor([context_ids + continuation_ids])
    with torch.inference_mode():
        logits = model(ids).logits[0, len(context_ids) - 1 : -1].float()
    return float(torch.log_softmax(logits, -1).gather(-1, ids[0, len(context_ids):, None]).mean())


@pytest.mark.parametrize("knobs", [dict(temperature=0.9, top_k=20, repetition_penalty=1.3), dict(temperature=0, num_beams=3)])
def test_mean_logprob_from_the_step_records_equals_a_forward_pass(peaky_model, knobs):
    model, tok = peaky_model
    result = generate(model, tok, PROMPT, DecodingSettings(max_new_tokens=10, seed=3, **knobs))
    seq = result.sequences[0]
    assert mean_logprob(seq.steps) == pytest.approx(_forward_mean_logprob(model, result.prompt_ids, seq.token_ids), abs=1e-4)
    assert mean_logprob([]) is None


def test_compare_runs_every_preset_with_one_seed(peaky_model):
    model, tok = peaky_model
    own = DecodingSettings(temperature=0.5, top_k=3)
    results = compare(model, tok, PROMPT, max_new_tokens=8, seed=9, own=own)
    assert [r.name for r in results] == [*PRESETS, "yours"]
    by = {r.name: r for r in results}
    assert by["greedy"].token_ids == generate(model, tok, PROMPT, DecodingSettings(temperature=0, max_new_tokens=8)).sequences[0].token_ids
    assert by["yours"].settings.top_k == 3 and all(r.settings.seed == 9 for r in results)
    for r in results:
        assert r.length == len(r.token_ids) and 0 < r.distinct_1 <= 1 and 0 <= r.repeat_3gram_rate < 1
        assert r.perplexity == pytest.approx(math.exp(-r.mean_logprob), rel=1e-5)
    # Greedy picks the likeliest token every time, so nothing sampled beats it by much on log-prob.
    assert by["greedy"].mean_logprob > by["temperature 1.3"].mean_logprob


def test_iter_compare_gives_each_strategy_as_it_finishes(peaky_model, monkeypatch):
    import playground.compare as compare_module

    model, tok = peaky_model
    own = DecodingSettings(temperature=0.5, top_k=3)
    runs = []  # generate calls made before each result came out
    real = compare_module.generate
    monkeypatch.setattr(compare_module, "generate", lambda *a, **k: runs.append(a[3]) or real(*a, **k))
    seen = []
    for result in compare_module.iter_compare(model, tok, PROMPT, max_new_tokens=6, seed=4, own=own):
        seen.append((result.name, len(runs)))  # one more strategy run per result: nothing waits for the rest
    assert seen == [(name, i) for i, name in enumerate(compare_module.strategy_names(own), 1)]
    assert [r.to_dict() for r in compare(model, tok, PROMPT, max_new_tokens=6, seed=4, own=own)] == [
        r.to_dict() for r in compare_module.iter_compare(model, tok, PROMPT, max_new_tokens=6, seed=4, own=own)]
    assert compare_module.strategy_names() == list(PRESETS)
