"""Batching: runs that arrive together, for the same model and knobs, share one `generate` call.

On a CPU one generation already keeps every core busy, so requests that overlap only take turns. What a
batch saves is the work done once per step whatever the rows: reading the weights (the 256 x 50 257
output layer of a small GPT-2 is most of them) and generate's Python overhead. So a `Batcher` merges
requests that share the model, the tokenizer, every knob but the seed, stop texts and number of sequences,
and the prompt length (see `run_batch` for why lengths must match) into one call:

    batcher.run(model, tokenizer, context_ids, settings, seed, top_n=…, streamer=…, events=…)

is `run_one`'s signature, so `generate(..., batcher=b)` and `stream(..., batcher=b)` use it. No
thread of its own: the first caller of a group waits a moment for company (while others keep coming, a
few tens of milliseconds), then runs the batch for everyone that is waiting (up to `max_rows` rows);
callers that arrive meanwhile wait, and when the batch ends one of them runs the next. Each request keeps
its own generator, stop texts, stop events and streamer, so it gets the ids and text it gets alone. A
request whose rows end early (a stop text, Stop, <|endoftext|>) ends its stream at once; its step records
come when the batch's generate returns. Beam search runs alone, unbatched. At most `max_calls` generate
calls run at once (batches of different groups, beam searches), each of at most `max_row_tokens` rows x
new tokens: the memory the app allowed before batching (4 requests at once, each up to 8 x 512).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import torch
from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

from playground.decoding import generation_config, logits_processors
from playground.knobs import DecodingSettings
from playground.records import Cancelled, Finite, SequenceResult, StopTexts, finish, records, step_records


# --------------------------------------------------------------------------- one generate call


class Draw(LogitsProcessor):
    """Sampling with each request's own generator: the last processor draws each row's next token exactly
    as generate would (`torch.multinomial(softmax(scores), 1)`), but each request's rows (a slice of the
    batch) from that request's generator, and hands generate scores that leave it no choice (0 for the drawn
    token, -inf for the rest). The scores it was given are kept in `scores`: they are what the step records
    describe.

    multinomial draws one sample as argmax(probs / q), q ~ Exp(1) drawn from the generator (ATen's fast
    path; tests/test_batching.py checks it against multinomial itself). Here only q is drawn request by
    request, from each request's generator, the same number of draws in the same order as alone; the rest
    runs once for the batch (multinomial's checks are Finite's)."""

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


class Rows(StoppingCriteria):
    """The batch's rows, request by request: a stopping criterion that ends a request's rows only (its stop
    event or stop text), and the streamer generate feeds, which hands each request its own row's tokens.

    A request is over once all its rows are: stopped here, or ended by <|endoftext|> (generate then pads
    them). `lengths` keeps how many tokens it had then, which is where the same request alone would have
    ended (generate runs until every row is over); its streamer ends right after that last token."""

    def __init__(self, tokenizer, requests: list[Request], slices: list[slice], prompt_len: int):
        self.requests, self.slices, self.prompt_len = requests, slices, prompt_len
        self.texts = [StopTexts(tokenizer, r.stops, prompt_len) if r.stops else None for r in requests]
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


def run_one(model, tokenizer, context_ids: list[int], settings: DecodingSettings, seed: int, *, top_n: int,
            streamer=None, events: tuple = ()) -> list[SequenceResult]:
    """One request: beam search on its own, everything else as a batch of one (`run_batch`)."""
    rows = settings.num_return_sequences
    if settings.num_beams == 1:
        request = Request(context_ids, seed, rows, settings.stops, events, streamer)
        return run_batch(model, tokenizer, settings, [request], top_n=top_n)[0]
    criteria = StoppingCriteriaList([Cancelled(*events)])
    if settings.stops:
        criteria.append(StopTexts(tokenizer, settings.stops, len(context_ids)))
    ids = torch.tensor([context_ids], device=model.device)
    out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=generation_config(settings, tokenizer),
                         logits_processor=LogitsProcessorList([Finite()]), stopping_criteria=criteria, streamer=streamer)
    return records(model, out, tokenizer, len(context_ids), settings.stops, top_n)


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
    processors.append(Finite())
    draw = None
    if settings.sampling:
        draw = Draw([(rows, torch.Generator(device=model.device).manual_seed(r.seed)) for r, rows in zip(requests, slices)])
        processors.append(draw)
    off = dict(temperature=0.0, repetition_penalty=1.0, no_repeat_ngram_size=0, num_return_sequences=1)
    config = generation_config(settings.replace(**off), tokenizer)
    batch = Rows(tokenizer, requests, slices, prompt_len)
    streamed = any(r.streamer is not None for r in requests)
    out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=config, logits_processor=processors,
                         stopping_criteria=StoppingCriteriaList([batch]), streamer=batch if streamed else None)
    if draw is not None:
        out.scores = tuple(draw.scores)  # what each token was drawn from, not the no-choice scores generate saw
    # The records of all rows at once (a few large tensor operations rather than many small ones), then each
    # request's rows, ended where the request ended.
    rows_steps = step_records(model, out, tokenizer, prompt_len, top_n)
    return [[finish(tokenizer, ids[:length], steps[:length], r.stops) for ids, steps in rows_steps[rows]]
            for r, rows, length in zip(requests, slices, batch.lengths)]


# --------------------------------------------------------------------------- the batcher


# The first of a group waits for company until none has come for WINDOW_S, and at most MAX_WAIT_S: people
# who press Generate together reach the server spread over a few tens of milliseconds, and a batch that
# starts without them makes them wait for all of it. Neither delay is one a person notices.
WINDOW_S = 0.03
MAX_WAIT_S = 0.2
MAX_ROWS = 32  # rows per generate call
# Rows x new tokens per call: each row keeps ~0.6 MB of scores and logits per token (GPT-2's vocabulary), so
# a call holds at most what one request of 8 sequences x 512 tokens holds alone (~2.5 GB).
MAX_ROW_TOKENS = 8 * 512
MAX_CALLS = 4  # generate calls at once (batches of different groups, beam searches): bounds memory the same way


@dataclass(eq=False)
class _Waiting:
    request: Request
    turn: threading.Event = field(default_factory=threading.Event)  # set: its result is in, or it runs next
    sequences: list[SequenceResult] | None = None
    error: BaseException | None = None


@dataclass(eq=False)
class _Group:
    waiting: list[_Waiting] = field(default_factory=list)
    busy: bool = False  # some caller is running (or gathering) this group's batch


class Batcher:
    """Merges concurrent generations of one model with the same knobs into one generate call."""

    def __init__(self, *, window: float = WINDOW_S, max_wait: float = MAX_WAIT_S, max_rows: int = MAX_ROWS,
                 max_row_tokens: int = MAX_ROW_TOKENS, max_calls: int = MAX_CALLS):
        self.window, self.max_wait, self.max_rows, self.max_row_tokens = window, max_wait, max_rows, max_row_tokens
        self._calls = threading.Semaphore(max_calls)
        self._lock = threading.Lock()
        self._groups: dict[tuple, _Group] = {}
        self.batches: list[int] = []  # requests per generate call so far (the last 1 000), for tests and benchmarks

    def run(self, model, tokenizer, context_ids: list[int], settings: DecodingSettings, seed: int, *, top_n: int,
            streamer=None, events: tuple = ()) -> list[SequenceResult]:
        if settings.num_beams > 1:
            with self._calls:
                return run_one(model, tokenizer, context_ids, settings, seed, top_n=top_n, streamer=streamer, events=events)
        shared = settings.replace(seed=None, stops=(), num_return_sequences=1)
        # Objects, not ids, in the key: a model freed and another loaded at its address must not share a group.
        key = (model, tokenizer, shared, top_n, len(context_ids))
        me = _Waiting(Request(context_ids, seed, settings.num_return_sequences, settings.stops, events, streamer))
        with self._lock:
            group = self._groups.setdefault(key, _Group())
            group.waiting.append(me)
            first, group.busy = not group.busy, True
        if not first:
            me.turn.wait()
        if me.sequences is None and me.error is None:  # our turn to run a batch
            if first and self.window > 0:
                self._gather(group)
            self._run_next(key, group, model, tokenizer, shared, top_n)
        if me.error is not None:
            raise me.error
        return me.sequences

    def _gather(self, group: _Group) -> None:
        """Let the others pressing Generate now join: wait while they keep coming (see WINDOW_S)."""
        deadline, seen = time.monotonic() + self.max_wait, 0
        while True:
            with self._lock:
                now, rows = len(group.waiting), sum(w.request.rows for w in group.waiting)
            if now == seen or rows >= self.max_rows or time.monotonic() >= deadline:
                return
            seen = now
            time.sleep(min(self.window, max(0.0, deadline - time.monotonic())))

    def waiting(self) -> int:
        """Requests waiting for a batch (not counting those in a running one)."""
        with self._lock:
            return sum(len(g.waiting) for g in self._groups.values())

    def _run_next(self, key, group: _Group, model, tokenizer, settings: DecodingSettings, top_n: int) -> None:
        """Run the group's oldest waiting requests (the caller's own first) as one batch, then hand the
        group to the next waiting caller, if any. Requests that come while it waits for a free call join it."""
        self._calls.acquire()
        with self._lock:
            batch, rows = [], 0
            for w in group.waiting:
                more = rows + w.request.rows
                if batch and (more > self.max_rows or more * settings.max_new_tokens > self.max_row_tokens):
                    break
                batch.append(w)
                rows = more
            del group.waiting[: len(batch)]
            self.batches = self.batches[-999:] + [len(batch)]
        try:
            results = run_batch(model, tokenizer, settings, [w.request for w in batch], top_n=top_n)
            for w, sequences in zip(batch, results):
                w.sequences = sequences
        except BaseException as e:  # every request of the batch hears of it
            for w in batch:
                w.error = e
        finally:
            self._calls.release()
            with self._lock:
                if group.waiting:
                    group.waiting[0].turn.set()  # it runs the next batch
                else:
                    group.busy = False
                    del self._groups[key]
            for w in batch:
                w.turn.set()


BATCHER = Batcher()  # the app's: every session shares its models, so they share the batches too
