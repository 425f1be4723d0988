"""Generation against plain `model.generate`: parity, step records, streaming, stops, branching."""

from __future__ import annotations

import math
import threading

import pytest
import torch

from playground.decoding import lab
from playground.errors import PlaygroundError
from playground.generation import branch, generate, stream
from playground.knobs import DecodingSettings

PROMPT = "Fair is foul, and foul is fair: hover through the fog"


def _reference(model, tok, seed, **kwargs):
    """What a teacher would type: plain transformers."""
    ids = torch.tensor([tok.encode(PROMPT)])
    torch.manual_seed(seed)
    out = model.generate(ids, attention_mask=torch.ones_like(ids), pad_token_id=tok.eos_token_id, **kwargs)
    return [row[ids.shape[1]:].tolist() for row in out]


def _trim_eos(ids, eos=50256):
    return ids[: ids.index(eos) + 1] if eos in ids else ids


@pytest.mark.parametrize(
    "knobs",
    [
        dict(temperature=0.8, top_k=20, top_p=0.9, repetition_penalty=1.3),
        dict(temperature=1.0, top_k=0, top_p=1.0, repetition_penalty=1.0),  # pure sampling: top_k 0 must not become 50
        dict(temperature=1.2, top_k=0, top_p=0.8, repetition_penalty=0.9),
    ],
)
def test_sampling_matches_plain_generate(peaky_model, knobs):
    model, tok = peaky_model
    result = generate(model, tok, PROMPT, DecodingSettings(max_new_tokens=15, seed=11, **knobs))
    ref = _reference(model, tok, 11, do_sample=True, max_new_tokens=15, **knobs)
    assert result.sequences[0].token_ids == _trim_eos(ref[0]) and result.seed == 11


def test_sampling_with_every_knob_and_several_sequences_matches(peaky_model):
    model, tok = peaky_model
    knobs = dict(temperature=0.9, top_k=40, top_p=0.95, min_p=0.01, typical_p=0.98, repetition_penalty=1.2, no_repeat_ngram_size=2)
    result = generate(model, tok, PROMPT, DecodingSettings(max_new_tokens=12, seed=5, num_return_sequences=3, **knobs))
    ref = _reference(model, tok, 5, do_sample=True, max_new_tokens=12, num_return_sequences=3, **knobs)
    assert [s.token_ids for s in result.sequences] == [_trim_eos(r) for r in ref]


def test_greedy_matches_plain_generate(peaky_model):
    model, tok = peaky_model
    result = generate(model, tok, PROMPT, DecodingSettings(temperature=0, repetition_penalty=1.4, max_new_tokens=15))
    ref = _reference(model, tok, 0, do_sample=False, repetition_penalty=1.4, max_new_tokens=15)
    assert result.sequences[0].token_ids == _trim_eos(ref[0])


def test_beam_search_matches_plain_generate(peaky_model):
    model, tok = peaky_model
    result = generate(model, tok, PROMPT, DecodingSettings(temperature=0, num_beams=4, num_return_sequences=2, max_new_tokens=10))
    ref = _reference(model, tok, 0, do_sample=False, num_beams=4, num_return_sequences=2, max_new_tokens=10)
    assert [s.token_ids for s in result.sequences] == [_trim_eos(r) for r in ref]
    assert all(len(s.steps) == len(s.token_ids) and all(0 < st.prob <= 1 for st in s.steps) for s in result.sequences)


def test_beam_step_records_add_up_to_generates_beam_scores(peaky_model):
    """Each beam's tokens, picked out of generate's per-beam scores by its beam indices, give back the
    beam's own score: the sum of their log-probabilities over its length."""
    model, tok = peaky_model
    result = generate(model, tok, PROMPT, DecodingSettings(temperature=0, num_beams=4, num_return_sequences=3, max_new_tokens=10))
    ids = torch.tensor([tok.encode(PROMPT)])
    out = model.generate(ids, attention_mask=torch.ones_like(ids), pad_token_id=50256, do_sample=False, num_beams=4,
                         num_return_sequences=3, max_new_tokens=10, return_dict_in_generate=True, output_scores=True)
    for seq, score in zip(result.sequences, out.sequences_scores.tolist()):
        assert sum(math.log(s.prob) for s in seq.steps) / len(seq.steps) == pytest.approx(score, abs=1e-4)


def test_step_records_are_generates_own_numbers(peaky_model):
    model, tok = peaky_model
    knobs = dict(temperature=0.7, top_k=10, repetition_penalty=1.2)
    seq = generate(model, tok, PROMPT, DecodingSettings(max_new_tokens=8, seed=2, **knobs), top_n=5).sequences[0]
    ids = torch.tensor([tok.encode(PROMPT)])
    torch.manual_seed(2)
    out = model.generate(ids, attention_mask=torch.ones_like(ids), pad_token_id=50256, do_sample=True, max_new_tokens=8,
                         return_dict_in_generate=True, output_scores=True, output_logits=True, **knobs)
    for k, step in enumerate(seq.steps):
        final, raw = torch.softmax(out.scores[k][0], -1), torch.softmax(out.logits[k][0], -1)
        assert step.id == seq.token_ids[k] and step.token == tok.decode([step.id])
        assert step.prob == pytest.approx(float(final[step.id]), rel=1e-5)
        assert step.raw_prob == pytest.approx(float(raw[step.id]), rel=1e-4)
        assert step.entropy == pytest.approx(float(torch.special.entr(final).sum()), abs=1e-5)
        assert [t.id for t in step.top] == final.topk(5).indices.tolist()
    # And the lab, recomputed at each step's context, shows the very distribution the token came from.
    context = tok.encode(PROMPT)
    third = lab(model, tok, context + seq.token_ids[:3], DecodingSettings(seed=0, **knobs), samples=10)
    assert float(third.final_probs[seq.token_ids[3]]) == pytest.approx(seq.steps[3].prob, abs=1e-5)


def test_stream_yields_the_same_text_as_the_result(peaky_model):
    model, tok = peaky_model
    s = stream(model, tok, PROMPT, DecodingSettings(max_new_tokens=20, seed=4))
    pieces = list(s)
    assert len(pieces) > 1 and "".join(pieces) == s.result.sequences[0].text
    assert s.result.sequences[0].token_ids == generate(model, tok, PROMPT, DecodingSettings(max_new_tokens=20, seed=4)).sequences[0].token_ids


def test_overlapping_runs_draw_what_they_draw_alone(peaky_model):
    """Each run samples from its own generator: runs in threads at once, while another thread keeps
    reseeding and drawing from torch's process-wide generator, give exactly the ids they give alone."""
    model, tok = peaky_model
    knobs = dict(temperature=0.8, top_k=20, top_p=0.9, repetition_penalty=1.3)
    runs = [DecodingSettings(max_new_tokens=20, seed=s, **knobs) for s in range(6)]
    alone = [generate(model, tok, PROMPT, r).sequences[0].token_ids for r in runs]
    together: list = [None] * len(runs)
    start, done = threading.Barrier(len(runs) + 1), threading.Event()

    def work(i: int) -> None:
        start.wait()
        if i % 2:  # streams too: their generate runs in a thread of its own
            live = stream(model, tok, PROMPT, runs[i])
            list(live)
            together[i] = live.result
        else:
            together[i] = generate(model, tok, PROMPT, runs[i])

    def meddle() -> None:
        start.wait()
        while not done.is_set():
            torch.manual_seed(123)
            torch.rand(1000)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(runs))] + [threading.Thread(target=meddle)]
    for t in threads:
        t.start()
    for t in threads[:-1]:
        t.join()
    done.set()
    threads[-1].join()
    assert [r.sequences[0].token_ids for r in together] == alone
    assert alone[3] == _trim_eos(_reference(model, tok, 3, do_sample=True, max_new_tokens=20, **knobs)[0])


def test_a_reported_fresh_seed_repeats_the_run(peaky_model):
    model, tok = peaky_model
    first = generate(model, tok, PROMPT, DecodingSettings(max_new_tokens=12, num_return_sequences=2))
    again = generate(model, tok, PROMPT, DecodingSettings(max_new_tokens=12, num_return_sequences=2, seed=first.seed))
    assert [s.token_ids for s in again.sequences] == [s.token_ids for s in first.sequences]


def test_stop_text_cuts_at_its_first_occurrence(peaky_model):
    model, tok = peaky_model
    full = generate(model, tok, PROMPT, DecodingSettings(max_new_tokens=30, seed=8)).sequences[0]
    stop = full.text[len(full.text) // 3 : len(full.text) // 3 + 3]
    cut = full.text.index(stop)
    settings = DecodingSettings(max_new_tokens=30, seed=8, stops=(stop, "never-appears"))
    stopped = generate(model, tok, PROMPT, settings).sequences[0]
    assert stopped.text == full.text[:cut] and stop not in stopped.text
    assert stopped.token_ids == full.token_ids[: len(stopped.token_ids)] and len(stopped.token_ids) < len(full.token_ids)
    s = stream(model, tok, PROMPT, settings)
    assert "".join(s) == full.text[:cut] == s.result.sequences[0].text


def test_a_stop_text_in_the_prompt_does_not_end_generation(peaky_model):
    model, tok = peaky_model
    result = generate(model, tok, "Fair is foul,", DecodingSettings(max_new_tokens=5, seed=2, stops=(",",)))
    reference = generate(model, tok, "Fair is foul,", DecodingSettings(max_new_tokens=5, seed=2)).sequences[0]
    assert "," not in reference.text and len(reference.token_ids) == 5  # so nothing should stop it
    assert result.sequences[0].token_ids == reference.token_ids


def test_stop_texts_are_matched_in_the_generated_tokens_only():
    """The matcher sees a stop text that spans tokens, or sits inside one, or splits a character's bytes;
    a stop text that begins in the prompt does not stop generation (generate's own stop_strings would)."""
    from transformers import StopStringCriteria

    from playground.records import StopTexts
    from playground.tokenization import gpt2_tokenizer

    tok = gpt2_tokenizer()

    def stops_after(prompt: str, generated: str, stop: str) -> list[bool]:
        p, g = tok.encode(prompt), tok.encode(generated)
        crit = StopTexts(tok, (stop,), len(p))
        return [bool(crit(torch.tensor([p + g[:k]]), None)[0]) for k in range(1, len(g) + 1)]

    assert stops_after("Fair", " is my lordship", "lord") == [False, False, True, False]  # " lords" holds it
    assert stops_after("Fair", "你我是王子", "我") == [False, False, False, True, False, False, False]  # byte tokens
    assert stops_after("Fair is fo", "ul and fair", "foul") == [False] * 3
    whole = tok.encode("Fair is foul")
    assert StopStringCriteria(tok, ["foul"])(torch.tensor([whole]), None)[0]  # what generate's stop_strings would do


def test_stop_event_cancels_a_stream(peaky_model):
    model, tok = peaky_model
    stop = threading.Event()
    s = stream(model, tok, PROMPT, DecodingSettings(max_new_tokens=100, seed=1), stop_event=stop)
    for _ in s:
        stop.set()
    assert s.result.cancelled and len(s.result.sequences[0].token_ids) < 100


def test_leaving_a_stream_early_stops_generation(peaky_model):
    model, tok = peaky_model
    s = stream(model, tok, PROMPT, DecodingSettings(max_new_tokens=100, seed=1))
    it = iter(s)
    next(it)
    it.close()  # what Gradio does when the user cancels
    assert not s._thread.is_alive() and len(s.result.sequences[0].token_ids) < 100


def test_streaming_refuses_beams_and_several_sequences(peaky_model):
    model, tok = peaky_model
    with pytest.raises(PlaygroundError, match="Streaming shows one sequence"):
        stream(model, tok, PROMPT, DecodingSettings(temperature=0, num_beams=2))
    with pytest.raises(PlaygroundError, match="Streaming shows one sequence"):
        stream(model, tok, PROMPT, DecodingSettings(num_return_sequences=2))


def test_empty_prompt_starts_from_endoftext(peaky_model):
    model, tok = peaky_model
    result = generate(model, tok, "", DecodingSettings(max_new_tokens=3, seed=0))
    assert result.prompt_ids == [tok.eos_token_id] and result.notice is None


def test_long_prompt_is_shortened_with_a_notice(peaky_model, play_text):
    model, tok = peaky_model  # 128-token context
    result = generate(model, tok, play_text[:2000], DecodingSettings(max_new_tokens=20, seed=0))
    assert len(result.prompt_ids) == 108 and result.prompt_ids == tok.encode(play_text[:2000])[-108:]
    assert "last 108" in result.notice
    with pytest.raises(PlaygroundError, match="leave no room for a prompt"):
        generate(model, tok, "x", DecodingSettings(max_new_tokens=128))


def test_branch_from_here(peaky_model):
    model, tok = peaky_model
    settings = DecodingSettings(max_new_tokens=12, seed=6, temperature=0.8)
    original = generate(model, tok, PROMPT, settings, top_n=5)
    old = original.sequences[0]
    alternative = next(t for t in old.steps[4].top if t.id != old.token_ids[4])
    new = branch(model, tok, original, settings, position=4, token_id=alternative.id, top_n=5)
    seq = new.sequences[0]
    assert seq.token_ids[:4] == old.token_ids[:4] and seq.token_ids[4] == alternative.id
    assert seq.steps[:4] == old.steps[:4] and seq.steps[4].prob == pytest.approx(alternative.prob, abs=1e-5)
    assert len(seq.token_ids) == len(seq.steps) <= 12 and seq.text == tok.decode(seq.token_ids, skip_special_tokens=True)
    assert branch(model, tok, original, settings, position=4, token_id=alternative.id, top_n=5) == new
    with pytest.raises(PlaygroundError, match="outside the generated text"):
        branch(model, tok, original, settings, position=99, token_id=1)
