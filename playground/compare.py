"""Compare: one prompt and seed through several decoding strategies, with metrics of each text.

    compare(model, tokenizer, prompt, max_new_tokens=…, seed=…, own=…) -> list[StrategyResult]
    iter_compare(…)  the same results one at a time, as each strategy finishes (the app streams them)

Each strategy is a `generate` run (`playground.generation`); perplexity is the model's raw softmax at each
generated token, read from the run's step records (no second forward pass), distinct-n and repeated
n-grams come from the token ids.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from typing import TYPE_CHECKING


if TYPE_CHECKING:  # importing PreTrainedModel loads all of modeling_utils (seconds): type hints only
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

from playground.generation import generate
from playground.knobs import DecodingSettings, resolve_seed

# Each preset changes only what its name says; max_new_tokens and the seed come from the user.
PRESETS: dict[str, dict] = {
    "greedy": dict(temperature=0.0),
    "beam 4": dict(temperature=0.0, num_beams=4),
    "top-k 50": dict(temperature=1.0, top_k=50),
    "top-p 0.9": dict(temperature=1.0, top_p=0.9),
    "temperature 0.7": dict(temperature=0.7),
    "temperature 1.3": dict(temperature=1.3),
}


@dataclass
class StrategyResult:
    name: str
    settings: DecodingSettings
    text: str
    token_ids: list[int]
    mean_logprob: float | None  # mean log-probability (nats) of the tokens under the raw model; None if empty
    perplexity: float | None  # exp(-mean_logprob)
    distinct_1: float
    distinct_2: float
    repeat_3gram_rate: float
    length: int  # tokens

    def to_dict(self) -> dict:
        return {"name": self.name, "settings": self.settings.to_dict(), "text": self.text,
                "mean_logprob": self.mean_logprob, "perplexity": self.perplexity, "distinct_1": self.distinct_1,
                "distinct_2": self.distinct_2, "repeat_3gram_rate": self.repeat_3gram_rate, "length": self.length}


def _ngrams(ids: list[int], n: int) -> list[tuple[int, ...]]:
    return [tuple(ids[i : i + n]) for i in range(len(ids) - n + 1)]


def distinct_n(ids: list[int], n: int) -> float:
    """Distinct n-grams / all n-grams (Li et al. 2016); 0 when the text has no n-gram."""
    grams = _ngrams(ids, n)
    return len(set(grams)) / len(grams) if grams else 0.0


def repeat_ngram_rate(ids: list[int], n: int = 3) -> float:
    """Share of n-grams that already occurred earlier in the same text (1 - distinct-n)."""
    grams = _ngrams(ids, n)
    return 1.0 - len(set(grams)) / len(grams) if grams else 0.0


def mean_logprob(steps) -> float | None:
    """Mean log-probability (nats) of the generated tokens under the raw model, from generate's own step
    records (no second forward pass); None for an empty text."""
    return sum(s.raw_logprob for s in steps) / len(steps) if steps else None


def iter_compare(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    *,
    max_new_tokens: int = 50,
    seed: int | None = None,
    own: DecodingSettings | None = None,
) -> Iterator[StrategyResult]:
    """One prompt and seed through every preset (and the user's `own` settings, named "yours"), each result
    as soon as its strategy has run: 200 tokens through seven strategies take most of a minute on a CPU."""
    seed = resolve_seed(seed)
    runs = [(name, DecodingSettings(max_new_tokens=max_new_tokens, seed=seed, **knobs)) for name, knobs in PRESETS.items()]
    if own is not None:
        runs.append(("yours", own.replace(max_new_tokens=max_new_tokens, seed=seed, num_return_sequences=1)))
    for name, settings in runs:
        res = generate(model, tokenizer, prompt, settings, top_n=1)
        seq = res.sequences[0]
        lp = mean_logprob(seq.steps)
        yield StrategyResult(
            name, settings, seq.text, seq.token_ids, lp, None if lp is None else math.exp(min(-lp, 700.0)),
            distinct_n(seq.token_ids, 1), distinct_n(seq.token_ids, 2), repeat_ngram_rate(seq.token_ids, 3), len(seq.token_ids),
        )


def strategy_names(own: DecodingSettings | None = None) -> list[str]:
    """The strategies iter_compare runs, in its order (a progress line names the one running)."""
    return [*PRESETS, *(["yours"] if own is not None else [])]


def compare(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    *,
    max_new_tokens: int = 50,
    seed: int | None = None,
    own: DecodingSettings | None = None,
) -> list[StrategyResult]:
    """One prompt and seed through every preset (and the user's `own` settings, named "yours")."""
    return list(iter_compare(model, tokenizer, prompt, max_new_tokens=max_new_tokens, seed=seed, own=own))

