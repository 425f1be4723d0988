"""Batching: concurrent runs with the same knobs share one generate call and still get what they get alone."""

from __future__ import annotations

import threading
import time

import pytest
import torch
from transformers import TextIteratorStreamer

from playground.batching import Batcher, Request, run_batch
from playground.generation import generate, stream
from playground.knobs import DecodingSettings

PROMPT = "Fair is foul, and foul is fair: hover through the fog"
KNOBS = dict(temperature=0.8, top_k=20, top_p=0.9, repetition_penalty=1.3, no_repeat_ngram_size=3)


@pytest.fixture(scope="module")
def prompts(peaky_model):
    """Two different prompts of one length, and a shorter one."""
    _, tok = peaky_model
    ids = tok.encode(PROMPT)
    other = tok.encode(" Double, double toil and trouble; fire burn and cauldron bubble")[: len(ids)]
    assert len(other) == len(ids) and other != ids
    return ids, other, ids[:5]


def _alone(model, tok, context, settings, seed, rows=1, top_n=5):
    return generate(model, tok, list(context), settings.replace(seed=seed, num_return_sequences=rows), top_n=top_n).sequences


def _same(batched, alone) -> bool:
    """The same ids, text and step records, the records up to float rounding: a matrix product's last bits
    depend on how many rows it multiplies (BLAS picks its kernel by shape), in plain generate too."""
    assert [s.token_ids for s in batched] == [s.token_ids for s in alone]
    assert [s.text for s in batched] == [s.text for s in alone]
    for b, a in zip(batched, alone):
        for x, y in zip(b.steps, a.steps, strict=True):
            assert (x.token, x.id, [t.id for t in x.top]) == (y.token, y.id, [t.id for t in y.top])
            assert (x.prob, x.raw_prob, x.entropy) == pytest.approx((y.prob, y.raw_prob, y.entropy), rel=1e-4, abs=1e-5)
            assert [t.prob for t in x.top] == pytest.approx([t.prob for t in y.top], rel=1e-4, abs=1e-5)
    return True


def test_the_draw_is_torch_multinomials():
    """Draw draws as argmax(p / q), q ~ Exp(1) from the generator: multinomial's own one-sample path."""
    from playground.batching import Draw

    scores = torch.randn(5, 1000) * 3
    scores[:2, 500:] = float("-inf")
    draw = Draw([(slice(0, 2), torch.Generator().manual_seed(7)), (slice(2, 5), torch.Generator().manual_seed(8))])
    decided = draw(None, scores)
    expected = [torch.multinomial(torch.softmax(scores[rows], -1), 1, generator=torch.Generator().manual_seed(seed))
                for rows, seed in ((slice(0, 2), 7), (slice(2, 5), 8))]
    assert decided.argmax(-1).tolist() == torch.cat(expected)[:, 0].tolist()
    assert (decided == 0).sum().item() == 5 and draw.scores[0] is scores


@pytest.mark.parametrize("knobs", [KNOBS, dict(temperature=0.0, repetition_penalty=1.3)], ids=["sampling", "greedy"])
def test_a_batch_gives_each_request_what_it_gets_alone(peaky_model, prompts, knobs):
    """Ids and step records, with several sequences in one request and different prompts of one length."""
    model, tok = peaky_model
    ids, other, _ = prompts
    settings = DecodingSettings(max_new_tokens=12, **knobs)
    rows = 3 if settings.sampling else 1  # greedy cannot return several sequences
    parts = [(ids, 1, 1), (other, 2, rows), (ids, 3, 1)]
    batched = run_batch(model, tok, settings, [Request(list(c), seed, n) for c, seed, n in parts], top_n=5)
    assert all(_same(b, _alone(model, tok, c, settings, seed, n)) for b, (c, seed, n) in zip(batched, parts, strict=True))
    if settings.sampling:  # the seeds really differ
        assert batched[0][0].token_ids != batched[2][0].token_ids


def test_a_batch_takes_prompts_of_one_length_only(peaky_model, prompts):
    model, tok = peaky_model
    ids, _, short = prompts
    with pytest.raises(ValueError, match="one length"):
        run_batch(model, tok, DecodingSettings(max_new_tokens=3), [Request(ids, 1), Request(short, 2)], top_n=5)


class _Recorder:
    """A streamer that keeps each step's token (after the prompt) and can act at a given token."""

    def __init__(self, at: int | None = None, then=None):
        self.tokens: list[int] = []
        self.prompt_seen, self.ended, self.at, self.then = False, False, at, then

    def put(self, value):
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        self.tokens += value.tolist()
        if len(self.tokens) == self.at:
            self.then()

    def end(self):
        self.ended = True


def test_stop_texts_and_cancels_end_their_own_request_only(peaky_model, prompts):
    model, tok = peaky_model
    ids, other, _ = prompts
    settings = DecodingSettings(max_new_tokens=16, **KNOBS)
    plain = _alone(model, tok, ids, settings, 1)[0]
    assert len(plain.token_ids) == 16
    stop = tok.decode(plain.token_ids[6:8])  # a text that starts inside the run: it ends there
    cancel = threading.Event()
    texts = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True, clean_up_tokenization_spaces=False)
    a = Request(list(ids), 1, stops=(stop,), streamer=texts)
    b = Request(list(other), 2, events=(cancel,), streamer=_Recorder(at=3, then=cancel.set))
    c = Request(list(ids), 3, streamer=_Recorder())
    (ra,), (rb,), (rc,) = run_batch(model, tok, settings, [a, b, c], top_n=5)
    alone_a = _alone(model, tok, ids, settings.replace(stops=(stop,)), 1)[0]
    assert _same([ra], [alone_a]) and len(ra.token_ids) < 8
    full_b = _alone(model, tok, other, settings, 2)[0]
    # Cancelled as its 3rd token came out, while the 4th was being made: it ends after that one, as alone.
    assert rb.token_ids == full_b.token_ids[:4] and b.streamer.tokens == rb.token_ids
    assert _same([rc], _alone(model, tok, ids, settings, 3)) and c.streamer.tokens == rc.token_ids
    assert b.streamer.ended and c.streamer.ended
    streamed = "".join(texts)  # ended as soon as its own row was: the stop text's token is its last
    assert streamed.startswith(ra.text + stop) or (stop in streamed and streamed.startswith(ra.text))


class _Blocker(_Recorder):
    """Holds its batch at the first token until released: requests that come meanwhile must wait."""

    def __init__(self):
        super().__init__(at=1, then=self._hold)
        self.holding, self.release = threading.Event(), threading.Event()

    def _hold(self):
        self.holding.set()
        assert self.release.wait(60)


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 60  # a guard against a hang, not a timing assert
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def test_requests_that_come_while_a_batch_runs_share_the_next(peaky_model, prompts):
    """Requests (a stream, several sequences, another seed) that arrive while their group's batch runs
    wait, then run as one generate call; a shorter prompt or other knobs form groups of their own and do
    not wait. Everyone gets what they get alone."""
    model, tok = peaky_model
    ids, other, short = prompts
    settings = DecodingSettings(max_new_tokens=10, **KNOBS)
    batcher = Batcher(window=0)
    blocker = _Blocker()
    results: dict = {}

    def run(name, context, seed, rows=1, knobs=settings, streamer=None):
        results[name] = batcher.run(model, tok, list(context), knobs.replace(num_return_sequences=rows), seed, top_n=5,
                                    streamer=streamer)

    def run_stream(name, context, seed):
        live = stream(model, tok, list(context), settings.replace(seed=seed), top_n=5, batcher=batcher)
        results[name] = ("".join(live), live.result.sequences)

    first = threading.Thread(target=run, args=("first", ids, 0), kwargs=dict(streamer=blocker))
    first.start()
    assert blocker.holding.wait(60)
    # Other groups: a shorter prompt, other knobs. They do not wait for the held batch.
    apart = [threading.Thread(target=run, args=("short", short, 4)),
             threading.Thread(target=run, args=("hotter", ids, 5), kwargs=dict(knobs=settings.replace(temperature=1.1)))]
    for t in apart:
        t.start()
    for t in apart:
        t.join(60)
    assert "short" in results and "hotter" in results and not blocker.release.is_set()
    # The same group: these wait for the held batch, then run together.
    together = [threading.Thread(target=run_stream, args=("streamed", other, 1)),
                threading.Thread(target=run, args=("three", ids, 2, 3)),
                threading.Thread(target=run, args=("again", ids, 3))]
    for t in together:
        t.start()
    _wait_for(lambda: batcher.waiting() == 3, "three waiting requests")
    blocker.release.set()
    for t in [first, *together]:
        t.join(60)
    assert batcher.batches == [1, 1, 1, 3] and batcher.waiting() == 0

    text, streamed = results["streamed"]
    assert _same(streamed, _alone(model, tok, other, settings, 1)) and text == streamed[0].text
    assert _same(results["three"], _alone(model, tok, ids, settings, 2, rows=3))
    assert _same(results["again"], _alone(model, tok, ids, settings, 3))
    assert _same(results["short"], _alone(model, tok, short, settings, 4))
    assert _same(results["hotter"], _alone(model, tok, ids, settings.replace(temperature=1.1), 5))
    assert _same(results["first"], _alone(model, tok, ids, settings, 0))


def test_an_error_reaches_every_request_of_the_batch_and_the_group_goes_on(peaky_model, prompts):
    model, tok = peaky_model
    ids, _, _ = prompts
    batcher = Batcher(window=0)
    with pytest.raises(Exception):
        batcher.run(model, tok, ids, DecodingSettings(max_new_tokens=5), 1, top_n=10**6)  # top-10⁶ of a 50 257 vocabulary
    assert batcher.waiting() == 0
    again = batcher.run(model, tok, ids, DecodingSettings(max_new_tokens=5), 1, top_n=5)
    assert _same(again, _alone(model, tok, ids, DecodingSettings(max_new_tokens=5), 1))


def test_generate_calls_at_once_are_bounded_and_requests_join_the_waiting_ones(peaky_model, prompts):
    """With one call allowed, a group whose call must wait gathers the requests that come meanwhile."""
    model, tok = peaky_model
    ids, _, short = prompts
    settings = DecodingSettings(max_new_tokens=6, **KNOBS)
    batcher = Batcher(window=0, max_calls=1)
    blocker, results = _Blocker(), {}

    def run(name, context, seed, streamer=None):
        results[name] = batcher.run(model, tok, list(context), settings, seed, top_n=5, streamer=streamer)

    threads = [threading.Thread(target=run, args=("first", ids, 0), kwargs=dict(streamer=blocker))]
    threads[0].start()
    assert blocker.holding.wait(60)
    for k in (1, 2):  # another group (a shorter prompt): waits for the call, the second one with the first
        threads.append(threading.Thread(target=run, args=(f"short{k}", short, k)))
        threads[-1].start()
        _wait_for(lambda: batcher.waiting() == k, f"{k} waiting")
    blocker.release.set()
    for t in threads:
        t.join(60)
    assert batcher.batches == [1, 2] and batcher.waiting() == 0
    assert _same(results["short2"], _alone(model, tok, short, settings, 2, top_n=5))
