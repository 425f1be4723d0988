"""Checks of single values a person or a program sends (command line, form, API), shared by every setting
that takes one: one PlaygroundError sentence that names what was wrong.

    number(name, value, *, lo=None, hi=None, above=None, below=None, integer=False, blank=REQUIRED)
        the one way a number comes in: an int, a float or text ("0.5", " 7 ", "7.0"), checked to be finite
        and in range; anything else ("nan", "inf", "1e309", "", None, True, a list, a 5 000-digit integer)
        is refused in one sentence that names the setting and never a Python type.
    check_seed(seed)
        a seed: a whole number in [0, MAX_SEED].

`name` is what the person knows the setting by ("Learning rate", "top-p"); it starts the sentence as given.
"""

from __future__ import annotations

import math
import numbers

from playground.errors import PlaygroundError

MAX_SEED = 2**32 - 1  # numpy's seeding (Trainer's set_seed) takes 32 bits; one range for every seed we accept
REQUIRED = object()  # number(blank=REQUIRED): a blank value is refused
MAX_TEXT = 64  # longer text is no number we take (and int() of a 5 000-digit string raises on Python 3.11+)
SHOWN = 40  # at most this much of a refused value is quoted back


def number(name: str, value, *, lo=None, hi=None, above=None, below=None, integer: bool = False,
           blank=REQUIRED) -> int | float | None:
    """`value` as a finite int (`integer`) or float, within the bounds, or one PlaygroundError sentence.

    Bounds: `lo` <= value <= `hi` (inclusive), `above` < value < `below` (exclusive); a whole number takes
    only `lo` and `hi`. Text is read as Python reads a number ("1e-3", "7.0" for a whole number 7). A blank
    value (None, "", spaces) is refused unless `blank` is given, which is then returned as it is (None: "not
    given, use the default").
    """
    if integer and (above is not None or below is not None):
        raise TypeError("a whole number takes lo and hi, not above or below")
    if lo is not None and above is not None or hi is not None and below is not None:
        raise TypeError("give one lower and one upper bound at most")
    if value is None or isinstance(value, str) and not value.strip():
        if blank is REQUIRED:
            raise PlaygroundError(f"{name} is blank; enter a number.")
        return blank
    parsed = _parse(value, integer)
    if (parsed is None or lo is not None and parsed < lo or above is not None and parsed <= above
            or hi is not None and parsed > hi or below is not None and parsed >= below):
        raise PlaygroundError(_refusal(name, _shown(value), integer, lo, hi, above, below))
    return parsed


def _parse(value, integer: bool) -> int | float | None:
    """The number `value` holds (an int when `integer`), or None when it holds no finite number."""
    if isinstance(value, bool):  # True is an int to Python, never a number a person meant
        return None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TEXT:
            return None
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            try:
                value = float(text)  # a whole number written "7.0" or "1e3"
            except ValueError:
                return None
    if isinstance(value, numbers.Integral):
        value = int(value)
        if not integer:
            try:
                return float(value)
            except OverflowError:  # an int beyond any float
                return None
        return value
    if not isinstance(value, numbers.Real):
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    if integer:
        return int(value) if value.is_integer() else None
    return value


def _shown(value) -> str:
    """The refused value as the sentence quotes it: text in quotes, numbers as written, other things by kind."""
    if isinstance(value, str):
        text = value if len(value) <= SHOWN else value[:SHOWN] + "…"
        return f"'{text}'"
    if isinstance(value, (bool, numbers.Number)):
        text = str(value)
        return text if len(text) <= SHOWN else text[:SHOWN] + "…"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


def _fmt(bound) -> str:
    return f"{bound:,}" if isinstance(bound, int) else f"{bound:g}"


def _refusal(name: str, shown: str, integer: bool, lo, hi, above, below) -> str:
    """The sentence for a refused number: what the setting takes, in words, and what it was sent."""
    positive = above == 0 and hi is None and below is None
    lo, hi, above, below = (None if b is None else _fmt(b) for b in (lo, hi, above, below))
    if integer:
        if lo is not None and hi is not None:
            return f"{name} must be a whole number from {lo} to {hi}, not {shown}."
        if lo is not None:
            return f"{name} must be a whole number of at least {lo}, not {shown}."
        if hi is not None:
            return f"{name} must be a whole number of at most {hi}, not {shown}."
        return f"{name} must be a whole number, not {shown}."
    if lo is not None and hi is not None:
        return f"{name} must be a number from {lo} to {hi}, not {shown}."
    if above is not None and hi is not None:
        return f"{name} must be a number above {above} and at most {hi}, not {shown}."
    if lo is not None and below is not None:
        return f"{name} must be a number of at least {lo} and below {below}, not {shown}."
    if above is not None and below is not None:
        return f"{name} must be a number above {above} and below {below}, not {shown}."
    if lo is not None:
        return f"{name} must be a finite number of at least {lo}, not {shown}."
    if positive:
        return f"{name} must be a positive number, not {shown}."
    if above is not None:
        return f"{name} must be a finite number above {above}, not {shown}."
    if hi is not None:
        return f"{name} must be a finite number of at most {hi}, not {shown}."
    if below is not None:
        return f"{name} must be a finite number below {below}, not {shown}."
    return f"{name} must be a finite number, not {shown}."


def check_seed(seed) -> int:
    """`seed` as an int in [0, MAX_SEED] (text such as "7" is read), or one PlaygroundError sentence."""
    value = _parse(seed, integer=True) if seed is not None else None
    if value is None or not 0 <= value <= MAX_SEED:
        raise PlaygroundError(f"The seed must be a whole number from 0 to {MAX_SEED} (2**32 - 1), not {_shown(seed)}.")
    return value
