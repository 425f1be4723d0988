"""Step records: what `generate` returned, turned into one record per generated token (its probability,
raw probability, entropy and alternatives), and the stopping criteria and checks every generate call shares.

Records come from the scores and logits `generate` returns with `output_scores` / `output_logits`: no second
forward pass. `playground.batching` (one generate call for one or several requests) and
`playground.generation` (the functions the UI and CLI call) both build on this module.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from transformers import LogitsProcessor, StoppingCriteria, StopStringCriteria

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

from playground.decoding import TokenProb, token_texts
from playground.errors import PlaygroundError
from playground.models import NON_FINITE_OUTPUT

DECODE = dict(skip_special_tokens=True, clean_up_tokenization_spaces=False)


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


class Cancelled(StoppingCriteria):
    """Stops every row once any of the events is set (the Stop button, or a stop text while streaming)."""

    def __init__(self, *events: threading.Event):
        self.events = [e for e in events if e is not None]

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        done = any(e.is_set() for e in self.events)
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


class StopTexts(StoppingCriteria):
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


class Finite(LogitsProcessor):
    """Refuses a step whose processed scores hold a NaN or +inf in some row (a broken model): sampling
    from them would crash inside generate, and greedy would silently pick token 0."""

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if not torch.isfinite(scores.amax(-1)).all():  # amax propagates NaN; -inf alone is a filtered token
            raise PlaygroundError(NON_FINITE_OUTPUT)
        return scores


# --------------------------------------------------------------------------- records


def records(model, out, tokenizer, prompt_len: int, stops: tuple[str, ...], top_n: int) -> list[SequenceResult]:
    """Each sequence, ended and cut (`_finish`), with its step records."""
    return [finish(tokenizer, ids, steps, stops) for ids, steps in step_records(model, out, tokenizer, prompt_len, top_n)]


@torch.inference_mode()
def step_records(model, out, tokenizer, prompt_len: int, top_n: int, chunk_rows: int = 64) -> list[tuple[list[int], list[Step]]]:
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


def finish(tokenizer, ids: list[int], steps: list[Step], stops: tuple[str, ...]) -> SequenceResult:
    """End a sequence at its first <|endoftext|> (kept: the model chose to stop; later ones are padding)
    and at the first stop text (the text is cut there; tokens that start after it are dropped)."""
    eos = tokenizer.eos_token_id
    if eos in ids:
        ids = ids[: ids.index(eos) + 1]
    text = tokenizer.decode(ids, **DECODE)
    cut = first_stop(text, stops)
    if cut is not None:
        text = text[:cut]
        # Keep the tokens that start before the cut; the last one may run into the stop text.
        keep = sum(1 for k in range(len(ids)) if len(tokenizer.decode(ids[:k], **DECODE)) < cut)
        ids = ids[:keep]
    return SequenceResult(text, ids, steps[: len(ids)])
