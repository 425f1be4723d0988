"""Text generation on transformers' own `generate`, with a record of every step.

The UI calls three functions (strategy comparison is `playground.compare`):

    generate(model, tokenizer, prompt, settings)   -> GenerationResult
    stream(model, tokenizer, prompt, settings)      -> GenerationStream  (iterate for text pieces, then .result)
    branch(model, tokenizer, result, settings, position=…, token_id=…) -> GenerationResult

Step records (probability, raw probability, entropy, alternatives) come from the scores and logits
`generate` returns with `output_scores` / `output_logits`: no second forward pass. The same seed and
knobs give exactly the token ids of `torch.manual_seed(seed); model.generate(...)` (tests/test_generation.py).

Runs may overlap (the app serves several users at once), so none touches torch's process-wide generator:
a sampling run draws each token from its own `torch.Generator` seeded with the run's seed (`_Draw`, after
all of generate's own processors) as `generate` would, and generate then runs greedy over the decided
scores. The ids are those of the plain seeded run, and no run's draws depend on another's. That also lets
several runs with the same knobs share one generate call (`run_batch`; `playground.batching` merges the
app's concurrent requests): each request's rows are drawn from its own generator.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

import torch
from transformers import (
    LogitsProcessor,
    LogitsProcessorList,
    StoppingCriteria,
    StoppingCriteriaList,
    StopStringCriteria,
    TextIteratorStreamer,
)

if TYPE_CHECKING:  # importing PreTrainedModel loads all of modeling_utils (seconds): type hints only
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from playground.batching import Batcher

from playground.decoding import (
    TokenProb,
    context_size,
    encode_prompt,
    final_distribution,
    generation_config,
    logits_processors,
    token_texts,
)
from playground.errors import PlaygroundError
from playground.knobs import DecodingSettings, resolve_seed
from playground.models import NON_FINITE_OUTPUT

_DECODE = dict(skip_special_tokens=True, clean_up_tokenization_spaces=False)


@dataclass
class Step:
    """One generated token and what the model thought of it."""

    token: str
    id: int
    prob: float  # under the final (processed) distribution it was picked from
    raw_prob: float  # under the model's raw softmax
    entropy: float  # nats, of the final distribution
    top: list[TokenProb]  # the final distribution's top-N, highest first
    raw_logprob: float = field(repr=False)  # log raw_prob (nats), kept unrounded for Compare; not in the JSON

    def to_dict(self) -> dict:
        return {"token": self.token, "id": self.id, "prob": self.prob, "raw_prob": self.raw_prob,
                "entropy": self.entropy, "top": [t.to_dict() for t in self.top]}


@dataclass
class SequenceResult:
    text: str  # the continuation only, cut at the first stop text
    token_ids: list[int]  # generated ids only
    steps: list[Step]  # one per token id

    def to_dict(self) -> dict:
        return {"text": self.text, "token_ids": self.token_ids, "steps": [s.to_dict() for s in self.steps]}


@dataclass
class GenerationResult:
    sequences: list[SequenceResult]
    prompt_ids: list[int]  # the context actually used (after shortening, or <|endoftext|> for "")
    seed: int  # the seed used, so the run can be repeated
    notice: str | None = None  # e.g. the prompt was shortened to fit the context
    cancelled: bool = False

    def to_dict(self) -> dict:
        return {"sequences": [s.to_dict() for s in self.sequences]}


# --------------------------------------------------------------------------- stopping


class _Cancelled(StoppingCriteria):
    """Stops every row once any of the events is set (the Stop button, or a stop text while streaming)."""

    def __init__(self, *events: threading.Event):
        self.events = [e for e in events if e is not None]

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        done = any(e.is_set() for e in self.events)
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


class _StopTexts(StoppingCriteria):
    """Stops a row once its generated tokens contain a stop text; the text is cut there afterwards.

    transformers' StopStringCriteria does the matching (a stop text may start or end inside a token, or
    span several), on the generated tokens only: generate's own `stop_strings` would also stop on a stop
    text that begins in the prompt and ends in the first new token, cutting nothing from the text.
    """

    def __init__(self, tokenizer: PreTrainedTokenizerBase, stops: tuple[str, ...], prompt_len: int):
        self.match, self.prompt_len = _stop_string_criteria(tokenizer, stops), prompt_len

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        return self.match(input_ids[:, self.prompt_len :], scores)


_STOP_MATCHERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tokenizer -> {stops: criteria}
_STOP_MATCHERS_LOCK = threading.Lock()


def _stop_string_criteria(tokenizer: PreTrainedTokenizerBase, stops: tuple[str, ...]) -> StopStringCriteria:
    """StopStringCriteria for these stop texts, built once per tokenizer: building one reads the whole
    vocabulary (~0.3 s for GPT-2's), and a user repeats the same stop texts run after run."""
    with _STOP_MATCHERS_LOCK:
        built = _STOP_MATCHERS.setdefault(tokenizer, {})
        if stops not in built:
            if len(built) >= 8:
                built.pop(next(iter(built)))  # the oldest
            built[stops] = StopStringCriteria(tokenizer, list(stops))
        return built[stops]


def first_stop(text: str, stops: tuple[str, ...]) -> int | None:
    """Index of the earliest occurrence of any stop text, or None."""
    hits = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(hits) if hits else None


# --------------------------------------------------------------------------- token choice


class _Finite(LogitsProcessor):
    """Refuses a step whose processed scores hold a NaN or +inf in some row (a broken model): sampling
    from them would crash inside generate, and greedy would silently pick token 0."""

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if not torch.isfinite(scores.amax(-1)).all():  # amax propagates NaN; -inf alone is a filtered token
            raise PlaygroundError(NON_FINITE_OUTPUT)
        return scores


class _Draw(LogitsProcessor):
    """Sampling with each request's own generator: the last processor draws each row's next token exactly
    as generate would (`torch.multinomial(softmax(scores), 1)`), but each request's rows (a slice of the
    batch) from that request's generator, and hands generate scores that leave it no choice (0 for the drawn
    token, -inf for the rest). The scores it was given are kept in `scores`: they are what the step records
    describe.

    multinomial draws one sample as argmax(probs / q), q ~ Exp(1) drawn from the generator (ATen's fast
    path; tests/test_batching.py checks it against multinomial itself). Here only q is drawn request by
    request, from each request's generator, the same number of draws in the same order as alone; the rest
    runs once for the batch (multinomial's checks are _Finite's)."""

    def __init__(self, parts: list[tuple[slice, torch.Generator]]):
        self.parts = parts
        self.scores: list[torch.FloatTensor] = []

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        self.scores.append(scores)
        probs = torch.softmax(scores, dim=-1)
        q = torch.empty_like(probs)
        for rows, generator in self.parts:
            q[rows].exponential_(1, generator=generator)
        drawn = (probs / q).argmax(-1, keepdim=True)  # (R, 1)
        return torch.full_like(scores, float("-inf")).scatter_(1, drawn, 0.0)


# --------------------------------------------------------------------------- the engine


@dataclass(eq=False)
class Request:
    """One caller's part of a batched generate call: its prompt, seed, number of rows (returned sequences),
    stop texts, stop events, and the streamer that hears its one row's tokens (None: not streamed)."""

    context: list[int]
    seed: int
    rows: int = 1
    stops: tuple[str, ...] = ()
    events: tuple = ()
    streamer: object | None = None


class _Rows(StoppingCriteria):
    """The batch's rows, request by request: a stopping criterion that ends a request's rows only (its stop
    event or stop text), and the streamer generate feeds, which hands each request its own row's tokens.

    A request is over once all its rows are: stopped here, or ended by <|endoftext|> (generate then pads
    them). `lengths` keeps how many tokens it had then, which is where the same request alone would have
    ended (generate runs until every row is over); its streamer ends right after that last token."""

    def __init__(self, tokenizer, requests: list[Request], slices: list[slice], prompt_len: int):
        self.requests, self.slices, self.prompt_len = requests, slices, prompt_len
        self.texts = [_StopTexts(tokenizer, r.stops, prompt_len) if r.stops else None for r in requests]
        self.eos = tokenizer.eos_token_id
        self.done: torch.BoolTensor | None = None  # (rows,) over: stopped here or by <|endoftext|>
        self.lengths: list[int | None] = [None] * len(requests)
        self.streaming = [r.streamer is not None for r in requests]

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        stop = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
        for k, (request, rows, texts) in enumerate(zip(self.requests, self.slices, self.texts)):
            if self.lengths[k] is not None or any(e is not None and e.is_set() for e in request.events):
                stop[rows] = True
            elif texts is not None:
                stop[rows] = texts(input_ids[rows], scores)
        over = stop | (input_ids[:, -1] == self.eos)
        self.done = over if self.done is None else self.done | over
        for k, rows in enumerate(self.slices):
            if self.lengths[k] is None and bool(self.done[rows].all()):
                self.lengths[k] = input_ids.shape[1] - self.prompt_len
        return stop

    def put(self, value: torch.Tensor) -> None:  # the prompts (rows, P) first, then each step's tokens (rows,)
        for k, (request, rows) in enumerate(zip(self.requests, self.slices)):
            if self.streaming[k]:
                request.streamer.put(value[rows])
                if self.lengths[k] is not None:  # that was its last token
                    self.streaming[k] = False
                    request.streamer.end()

    def end(self) -> None:
        for k, request in enumerate(self.requests):
            if self.streaming[k]:
                self.streaming[k] = False
                request.streamer.end()


def _run(model, tokenizer, context_ids: list[int], settings: DecodingSettings, seed: int, *, top_n: int,
         streamer=None, events: tuple = ()) -> list[SequenceResult]:
    """One request: beam search on its own, everything else as a batch of one (`run_batch`)."""
    rows = settings.num_return_sequences
    if settings.num_beams == 1:
        request = Request(context_ids, seed, rows, settings.stops, events, streamer)
        return run_batch(model, tokenizer, settings, [request], top_n=top_n)[0]
    criteria = StoppingCriteriaList([_Cancelled(*events)])
    if settings.stops:
        criteria.append(_StopTexts(tokenizer, settings.stops, len(context_ids)))
    ids = torch.tensor([context_ids], device=model.device)
    out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=generation_config(settings, tokenizer),
                         logits_processor=LogitsProcessorList([_Finite()]), stopping_criteria=criteria, streamer=streamer)
    return _records(model, out, tokenizer, len(context_ids), settings.stops, top_n)


def run_batch(model, tokenizer, settings: DecodingSettings, requests: list[Request], *, top_n: int) -> list[list[SequenceResult]]:
    """Sampling or greedy (one beam) for several requests as ONE generate call: the requests share the model,
    the knobs in `settings` (all but seed, stop texts and rows: each request's own) and their prompt length;
    each gets its own sequences, with step records.

    Prompts of one length only, so that no row is padded. Even so a row's logits may differ from its run
    alone in the last bits: BLAS picks its matrix-product kernel by the number of rows (~2e-7 here; plain
    generate does the same between batch sizes). A left-padded row differs by ~1e-6, and repetition penalty and
    no-repeat n-grams would see its pads. A drawn token changes only if its draw lands that close to a
    boundary between tokens: the tests and a check of 200 seeded runs found the same ids batched and alone.
    """
    prompt_len = len(requests[0].context)
    if any(len(r.context) != prompt_len for r in requests):
        raise ValueError("a batch's prompts must have one length")
    slices, start = [], 0
    for r in requests:
        slices.append(slice(start, start + r.rows))
        start += r.rows
    ids = torch.tensor([r.context for r in requests for _ in range(r.rows)], device=model.device)
    # generate would draw from torch's process-wide generator, which overlapping runs share. Instead it runs
    # greedy over scores already decided: every processor it would apply, in its order (built by its own
    # _get_logits_processor), then our draw. A fresh generator seeded with a request's seed draws exactly
    # what the default one draws after torch.manual_seed(seed). The processors work row by row (no padding),
    # so one pass over the batch is each request's pass alone.
    processors = logits_processors(model, tokenizer, settings.replace(num_return_sequences=1), prompt_len)
    processors.append(_Finite())
    draw = None
    if settings.sampling:
        draw = _Draw([(rows, torch.Generator(device=model.device).manual_seed(r.seed)) for r, rows in zip(requests, slices)])
        processors.append(draw)
    off = dict(temperature=0.0, repetition_penalty=1.0, no_repeat_ngram_size=0, num_return_sequences=1)
    config = generation_config(settings.replace(**off), tokenizer)
    batch = _Rows(tokenizer, requests, slices, prompt_len)
    streamed = any(r.streamer is not None for r in requests)
    out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=config, logits_processor=processors,
                         stopping_criteria=StoppingCriteriaList([batch]), streamer=batch if streamed else None)
    if draw is not None:
        out.scores = tuple(draw.scores)  # what each token was drawn from, not the no-choice scores generate saw
    # The records of all rows at once (a few large tensor operations rather than many small ones), then each
    # request's rows, ended where the request ended.
    rows_steps = _steps(model, out, tokenizer, prompt_len, top_n)
    return [[_finish(tokenizer, ids[:length], steps[:length], r.stops) for ids, steps in rows_steps[rows]]
            for r, rows, length in zip(requests, slices, batch.lengths)]


def _records(model, out, tokenizer, prompt_len: int, stops: tuple[str, ...], top_n: int) -> list[SequenceResult]:
    """Each sequence, ended and cut (`_finish`), with its step records."""
    return [_finish(tokenizer, ids, steps, stops) for ids, steps in _steps(model, out, tokenizer, prompt_len, top_n)]


@torch.inference_mode()
def _steps(model, out, tokenizer, prompt_len: int, top_n: int, chunk_rows: int = 64) -> list[tuple[list[int], list[Step]]]:
    """Each row's generated ids and step records, from generate's own scores (processed) and logits (raw)."""
    gen = out.sequences[:, prompt_len:]  # (R, T)
    R, T = gen.shape
    if T == 0:
        return [([], []) for _ in range(R)]
    chunk = max(1, chunk_rows // R)
    # Beam search keeps one score row per beam; beam_indices says which beam each token came from (-1 after
    # a beam's end: those positions follow its <|endoftext|> and are dropped by _finish).
    beams = out.beam_indices[:, :T].clamp(min=0) if getattr(out, "beam_indices", None) is not None else None
    rows = beams if beams is not None else torch.arange(R, device=gen.device)[:, None].expand(R, T)
    probs_l, raw_l, ent_l, topv_l, topi_l = [], [], [], [], []
    for t0 in range(0, T, chunk):  # chunks bound the extra memory to `chunk_rows` rows' distributions
        t1 = min(T, t0 + chunk)
        # The chosen tokens' log-probabilities by generate's own bookkeeping (beams included), under the
        # distribution each was picked from and under the model's raw softmax. Normalised here, row by row:
        # compute_transition_scores' own normalize_logits runs log_softmax across a transposed stack (slow).
        seqs, b = out.sequences[:, : prompt_len + t1], None if beams is None else beams[:, t0:t1]
        for source, into in ((out.scores, probs_l), (out.logits, raw_l)):
            logp = [torch.log_softmax(x.float(), -1) for x in source[t0:t1]]
            into.append(model.compute_transition_scores(seqs, logp, b))  # (R, t)
        # Entropy and the alternatives need each token's whole distribution: its beam's score row.
        steps = torch.arange(t0, t1, device=gen.device)[:, None]
        final = torch.softmax(torch.stack(out.scores[t0:t1])[steps - t0, rows[:, t0:t1].T].float(), -1)  # (t, R, V)
        ent_l.append(torch.special.entr(final).sum(-1).T)
        v, i = final.topk(top_n, dim=-1)
        topv_l.append(v)
        topi_l.append(i)
    raw_logp = torch.cat(raw_l, dim=1)  # (R, T)
    prob, entropy = torch.cat(probs_l, dim=1).exp().tolist(), torch.cat(ent_l, dim=1).tolist()
    raw_prob, raw_logprob = raw_logp.exp().tolist(), raw_logp.tolist()
    topv, topi = torch.cat(topv_l).transpose(0, 1).tolist(), torch.cat(topi_l).transpose(0, 1).tolist()  # (R, T, N)
    gen_ids = gen.tolist()
    vocab = sorted({i for row in gen_ids for i in row} | {i for row in topi for step in row for i in step})
    text_of = dict(zip(vocab, token_texts(tokenizer, vocab)))

    return [
        (gen_ids[r], [Step(text_of[tok], tok, prob[r][t], raw_prob[r][t], entropy[r][t],
                           [TokenProb(text_of[i], i, p) for i, p in zip(topi[r][t], topv[r][t]) if p > 0], raw_logprob[r][t])
                      for t, tok in enumerate(gen_ids[r])])
        for r in range(R)
    ]


def _finish(tokenizer, ids: list[int], steps: list[Step], stops: tuple[str, ...]) -> SequenceResult:
    """End a sequence at its first <|endoftext|> (kept: the model chose to stop; later ones are padding)
    and at the first stop text (the text is cut there; tokens that start after it are dropped)."""
    eos = tokenizer.eos_token_id
    if eos in ids:
        ids = ids[: ids.index(eos) + 1]
    text = tokenizer.decode(ids, **_DECODE)
    cut = first_stop(text, stops)
    if cut is not None:
        text = text[:cut]
        # Keep the tokens that start before the cut; the last one may run into the stop text.
        keep = sum(1 for k in range(len(ids)) if len(tokenizer.decode(ids[:k], **_DECODE)) < cut)
        ids = ids[:keep]
    return SequenceResult(text, ids, steps[: len(ids)])


def _prepare(model, tokenizer, prompt: str | list[int], settings: DecodingSettings) -> tuple[list[int], str | None]:
    room = context_size(model) - settings.max_new_tokens
    if room < 1:
        raise PlaygroundError(
            f"{settings.max_new_tokens} new tokens leave no room for a prompt in this model's "
            f"{context_size(model)}-token context; ask for fewer new tokens."
        )
    return encode_prompt(tokenizer, prompt, room)


def generate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    settings: DecodingSettings,
    *,
    top_n: int = 10,
    stop_event: threading.Event | None = None,
    batcher: Batcher | None = None,
) -> GenerationResult:
    """Generate `settings.num_return_sequences` continuations of `prompt`, with step records.

    Setting `stop_event` (from another thread) ends generation after the current token. With a `batcher`
    (`playground.batching`), the run may share one generate call with other callers' runs: the same ids.
    """
    context, notice = _prepare(model, tokenizer, prompt, settings)
    seed = resolve_seed(settings.seed)
    run = batcher.run if batcher is not None else _run
    sequences = run(model, tokenizer, context, settings, seed, top_n=top_n, events=(stop_event,))
    return GenerationResult(sequences, context, seed, notice, cancelled=bool(stop_event and stop_event.is_set()))


class GenerationStream:
    """Iterate to receive the continuation in pieces as it is generated; afterwards `result` holds the
    full GenerationResult with step records. Closing the iterator early (or setting `stop_event`)
    stops generation after the current token."""

    def __init__(self, model, tokenizer, prompt: str, settings: DecodingSettings, top_n: int, stop_event,
                 batcher: Batcher | None = None):
        if settings.num_beams > 1 or settings.num_return_sequences > 1:
            raise PlaygroundError("Streaming shows one sequence as it is sampled: use 1 beam and 1 returned sequence, or generate without streaming.")
        self.settings, self.stop_event = settings, stop_event
        self.context, self.notice = _prepare(model, tokenizer, prompt, settings)
        self.seed = resolve_seed(settings.seed)
        self.result: GenerationResult | None = None
        self._run = batcher.run if batcher is not None else _run
        self._halt = threading.Event()  # our own stop: a stop text appeared, or the reader went away
        self._error: BaseException | None = None
        self._streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, **_DECODE)
        self._thread = threading.Thread(target=self._work, args=(model, tokenizer, top_n), daemon=True)

    def _work(self, model, tokenizer, top_n: int) -> None:
        try:
            seqs = self._run(model, tokenizer, self.context, self.settings, self.seed, top_n=top_n,
                             streamer=self._streamer, events=(self.stop_event, self._halt))
            cancelled = bool(self.stop_event and self.stop_event.is_set())
            self.result = GenerationResult(seqs, self.context, self.seed, self.notice, cancelled)
        except BaseException as e:  # re-raised in the reader's thread
            self._error = e
            self._streamer.end()  # unblock the reader

    def __iter__(self) -> Iterator[str]:
        stops = self.settings.stops
        hold = max((len(s) for s in stops), default=1) - 1  # text that may be the start of a stop text
        buffer, sent, stopped = "", 0, False
        self._thread.start()
        try:
            for piece in self._streamer:
                if stopped:
                    continue  # drain until generate notices the halt
                buffer += piece
                cut = first_stop(buffer, stops)
                if cut is not None:
                    stopped = True
                    self._halt.set()
                    if cut > sent:
                        yield buffer[sent:cut]
                    sent = cut
                elif len(buffer) - hold > sent:
                    yield buffer[sent : len(buffer) - hold]
                    sent = len(buffer) - hold
            if not stopped and len(buffer) > sent:
                yield buffer[sent:]
        finally:
            if self._thread.is_alive() and not self.result:
                self._halt.set()  # the reader left early (e.g. the UI cancelled the event)
            self._thread.join()
        if self._error is not None:
            raise self._error


def stream(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    settings: DecodingSettings,
    *,
    top_n: int = 10,
    stop_event: threading.Event | None = None,
    batcher: Batcher | None = None,
) -> GenerationStream:
    """Like `generate`, for one sequence, yielding text as it comes (TextIteratorStreamer + a thread)."""
    return GenerationStream(model, tokenizer, prompt, settings, top_n, stop_event, batcher)


def branch(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    result: GenerationResult,
    settings: DecodingSettings,
    *,
    position: int,
    token_id: int,
    sequence: int = 0,
    top_n: int = 10,
) -> GenerationResult:
    """"Branch from here": keep the first `position` generated tokens of a sequence, put `token_id`
    in place of the token at `position`, and generate the rest (up to the same total length)."""
    if not 0 <= sequence < len(result.sequences):
        raise PlaygroundError(f"There is no sequence {sequence}; the result has {len(result.sequences)}.")
    old = result.sequences[sequence]
    if not 0 <= position <= len(old.token_ids):
        raise PlaygroundError(f"Position {position} is outside the generated text (0 to {len(old.token_ids)}).")
    if not 0 <= token_id < model.config.vocab_size:
        raise PlaygroundError(f"Token id {token_id} is not in this model's vocabulary of {model.config.vocab_size} tokens.")
    prefix = old.token_ids[:position]
    context = result.prompt_ids + prefix
    # The chosen token may lie outside the recorded top-N, so its step is recomputed: one forward pass,
    # through the same processors generate used at this position.
    raw, final = final_distribution(model, tokenizer, context, settings)
    v, i = final.topk(top_n)
    ids = i.tolist()
    step = Step(token_texts(tokenizer, [token_id])[0], token_id, float(final[token_id]), float(raw[token_id]),
                float(torch.special.entr(final).sum()), [TokenProb(t, k, p) for t, k, p in zip(token_texts(tokenizer, ids), ids, v.tolist())],
                float(raw[token_id].log()))
    ids_so_far, steps = prefix + [token_id], old.steps[:position] + [step]
    remaining = settings.max_new_tokens - len(ids_so_far)
    if remaining > 0 and token_id != tokenizer.eos_token_id:
        rest = settings.replace(max_new_tokens=remaining, num_return_sequences=1)
        tail = _run(model, tokenizer, context + [token_id], rest, result.seed, top_n=top_n)[0]
        ids_so_far, steps = ids_so_far + tail.token_ids, steps + tail.steps
    return GenerationResult([_finish(tokenizer, ids_so_far, steps, settings.stops)], result.prompt_ids, result.seed, result.notice)
