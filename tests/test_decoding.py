"""The decoding lab against generate itself, on a tiny GPT-2 whose logits are peaky enough to cut."""

from __future__ import annotations

import math

import pytest
import torch
from transformers.generation import logits_process as lp

from playground.decoding import (
    LAB_CONTEXTS,
    STAGES,
    encode_prompt,
    generate_setup,
    generation_config,
    histogram,
    lab,
    lab_step,
    logits_processors,
    next_token_logits,
    stage_distributions,
    temperature_comparison,
)
from playground.errors import PlaygroundError
from playground.knobs import DecodingSettings

PROMPT = "Fair is foul, and foul is fair: hover through the fog"
ALL_KNOBS = dict(temperature=0.8, top_k=40, top_p=0.95, min_p=0.001, typical_p=0.99, repetition_penalty=1.3, no_repeat_ngram_size=2)


# --------------------------------------------------------------------------- generate's processors


def test_top_k_zero_means_no_top_k(peaky_model):
    # GPT-2's / transformers' default top_k=50 must not leak in when the user chose 0.
    model, tok = peaky_model
    procs = logits_processors(model, tok, DecodingSettings(top_k=0), 5)
    assert not any(isinstance(p, lp.TopKLogitsWarper) for p in procs)


def test_greedy_and_beam_build_no_warpers(peaky_model):
    model, tok = peaky_model
    for s in (DecodingSettings(temperature=0, top_k=5), DecodingSettings(temperature=0, num_beams=3, top_p=0.5)):
        assert [type(p) for p in logits_processors(model, tok, s, 5)] == []


def test_processors_follow_generates_order(peaky_model):
    model, tok = peaky_model
    types = [type(p) for p in logits_processors(model, tok, DecodingSettings(**ALL_KNOBS), 5)]
    assert types == [
        lp.RepetitionPenaltyLogitsProcessor, lp.NoRepeatNGramLogitsProcessor, lp.TemperatureLogitsWarper,
        lp.TopKLogitsWarper, lp.TopPLogitsWarper, lp.MinPLogitsWarper, lp.TypicalLogitsWarper,
    ]
    result = lab(model, tok, PROMPT, DecodingSettings(**ALL_KNOBS, seed=0), samples=10)
    assert [s.name for s in result.stages] == list(STAGES)
    assert all(s.active for s in result.stages)


def test_generate_setup_is_generates_own_config_and_processors(peaky_model, monkeypatch):
    """The one wrapper around transformers' private generate steps: the processors it returns are the very
    list generate builds for the same config, and the config carries the model's defaults."""
    model, tok = peaky_model
    settings = DecodingSettings(**ALL_KNOBS, seed=0)
    prepared, procs = generate_setup(model, generation_config(settings, tok, records=False), 5)
    assert (prepared.top_k, prepared.eos_token_id, prepared.length_penalty, prepared.early_stopping) == (40, 50256, 1.0, False)
    built = []
    original = type(model)._get_logits_processor

    def spy(self, *args, **kwargs):
        built.append(original(self, *args, **kwargs))
        return built[-1]

    monkeypatch.setattr(type(model), "_get_logits_processor", spy)
    ids = torch.tensor([tok.encode(PROMPT)[:5]])
    model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=generation_config(settings, tok, records=False))
    assert [type(p) for p in built[0]] == [type(p) for p in procs]
    assert [vars(p) for p in built[0]] == [vars(p) for p in procs]


# --------------------------------------------------------------------------- lab vs generate


def _generate_scores(model, ids, settings_kwargs, steps):
    torch.manual_seed(0)
    out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                         max_new_tokens=steps, return_dict_in_generate=True, output_scores=True, pad_token_id=50256,
                         **settings_kwargs)
    return out.sequences[0, len(ids):].tolist(), out.scores


@pytest.mark.parametrize("knobs", [ALL_KNOBS, dict(temperature=1.0, top_k=5), dict(temperature=0.0, repetition_penalty=1.5)])
def test_lab_final_is_the_distribution_generate_uses(peaky_model, knobs):
    model, tok = peaky_model
    settings = DecodingSettings(**knobs, seed=0)
    ids = tok.encode(PROMPT)
    do_sample = knobs["temperature"] > 0
    ref = {k: v for k, v in knobs.items() if do_sample or k in ("repetition_penalty", "no_repeat_ngram_size")}
    new, scores = _generate_scores(model, ids, dict(do_sample=do_sample, **ref), 4)
    for k in range(4):  # every step: the penalties depend on the tokens generated so far
        result = lab(model, tok, ids + new[:k], settings, samples=10)
        expected = torch.softmax(scores[k][0], -1)
        assert torch.allclose(result.final_probs, expected, atol=1e-5)
        assert result.stages[-1].kept == int((expected > 0).sum())


def test_lab_beam_stages_start_from_log_probs(peaky_model):
    # Beam search runs the processors on log-softmaxed logits; with a repetition penalty that differs
    # from running them on raw logits, so the lab must follow.
    model, tok = peaky_model
    ids = tok.encode(PROMPT)
    _, scores = _generate_scores(model, ids, dict(num_beams=3, do_sample=False, repetition_penalty=1.8), 1)
    result = lab(model, tok, ids, DecodingSettings(temperature=0, num_beams=3, repetition_penalty=1.8), samples=10)
    assert torch.allclose(result.final_probs, torch.softmax(scores[0][0], -1), atol=1e-5)


def test_stages_report_kept_and_cut(peaky_model):
    model, tok = peaky_model
    result = lab(model, tok, PROMPT, DecodingSettings(top_k=3, top_p=0.5, seed=1), top_n=8, samples=10)
    by = {s.name: s for s in result.stages}
    assert by["raw"].kept == tok.vocab_size or by["raw"].kept == len(tok)
    assert by["top_k"].kept == 3 and [t.id for t in by["top_k"].cut] == [t.id for t in by["raw"].top[3:]]
    assert 1 <= by["top_p"].kept <= 3
    assert not by["temperature"].active and torch.equal(by["temperature"].probs, by["raw"].probs)
    assert by["final"].top == result.final and result.final[0].prob >= result.final[-1].prob
    assert math.isclose(sum(t.prob for t in by["final"].top[: by["final"].kept]), 1.0, rel_tol=1e-5)


def test_stages_report_entropy_and_the_renormalisation(peaky_model):
    model, tok = peaky_model
    result = lab(model, tok, PROMPT, DecodingSettings(top_k=3, seed=1), samples=10)
    by = {s.name: s for s in result.stages}
    raw, top_k = by["raw"].probs, by["top_k"].probs
    kept = top_k > 0
    # top-k keeps a share of the raw mass and scales each survivor up by 1 / that share.
    assert by["top_k"].kept_mass == pytest.approx(float(raw[kept].sum()), rel=1e-5) and by["top_k"].kept_mass < 1
    assert torch.allclose(top_k[kept], raw[kept] / by["top_k"].kept_mass, rtol=1e-4)
    assert by["raw"].kept_mass == 1.0 == by["temperature"].kept_mass
    for s in result.stages:
        assert s.entropy == pytest.approx(float(-(s.probs[s.probs > 0] * s.probs[s.probs > 0].log()).sum()), abs=1e-4)
        assert s.effective_choices == pytest.approx(math.exp(s.entropy))
    assert by["top_k"].effective_choices <= 3 < by["raw"].effective_choices


def test_lab_keeps_its_logits_so_a_temperature_sweep_needs_no_forward_pass(peaky_model):
    model, tok = peaky_model
    result = lab(model, tok, PROMPT, DecodingSettings(seed=0), samples=10)
    assert torch.equal(result.logits, next_token_logits(model, result.context_ids))
    (one,) = temperature_comparison(result.logits, tok, (1.0,))
    assert torch.allclose(one.probs, result.stages[0].probs)


def test_default_lab_contexts_give_the_demo_model_a_peaked_distribution():
    from playground.models import load_model

    model, tok = load_model("demo")  # the bundled model, a local folder
    for context in LAB_CONTEXTS:
        result = lab(model, tok, context, DecodingSettings(seed=0), top_n=12, samples=10_000)
        raw = result.stages[0]
        assert raw.top[0].prob > 0.2 and raw.entropy < 5.6, (context, raw.top[0], raw.entropy)
    first = lab(model, tok, LAB_CONTEXTS[0], DecodingSettings(seed=0), top_n=12, samples=10_000)
    assert first.stages[0].top[0].prob > 0.35  # the default: one clear favourite
    assert first.histogram.counts[0].count > 3000 and first.histogram.other_count < 4000  # draws land on listed tokens


def test_stages_do_not_modify_the_logits(peaky_model):
    model, tok = peaky_model
    ids = tok.encode(PROMPT)
    logits = next_token_logits(model, ids)
    before = logits.clone()
    stage_distributions(logits, ids, logits_processors(model, tok, DecodingSettings(**ALL_KNOBS), len(ids)))
    assert torch.equal(logits, before)


# --------------------------------------------------------------------------- histogram


def _chi_square_critical(df: int, z: float = 3.09) -> float:
    """Upper 0.1% point of chi-square(df), Wilson-Hilferty approximation (no scipy needed)."""
    a = 2 / (9 * df)
    return df * (1 - a + z * math.sqrt(a)) ** 3


def _chi_square(counts: torch.Tensor, probs: torch.Tensor) -> tuple[float, int]:
    expected = probs * counts.sum()
    big = expected >= 5  # the usual validity rule; the rest is pooled into one cell
    obs = torch.cat([counts[big].double(), counts[~big].sum()[None].double()])
    exp = torch.cat([expected[big].double(), expected[~big].sum()[None].double()])
    keep = exp > 0
    stat = float(((obs[keep] - exp[keep]) ** 2 / exp[keep]).sum())
    return stat, int(keep.sum()) - 1


def test_histogram_follows_the_distribution(peaky_model):
    model, tok = peaky_model
    result = lab(model, tok, PROMPT, DecodingSettings(temperature=2.0, top_k=30, seed=5), top_n=30, samples=20_000)
    hist, probs = result.histogram, result.final_probs
    counts = torch.zeros_like(probs, dtype=torch.long)
    for row in hist.counts:
        counts[row.id] = row.count
    assert hist.other_count == 0 and int(counts.sum()) == hist.draws == 20_000  # top_k=30 and 30 listed
    stat, df = _chi_square(counts, probs)
    assert df >= 10 and stat < _chi_square_critical(df)
    # The check has teeth: the same counts against the untempered distribution fail it.
    cold = lab(model, tok, PROMPT, DecodingSettings(temperature=1.0, top_k=30, seed=5), samples=10).final_probs
    assert _chi_square(counts, cold)[0] > _chi_square_critical(_chi_square(counts, cold)[1])


def test_histogram_is_seeded_and_counts_every_draw(peaky_model):
    _, tok = peaky_model
    probs = torch.softmax(torch.randn(1000, generator=torch.Generator().manual_seed(0)) * 3, -1)
    a, b = histogram(probs, 5000, 7, tok, top_n=5), histogram(probs, 5000, 7, tok, top_n=5)
    assert a == b and sum(c.count for c in a.counts) + a.other_count == 5000
    assert histogram(probs, 5000, 8, tok, top_n=5) != a
    # The tokens the draws hit most come first; the rest of the draws are counted with how many tokens they hit.
    assert [c.count for c in a.counts] == sorted((c.count for c in a.counts), reverse=True)
    drawn = torch.bincount(torch.multinomial(probs, 5000, replacement=True, generator=torch.Generator().manual_seed(7)),
                           minlength=1000)
    assert a.counts[0].id == int(drawn.argmax()) and a.counts[0].count == int(drawn.max())
    assert a.other_tokens == int((drawn > 0).sum()) - sum(c.count > 0 for c in a.counts)


def test_histogram_under_greedy_always_picks_the_top_token(peaky_model):
    model, tok = peaky_model
    result = lab(model, tok, PROMPT, DecodingSettings(temperature=0), samples=1000)
    assert result.greedy and result.histogram.counts[0].count == 1000 == result.histogram.counts[0].expected
    assert result.histogram.counts[0].id == result.final[0].id


def test_too_many_samples_is_refused(peaky_model):
    model, tok = peaky_model
    with pytest.raises(PlaygroundError, match="The number of samples must be a whole number from 1 to 100,000, not 100001"):
        lab(model, tok, PROMPT, DecodingSettings(), samples=100_001)


# --------------------------------------------------------------------------- temperature, step mode, prompts


def test_temperature_comparison_flattens_and_sharpens(peaky_model):
    model, tok = peaky_model
    logits = next_token_logits(model, tok.encode(PROMPT))
    cold, one, hot, zero = temperature_comparison(logits, tok, (0.3, 1.0, 1.5, 0.0))
    assert cold.entropy < one.entropy < hot.entropy and zero.entropy == 0
    assert torch.allclose(one.probs, torch.softmax(logits, -1))
    assert cold.top[0].id == one.top[0].id == zero.top[0].id and zero.top[0].prob == 1.0


def test_step_mode_appends_the_chosen_token_and_recomputes(peaky_model):
    model, tok = peaky_model
    settings = DecodingSettings(top_k=5, seed=3)
    first = lab(model, tok, PROMPT, settings, samples=10)
    chosen = first.final[1].id
    token, second = lab_step(model, tok, first, settings, chosen, samples=10)
    assert token == chosen and second.context_ids == first.context_ids + [chosen]
    assert torch.equal(second.final_probs, lab(model, tok, first.context_ids + [chosen], settings, samples=10).final_probs)
    # Without a token: a seeded draw from the final distribution, reproducible.
    drawn, _ = lab_step(model, tok, first, settings, samples=10)
    assert drawn == lab_step(model, tok, first, settings, samples=10)[0] and first.final_probs[drawn] > 0
    greedy = lab(model, tok, PROMPT, DecodingSettings(temperature=0), samples=10)
    assert lab_step(model, tok, greedy, DecodingSettings(temperature=0), samples=10)[0] == greedy.final[0].id


def test_empty_prompt_starts_from_endoftext(peaky_model):
    _, tok = peaky_model
    assert encode_prompt(tok, "", 100) == ([tok.eos_token_id], None)


def test_long_prompt_keeps_its_last_tokens_and_says_so(peaky_model, play_text):
    _, tok = peaky_model
    full = tok.encode(play_text[:3000])
    ids, notice = encode_prompt(tok, play_text[:3000], 100)
    assert ids == full[-100:] and f"{len(full)} tokens long" in notice and "last 100" in notice


def test_identical_lab_requests_at_once_compute_once_and_unseeded_ones_draw_afresh(peaky_model):
    """A class opening one share link: thirty identical requests, one forward pass; a blank seed never shares."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from playground import decoding

    model, tok = peaky_model
    settings = DecodingSettings(temperature=0.9, top_k=20, seed=11)
    barrier = threading.Barrier(30)
    forwards = []
    real = decoding.next_token_logits

    def counted(*args):
        forwards.append(1)
        return real(*args)

    def ask(_):
        barrier.wait()
        return lab(model, tok, PROMPT + " shared link", settings, top_n=8, samples=500)

    decoding.next_token_logits = counted
    try:
        with ThreadPoolExecutor(30) as pool:
            results = list(pool.map(ask, range(30)))
        assert len(forwards) == 1 and all(r is results[0] for r in results)
        alone = decoding._lab(model, tok, PROMPT + " shared link", settings, top_n=8, samples=500)
        assert [t.id for t in alone.final] == [t.id for t in results[0].final]
        assert alone.histogram.to_dict() == results[0].histogram.to_dict()
        blank = DecodingSettings(temperature=0.9, top_k=20)  # no seed: a fresh draw each time
        seeds = {lab(model, tok, PROMPT, blank, top_n=8, samples=500).histogram.seed for _ in range(3)}
        assert len(seeds) == 3
    finally:
        decoding.next_token_logits = real
