"""Checks of single values a person or a program sends (command line, form, API), shared by every setting
that takes one: one PlaygroundError sentence that names what was wrong."""

from __future__ import annotations

from playground.errors import PlaygroundError

MAX_SEED = 2**32 - 1  # numpy's seeding (Trainer's set_seed) takes 32 bits; one range for every seed we accept


def check_seed(seed) -> int:
    """`seed` as an int in [0, MAX_SEED], or one PlaygroundError sentence."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise PlaygroundError(f"The seed must be a whole number from 0 to {MAX_SEED} (2**32 - 1), not {seed!r}.")
    return seed
