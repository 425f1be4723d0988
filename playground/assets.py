"""Files shipped in assets/ so the app works offline on first launch (see assets/README.md)."""

from __future__ import annotations

from pathlib import Path


def find_assets() -> Path:
    """The checkout's assets/ when the package runs from a checkout (the repository's own copy, which tests
    and a Space use); otherwise the copy `pip install` put inside the package (pyproject.toml installs assets/
    as playground/_assets)."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / "assets"
    if (checkout / "demo-model" / "config.json").is_file():
        return checkout
    return package / "_assets"


ASSETS = find_assets()
SHAKESPEARE = ASSETS / "shakespeare"
# Corpus BPEs trained once and shipped, named as the tokenizer cache names them (CORPUS_HASH-bpeVOCAB): the
# quick demo's BPE of the bundled plays, so its two minutes go to training (assets/README.md).
SHIPPED_TOKENIZERS = ASSETS / "tokenizers"

# Corpus id -> (training text, validation text), and its name on the page. Validation plays are held out whole.
BUNDLED_CORPORA: dict[str, tuple[Path, Path]] = {
    "shakespeare": (SHAKESPEARE / "train.txt", SHAKESPEARE / "validation.txt"),
}
BUNDLED_NAMES = {"shakespeare": "Shakespeare (38 plays)"}

# The decoding lab's example contexts: they give the bundled demo model (Shakespeare, 4 000-token BPE) a
# peaked, teachable next-token distribution: a few likely tokens and a long tail, so knobs visibly cut and
# draws hit named tokens. Measured with `lab` on assets/demo-model (top token's probability, entropy in
# nats); tests keep them peaked. Kept here with the model, not in playground.decoding (which imports torch),
# because the lab tab lists them while the page is built.
LAB_CONTEXTS = (
    "GLOUCESTER:\nI thank you, my lord.\n\nKING EDWARD IV:\nI thank",  # " you" 40 %, " me" 8 %, " thee" 6 %; 3.4 nats
    "Farewell, my lord.\n\n[",  # "Enter" 29 %, "Exit" 14 %, "Exeunt" 13 %; 3.8 nats
    "ROMEO:\nI will not stay.\n\n[Exit",  # "]" 61 %; 3.1 nats
    "NORTHUMBERLAND:\nGood morrow, my",  # " lord" 23 % and a long tail: where top-p earns its keep
)
