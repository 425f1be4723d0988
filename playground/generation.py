"""Text generation on transformers' own `generate`, with a record of every step.

The UI calls three functions (strategy comparison is `playground.compare`):

    generate(model, tokenizer, prompt, settings)   -> GenerationResult
    stream(model, tokenizer, prompt, settings)      -> GenerationStream  (iterate for text pieces, then .result)
    branch(model, tokenizer, result, settings, position=…, token_id=…) -> GenerationResult

Step records (probability, raw probability, entropy, alternatives) come from the scores and logits
`generate` returns with `output_scores` / `output_logits`: no second forward pass. The same seed and
knobs give exactly the token ids of `torch.manual_seed(seed); model.generate(...)` (tests/test_generation.py).

Runs may overlap (the app serves several users at once), so none touches torch's process-wide generator:
a sampling run draws each token from its own `torch.Generator` seeded with the run's seed (`Draw`, after
all of generate's own processors) as `generate` would, and generate then runs greedy over the decided
scores. The ids are those of the plain seeded run, and no run's draws depend on another's. That also lets
several runs with the same knobs share one generate call (`playground.batching.run_batch`; its Batcher merges
the app's concurrent requests): each request's rows are drawn from its own generator.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import torch
from transformers import TextIteratorStreamer

if TYPE_CHECKING:  # importing PreTrainedModel loads all of modeling_utils (seconds): type hints only
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

from playground.batching import Batcher, run_one
from playground.decoding import TokenProb, context_size, encode_prompt, final_distribution, token_texts
from playground.errors import PlaygroundError
from playground.knobs import DecodingSettings, resolve_seed
from playground.records import DECODE, GenerationResult, SequenceResult, Step, finish, first_stop

# Re-exported: callers take the result types from here, with the functions that return them.
__all__ = ["GenerationResult", "GenerationStream", "SequenceResult", "Step", "branch", "generate", "stream"]


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
    run = batcher.run if batcher is not None else run_one
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
        self._run = batcher.run if batcher is not None else run_one
        self._halt = threading.Event()  # our own stop: a stop text appeared, or the reader went away
        self._error: BaseException | None = None
        self._streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, **DECODE)
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
        tail = run_one(model, tokenizer, context + [token_id], rest, result.seed, top_n=top_n)[0]
        ids_so_far, steps = ids_so_far + tail.token_ids, steps + tail.steps
    return GenerationResult([finish(tokenizer, ids_so_far, steps, settings.stops)], result.prompt_ids, result.seed, result.notice)
