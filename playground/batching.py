"""Batching: runs that arrive together, for the same model and knobs, share one `generate` call.

On a CPU one generation already keeps every core busy, so requests that overlap only take turns. What a
batch saves is the work done once per step whatever the rows: reading the weights (the 256 x 50 257
output layer of a small GPT-2 is most of them) and generate's Python overhead. So a `Batcher` merges
requests that share the model, the tokenizer, every knob but the seed, stop texts and number of sequences,
and the prompt length (see `generation.run_batch` for why lengths must match) into one call:

    batcher.run(model, tokenizer, context_ids, settings, seed, top_n=…, streamer=…, events=…)

is `generation._run`'s signature, so `generate(..., batcher=b)` and `stream(..., batcher=b)` use it. No
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

from playground.generation import Request, SequenceResult, _run, run_batch
from playground.knobs import DecodingSettings

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
                return _run(model, tokenizer, context_ids, settings, seed, top_n=top_n, streamer=streamer, events=events)
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
