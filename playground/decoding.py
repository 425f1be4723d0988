"""How `generate` applies the decoding knobs, and the decoding lab: what each knob does to the
next-token distribution.

The knobs are transformers' own `LogitsProcessor` classes, and the list of them is built by the model's
own `generate` machinery (`generate_setup`), so the distribution shown here is the one `generate`
samples from. In transformers 5.23 `generate` applies them in this order:

    raw logits
      -> RepetitionPenaltyLogitsProcessor   (repetition_penalty != 1)
      -> NoRepeatNGramLogitsProcessor       (no_repeat_ngram_size > 0)
      -- only when sampling (temperature > 0, one beam): --
      -> TemperatureLogitsWarper            (temperature != 1)
      -> TopKLogitsWarper                   (top_k > 0)
      -> TopPLogitsWarper                   (top_p < 1)
      -> MinPLogitsWarper                   (min_p > 0)
      -> TypicalLogitsWarper                (typical_p < 1)
    final: softmax of the processed scores; sampling draws from it, greedy takes its argmax.

Beam search runs the same processors on log-softmaxed logits instead of raw logits.
The knobs themselves (`DecodingSettings`, their limits and validation) live in `playground.knobs`.
Everything here is UI-free: the Gradio tab and the `lab` CLI only format these results.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

import torch
from transformers import GenerationConfig, LogitsProcessorList
from transformers.generation import logits_process as lp

if TYPE_CHECKING:  # importing PreTrainedModel loads all of modeling_utils (seconds): type hints only
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from playground.knobs import DecodingSettings  # imported from playground.knobs, never from here

from playground.values import check_seed, number
from playground.errors import PlaygroundError
from playground.assets import LAB_CONTEXTS  # noqa: F401 - the lab's example contexts, also named here
from playground.knobs import MAX_SAMPLES, MAX_TOP_N, resolve_seed
from playground.memo import SharedResults, one_torch_thread
from playground.models import NON_FINITE_OUTPUT


# Stage names in the order generate applies the processors (see the module docstring).
STAGES = ("raw", "repetition_penalty", "no_repeat_ngram", "temperature", "top_k", "top_p", "min_p", "typical", "final")
_STAGE_OF = {
    lp.RepetitionPenaltyLogitsProcessor: "repetition_penalty",
    lp.NoRepeatNGramLogitsProcessor: "no_repeat_ngram",
    lp.TemperatureLogitsWarper: "temperature",
    lp.TopKLogitsWarper: "top_k",
    lp.TopPLogitsWarper: "top_p",
    lp.MinPLogitsWarper: "min_p",
    lp.TypicalLogitsWarper: "typical",
}


# --------------------------------------------------------------------------- generate's configuration


def generation_config(settings: DecodingSettings, tokenizer: PreTrainedTokenizerBase, *, records: bool = True) -> GenerationConfig:
    """A GenerationConfig with every knob set explicitly.

    Fields left as None would be filled from the model's and transformers' defaults, and the latter
    carries top_k=50: a user who chose top-k 0 must really get no top-k.
    """
    eos = tokenizer.eos_token_id
    sampling_knobs = dict(
        temperature=settings.temperature,
        top_k=settings.top_k,
        top_p=settings.top_p,
        typical_p=settings.typical_p,
        # MinPLogitsWarper is added whenever min_p is not None, so "off" must be None, not 0.
        min_p=settings.min_p or None,
    )
    config = GenerationConfig(
        max_new_tokens=settings.max_new_tokens,
        do_sample=settings.sampling,
        num_beams=settings.num_beams,
        num_return_sequences=settings.num_return_sequences,
        repetition_penalty=settings.repetition_penalty,
        no_repeat_ngram_size=settings.no_repeat_ngram_size,
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,
        return_dict_in_generate=records,
        output_scores=records,
        output_logits=records,
        **(sampling_knobs if settings.sampling else {}),
    )
    # Without sampling the warper knobs stay unset: generate builds no warper when do_sample is False
    # (tests check the processor list), and setting them would only make transformers warn.
    return config


def logits_processors(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, settings: DecodingSettings, context_len: int
) -> LogitsProcessorList:
    """The processor list `generate` itself builds for these settings, in its order, so a new transformers
    release cannot silently reorder the lab."""
    return generate_setup(model, generation_config(settings, tokenizer, records=False), context_len)[1]


def generate_setup(model: PreTrainedModel, config: GenerationConfig, context_len: int) -> tuple[GenerationConfig, LogitsProcessorList]:
    """What `generate` derives from `config` before its first step: the config merged with the model's own
    defaults (special tokens prepared), and the logits processors it will apply, in its order.

    transformers has no public call for either, so this is the one place that takes generate's private
    steps (`_prepare_generation_config`, `_prepare_special_tokens`, `_get_logits_processor`, as of 5.23);
    tests/test_decoding.py checks them against generate itself.
    """
    prepared, _ = model._prepare_generation_config(config)
    # True: we always pass generate an attention mask (it silences the pad == eos warning).
    model._prepare_special_tokens(prepared, True, device=model.device)
    processors = model._get_logits_processor(prepared, input_ids_seq_length=context_len, device=model.device, model_kwargs={})
    return prepared, processors


# --------------------------------------------------------------------------- prompts


def context_size(model: PreTrainedModel) -> int:
    return int(getattr(model.config, "n_positions", None) or model.config.max_position_embeddings)


def encode_prompt(tokenizer: PreTrainedTokenizerBase, prompt: str | list[int], limit: int) -> tuple[list[int], str | None]:
    """Token ids of the prompt and a notice when it had to be shortened.

    An empty prompt starts from <|endoftext|>, the token GPT-2 saw between documents; a prompt
    longer than `limit` keeps its last tokens, the ones that matter for what comes next.
    """
    ids = list(prompt) if isinstance(prompt, list) else tokenizer.encode(prompt, add_special_tokens=False)
    if not ids:
        return [tokenizer.eos_token_id], None
    if len(ids) <= limit:
        return ids, None
    return ids[-limit:], f"The prompt is {len(ids)} tokens long; only its last {limit} were used, to fit the model's context."


def token_texts(tokenizer: PreTrainedTokenizerBase, ids: list[int]) -> list[str]:
    """Each id decoded on its own, as shown on screen (special tokens kept visible)."""
    return tokenizer.batch_decode([[i] for i in ids], skip_special_tokens=False, clean_up_tokenization_spaces=False)


@dataclass
class TokenProb:
    token: str
    id: int
    prob: float

    def to_dict(self) -> dict:
        return {"token": self.token, "id": self.id, "prob": self.prob}


@dataclass
class Stage:
    name: str
    active: bool  # False: generate does not apply this knob with these settings (distribution unchanged)
    kept: int  # tokens with non-zero probability
    top: list[TokenProb]  # the stage's most likely tokens, highest first
    cut: list[TokenProb]  # tokens of the raw top-N that this stage removed (shown with their raw probabilities)
    probs: torch.Tensor = field(repr=False)  # (V,) the full distribution after this stage
    entropy: float = 0.0  # nats; exp(entropy) is the number of "effective choices"
    kept_mass: float = 1.0  # the share of the previous stage's probability on the tokens this stage keeps

    @property
    def effective_choices(self) -> float:
        """exp(entropy): as uncertain as a fair choice among this many tokens."""
        return math.exp(self.entropy)

    def to_dict(self) -> dict:
        return {"name": self.name, "kept": self.kept, "top": [t.to_dict() for t in self.top]}


@dataclass
class TokenCount:
    token: str
    id: int
    count: int
    expected: float

    def to_dict(self) -> dict:
        return {"token": self.token, "id": self.id, "count": self.count, "expected": self.expected}


@dataclass
class Histogram:
    draws: int
    seed: int
    counts: list[TokenCount]  # the most drawn and the likeliest tokens, most drawn first
    other_count: int  # draws that landed on tokens not listed
    other_expected: float
    other_tokens: int = 0  # how many different unlisted tokens were drawn

    def to_dict(self) -> dict:
        return {"draws": self.draws, "counts": [c.to_dict() for c in self.counts]}


@dataclass
class LabResult:
    context_ids: list[int]
    stages: list[Stage]
    final: list[TokenProb]  # top-N of the final distribution, highest first
    histogram: Histogram
    greedy: bool  # True: generate would take the argmax, so every "draw" is the top token
    notice: str | None = None
    logits: torch.Tensor | None = field(default=None, repr=False)  # (V,) raw logits: redraw at any temperature

    @property
    def final_probs(self) -> torch.Tensor:
        return self.stages[-1].probs

    def to_dict(self) -> dict:
        return {
            "stages": [s.to_dict() for s in self.stages],
            "final": [t.to_dict() for t in self.final],
            "histogram": self.histogram.to_dict(),
        }


def _top(tokenizer, probs: torch.Tensor, n: int) -> list[TokenProb]:
    values, ids = probs.topk(min(n, probs.numel()))
    keep = values > 0  # a filtered distribution may have fewer than n tokens left
    ids_list = ids[keep].tolist()
    return [TokenProb(t, i, float(p)) for t, i, p in zip(token_texts(tokenizer, ids_list), ids_list, values[keep].tolist())]


@torch.inference_mode()
def next_token_logits(model: PreTrainedModel, context_ids: list[int]) -> torch.Tensor:
    """(V,) float32 raw logits for the token after `context_ids`: one forward pass."""
    ids = torch.tensor([context_ids], device=model.device)
    logits = model(ids, logits_to_keep=1).logits[0, -1].float()
    if not torch.isfinite(logits).all():
        raise PlaygroundError(NON_FINITE_OUTPUT)
    return logits


def stage_distributions(
    logits: torch.Tensor, context_ids: list[int], processors: LogitsProcessorList, beam: bool = False
) -> list[tuple[str, bool, torch.Tensor]]:
    """(name, active, probs) after every stage, in generate's order; pure given the processors.

    Knobs that are off still get a stage (inactive, distribution unchanged) so a chart keeps its
    layout while the user moves sliders. A processor that comes from the model's own generation
    config (not one of our knobs) gets a stage named after its class, at its place.
    """
    ids = torch.tensor([context_ids], device=logits.device)
    # Beam search hands log-probabilities to the processors; sampling and greedy hand raw logits.
    scores = (torch.log_softmax(logits, -1) if beam else logits)[None]
    out = [("raw", True, torch.softmax(logits, -1))]
    pending = list(STAGES[1:-1])
    for proc in processors:
        scores = proc(ids, scores)
        probs = torch.softmax(scores[0], -1)
        name = _STAGE_OF.get(type(proc))
        if name is None:
            out.append((type(proc).__name__, True, probs))
            continue
        if name not in pending:
            raise RuntimeError(f"transformers applied {type(proc).__name__} out of the order documented in playground.decoding")
        while pending[0] != name:  # knobs generate skipped (turned off) before this one
            out.append((pending.pop(0), False, out[-1][2]))
        pending.pop(0)
        out.append((name, True, probs))
    out += [(name, False, out[-1][2]) for name in pending]
    out.append(("final", True, torch.softmax(scores[0], -1)))
    return out


def final_distribution(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, context_ids: list[int], settings: DecodingSettings
) -> tuple[torch.Tensor, torch.Tensor]:
    """(raw probs, final probs) of the next token: one forward pass plus generate's processors."""
    procs = logits_processors(model, tokenizer, settings, len(context_ids))
    dists = stage_distributions(next_token_logits(model, context_ids), context_ids, procs, beam=settings.num_beams > 1)
    return dists[0][2], dists[-1][2]


@one_torch_thread()
def histogram(probs: torch.Tensor, draws: int, seed: int, tokenizer, top_n: int = 10, greedy: bool = False) -> Histogram:
    """`draws` samples from `probs` in one vectorized call, counted per token beside the expected counts.

    Under greedy decoding nothing is drawn at random: every pick is the argmax.
    """
    draws = number("The number of samples", draws, integer=True, lo=1, hi=MAX_SAMPLES)
    seed = check_seed(seed)
    probs = probs.float().cpu()
    if greedy:
        probs = torch.zeros_like(probs).scatter_(0, probs.argmax()[None], 1.0)
    gen = torch.Generator().manual_seed(seed)
    drawn = torch.multinomial(probs, draws, replacement=True, generator=gen)
    counts = torch.bincount(drawn, minlength=probs.numel())
    expected = probs * draws
    # The tokens the draws actually hit most, then any of the likeliest not among them (they differ only by chance).
    k = min(top_n, probs.numel())
    ids = dict.fromkeys(counts.topk(k).indices.tolist() + probs.topk(k).indices.tolist())
    listed = sorted((i for i in ids if counts[i] > 0 or expected[i] > 0), key=lambda i: (-int(counts[i]), -float(expected[i])))
    texts = token_texts(tokenizer, listed)
    rows = [TokenCount(t, i, int(counts[i]), float(expected[i])) for t, i in zip(texts, listed)]
    listed_count = sum(r.count for r in rows)
    other_tokens = int((counts > 0).sum()) - sum(r.count > 0 for r in rows)
    return Histogram(draws, seed, rows, draws - listed_count, max(0.0, draws - sum(r.expected for r in rows)), other_tokens)


_LABS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> SharedResults of its recent labs
_LABS_LOCK = threading.Lock()
# Recent lab results kept per model: a class's handful of contexts and knobs (each holds a few vocabulary-sized
# tensors: about 1 MB for GPT-2's 50 257 tokens).
LAB_CACHE_SIZE = 16


def lab(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str | list[int],
    settings: DecodingSettings,
    *,
    top_n: int = 10,
    samples: int = 10_000,
) -> LabResult:
    """The next-token distribution after every knob, and a seeded histogram of draws from the final one.

    `prompt` is text or token ids (the step mode passes ids). The histogram uses `settings.seed`
    (a fresh seed, reported in `histogram.seed`, when it is None).

    With a seed the result is a function of its arguments, so identical requests on the same model (a class
    opening one share link) are computed once, also while the first is still running (memo.SharedResults),
    and share one LabResult, which nobody changes. Without a seed every call draws afresh.
    """
    top_n = number("top-n", top_n, integer=True, lo=1, hi=MAX_TOP_N)
    if settings.seed is None:
        return _lab(model, tokenizer, prompt, settings, top_n=top_n, samples=samples)
    with _LABS_LOCK:
        shared = _LABS.setdefault(model, SharedResults(LAB_CACHE_SIZE))
    key = (id(tokenizer), prompt if isinstance(prompt, str) else tuple(prompt), settings, top_n, samples)
    return shared.get(key, lambda: _lab(model, tokenizer, prompt, settings, top_n=top_n, samples=samples))


@one_torch_thread()
def _lab(model, tokenizer, prompt, settings, *, top_n: int, samples: int) -> LabResult:
    context_ids, notice = encode_prompt(tokenizer, prompt, context_size(model))
    logits = next_token_logits(model, context_ids)
    procs = logits_processors(model, tokenizer, settings, len(context_ids))
    dists = stage_distributions(logits, context_ids, procs, beam=settings.num_beams > 1)
    raw_top = _top(tokenizer, dists[0][2], top_n)
    stages, before = [], dists[0][2]
    for name, active, probs in dists:
        cut = [t for t in raw_top if before[t.id] > 0 and probs[t.id] == 0] if name != "final" else []
        # The share of the mass before this stage that it keeps (and renormalises to 1); exactly 1 if it cuts nothing.
        alive = probs > 0
        kept_mass = 1.0 if torch.equal(alive, before > 0) else float(before[alive].sum())
        stages.append(Stage(name, active, int((probs > 0).sum()), _top(tokenizer, probs, top_n), cut, probs,
                            float(torch.special.entr(probs).sum()), kept_mass))
        before = probs
    greedy = not settings.sampling
    hist = histogram(stages[-1].probs, samples, resolve_seed(settings.seed), tokenizer, top_n, greedy=greedy)
    return LabResult(context_ids, stages, stages[-1].top, hist, greedy, notice, logits)


def lab_step(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    previous: LabResult,
    settings: DecodingSettings,
    token_id: int | None = None,
    *,
    top_n: int = 10,
    samples: int = 10_000,
) -> tuple[int, LabResult]:
    """Step mode: append `token_id` (or, when None, the token generate would pick: a seeded draw from
    the final distribution, or its argmax under greedy) to the context and recompute the lab.

    Returns the appended token id and the new lab.
    """
    probs = previous.final_probs
    if token_id is None:
        if previous.greedy:
            token_id = int(probs.argmax())
        else:
            gen = torch.Generator().manual_seed(resolve_seed(settings.seed))
            token_id = int(torch.multinomial(probs.float().cpu(), 1, generator=gen))
    elif not 0 <= token_id < probs.numel():
        raise PlaygroundError(f"Token id {token_id} is not in this model's vocabulary of {probs.numel()} tokens.")
    return token_id, lab(model, tokenizer, previous.context_ids + [token_id], settings, top_n=top_n, samples=samples)


@dataclass
class TemperatureCurve:
    temperature: float
    top: list[TokenProb]
    entropy: float  # nats
    probs: torch.Tensor = field(repr=False)


@one_torch_thread()
def temperature_comparison(
    logits: torch.Tensor, tokenizer, temperatures: tuple[float, ...] = (0.3, 1.0, 1.5), top_n: int = 10
) -> list[TemperatureCurve]:
    """The same raw logits through TemperatureLogitsWarper at several temperatures (0 = greedy one-hot).

    Pure: pass a LabResult's `logits` and a sweep needs no second forward pass.
    """
    curves = []
    for t in temperatures:
        if t < 0:
            raise PlaygroundError(f"Temperature must be 0 (greedy) or more, not {t:g}.")
        if t == 0:
            probs = torch.zeros_like(logits).scatter_(0, logits.argmax()[None], 1.0)
        else:
            probs = torch.softmax(lp.TemperatureLogitsWarper(float(t))(None, logits[None])[0], -1)
        curves.append(TemperatureCurve(t, _top(tokenizer, probs, top_n), float(torch.special.entr(probs).sum()), probs))
    return curves
