"""Decoding knobs: `DecodingSettings`, every knob validated in one place, and the one converter from a
form's or a command line's named values to settings (`DecodingSettings.from_values`).

Generate, the decoding lab, Compare and the CLI all read their knobs through here; how `generate` applies
them (and in which order) is `playground.decoding`'s business.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields

from playground.errors import PlaygroundError
from playground.values import MAX_SEED, check_seed, number

MAX_NEW_TOKENS = 512  # output_scores keeps ~0.4 MB per token per sequence (GPT-2 vocab), so keep runs bounded
MAX_SEQUENCES = 8  # cap on beams and on returned sequences, for the same reason
# The lab's and the Internals tab's bounds live here, beside the other knobs' limits, rather than in
# playground.decoding / playground.internals: the tabs size their sliders with them while the page is built,
# before torch is imported (those modules import it).
MAX_SAMPLES = 100_000  # lab histogram draws
MAX_TOP_N = 1_000  # lab: tokens listed per stage
MAX_TOKENS = 64  # Internals: attention is T x T per head; beyond ~64 tokens neither heatmap nor lines can be read
MAX_BEAMS = 4  # Internals: the beam tree
MAX_BEAM_STEPS = 10


@dataclass(frozen=True)
class Knob:
    """How one decoding knob is shown and typed: declared once, beside its field, for the app's sliders, the CLI's
    flags (generate, lab, compare), share links and the benches. `lo`..`hi` is the slider's range (the form's;
    the engine's own checks, in DecodingSettings, may allow more: the CLI takes any valid value)."""

    label: str  # the form's label
    help: str  # the form's info line and the flag's help
    flag: str  # --temperature
    metavar: str
    lo: float = 0
    hi: float = 1
    step: float = 0.01
    elem: str = ""  # the form component's elem_id after its tab's prefix ("gen-" + elem); default: the flag's name


def _knob(label: str, help: str, flag: str, metavar: str, *, lo=0, hi=1, step=0.01, elem: str = "") -> dict:
    return {"knob": Knob(label, help, flag, metavar, lo, hi, step, elem or flag.removeprefix("--"))}


@dataclass(frozen=True)
class DecodingSettings:
    """Every decoding knob, validated on construction (one PlaygroundError sentence per bad value).

    "Off" values: top_k 0, top_p 1, min_p 0, typical_p 1, repetition_penalty 1, no_repeat_ngram_size 0.
    Each field's metadata (`KNOBS`) says how the app and the CLI show it.
    """

    max_new_tokens: int = field(default=50, metadata=_knob(
        "Max new tokens", "tokens to generate (at most 512)", "--max-new-tokens", "N", lo=1, hi=MAX_NEW_TOKENS, step=1,
        elem="max-new"))
    temperature: float = field(default=1.0, metadata=_knob(  # 0 means greedy
        "Temperature", "0 = greedy; below 1 sharpens, above 1 flattens", "--temperature", "T", hi=2, step=0.05))
    top_k: int = field(default=0, metadata=_knob(
        "Top-k", "keep the k likeliest tokens; 0 = off", "--top-k", "K", hi=200, step=1))
    top_p: float = field(default=1.0, metadata=_knob(
        "Top-p (nucleus)", "keep the smallest set reaching p; 1 = off", "--top-p", "P", lo=0.01))
    min_p: float = field(default=0.0, metadata=_knob(
        "Min-p", "drop tokens below p × the top token's; 0 = off", "--min-p", "P"))
    typical_p: float = field(default=1.0, metadata=_knob(
        "Typical-p", "locally typical sampling; 1 = off", "--typical-p", "P", lo=0.01))
    repetition_penalty: float = field(default=1.0, metadata=_knob(
        "Repetition penalty", "above 1 discourages tokens already used", "--repetition-penalty", "R", lo=0.5, hi=2,
        step=0.05, elem="rep"))
    no_repeat_ngram_size: int = field(default=0, metadata=_knob(
        "No-repeat n-gram size", "never repeat an n-gram of this size; 0 = off", "--no-repeat-ngram", "N", hi=6, step=1,
        elem="no-repeat"))
    num_beams: int = field(default=1, metadata=_knob(  # beam search needs temperature 0
        "Beams", "beam search with this many beams; needs temperature 0", "--num-beams", "N", lo=1, hi=MAX_SEQUENCES,
        step=1, elem="beams"))
    num_return_sequences: int = field(default=1, metadata=_knob(
        "Sequences", "how many continuations to return", "--num-return-sequences", "N", lo=1, hi=MAX_SEQUENCES, step=1,
        elem="sequences"))
    seed: int | None = field(default=None, metadata=_knob(  # None: a fresh seed, reported with the result
        "Seed (blank = random)", "the random seed (0 to 2**32 - 1): the same seed and knobs give the same text", "--seed", "S",
        lo=0, hi=MAX_SEED, step=1))
    stops: tuple[str, ...] = field(default=(), metadata=_knob(  # the text is cut at the first occurrence of any of these
        "Stop text", "cut the text at the first occurrence of this text", "--stop", "TEXT", elem="stop"))

    def __post_init__(self) -> None:
        # Coerce once so the UI can pass slider floats like 50.0 and the CLI lists, each number read through
        # playground.values.number: text from an API client ("0.5") is read; "nan", "inf" and "1e309" are refused.
        # The ranges, which say what turns a knob off, are checked in _validate.
        for name in ("max_new_tokens", "top_k", "no_repeat_ngram_size", "num_beams", "num_return_sequences"):
            object.__setattr__(self, name, number(name.replace("_", " "), getattr(self, name), integer=True))
        for name in ("temperature", "top_p", "min_p", "typical_p", "repetition_penalty"):
            object.__setattr__(self, name, number(name.replace("_", " "), getattr(self, name)))
        if self.seed is not None:
            object.__setattr__(self, "seed", check_seed(self.seed))
        stops = (self.stops,) if isinstance(self.stops, str) else self.stops
        object.__setattr__(self, "stops", tuple(stops) if isinstance(stops, (list, tuple)) else (None,))  # None: refused
        self._validate()

    @classmethod
    def from_values(cls, **values) -> DecodingSettings:
        """Settings from named values, as a form or a command line holds them: the one converter the app's
        tabs and the CLI share.

        None means "not given" (the knob keeps its default); the seed may be text, as a Seed box sends it
        (blank: a fresh seed); a single stop text may be a string. Beams without a temperature search
        deterministically (temperature 0): only a temperature that was given conflicts with beams.
        """
        unknown = sorted(values.keys() - {f.name for f in fields(cls)})
        if unknown:
            raise TypeError(f"not a decoding knob: {', '.join(unknown)}")
        given = {name: value for name, value in values.items() if value is not None}
        if "seed" in given:
            given["seed"] = parse_seed(given["seed"])
        if "temperature" not in given and number("num beams", given.get("num_beams", 1), integer=True) > 1:
            given["temperature"] = 0.0
        return cls(**given)

    def _validate(self) -> None:
        def bad(message: str) -> None:
            raise PlaygroundError(message)

        if not 1 <= self.max_new_tokens <= MAX_NEW_TOKENS:
            bad(f"max new tokens must be between 1 and {MAX_NEW_TOKENS}, not {self.max_new_tokens}.")
        if self.temperature < 0:
            bad(f"Temperature must be 0 (greedy) or more, not {self.temperature:g}.")
        if self.top_k < 0:
            bad(f"top-k must be 0 (off) or a positive number of tokens, not {self.top_k}.")
        if not 0 < self.top_p <= 1:
            bad(f"top-p must be above 0 and at most 1 (1 turns it off), not {self.top_p:g}.")
        if not 0 <= self.min_p <= 1:
            bad(f"min-p must be between 0 (off) and 1, not {self.min_p:g}.")
        if not 0 < self.typical_p <= 1:
            bad(f"typical-p must be above 0 and at most 1 (1 turns it off), not {self.typical_p:g}.")
        if self.repetition_penalty <= 0:
            bad(f"Repetition penalty must be above 0 (1 turns it off), not {self.repetition_penalty:g}.")
        if self.no_repeat_ngram_size < 0:
            bad(f"no-repeat-ngram size must be 0 (off) or more, not {self.no_repeat_ngram_size}.")
        if not 1 <= self.num_beams <= MAX_SEQUENCES:
            bad(f"Number of beams must be between 1 and {MAX_SEQUENCES}, not {self.num_beams}.")
        if not 1 <= self.num_return_sequences <= MAX_SEQUENCES:
            bad(f"Number of returned sequences must be between 1 and {MAX_SEQUENCES}, not {self.num_return_sequences}.")
        if self.num_beams > 1 and self.temperature > 0:
            bad(f"Beam search is deterministic: set temperature to 0 with {self.num_beams} beams (beam sampling is not offered).")
        if self.num_beams > 1 and self.num_return_sequences > self.num_beams:
            bad(f"Beam search can return at most one sequence per beam: ask for {self.num_beams} or fewer sequences, or use more beams.")
        if self.num_beams == 1 and self.temperature == 0 and self.num_return_sequences > 1:
            bad("Greedy decoding always gives the same text: return 1 sequence, or sample (temperature above 0), or use beams.")
        if self.seed is not None:
            check_seed(self.seed)
        if any(not isinstance(s, str) or s == "" for s in self.stops):
            bad("Stop texts must be non-empty strings.")

    @property
    def sampling(self) -> bool:
        """True when generate draws tokens at random (the sampling-only warpers apply)."""
        return self.temperature > 0 and self.num_beams == 1

    def replace(self, **changes) -> DecodingSettings:
        return DecodingSettings(**{**self.to_dict(), **changes})

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["stops"] = list(self.stops)
        return d


KNOBS: dict[str, Knob] = {f.name: f.metadata["knob"] for f in fields(DecodingSettings)}
"""Each knob's Knob, in DecodingSettings' field order."""


def parse_seed(value) -> int | None:
    """A seed as a form sends it: blank means a fresh random seed each time; anything else must be a whole number."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        if float(text).is_integer():  # "7.0", as a number field or an API client may send it
            return int(float(text))
    except (ValueError, OverflowError):
        pass
    raise PlaygroundError(f"Seed must be a whole number, or blank for a random one, not '{text}'.")


def resolve_seed(seed: int | None) -> int:
    """The seed to use: the given one, or a fresh one that the result reports so the run can be repeated."""
    # Not the module-level `random`: training (transformers.set_seed) re-seeds it, and every "random" seed
    # after a training run in the same process would then be the same one.
    return seed if seed is not None else secrets.randbelow(2**31)
