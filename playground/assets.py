"""Files shipped in assets/ so the app works offline on first launch (see assets/README.md)."""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SHAKESPEARE = ASSETS / "shakespeare"

# Display name -> (training text, validation text). Validation plays are held out whole.
BUNDLED_CORPORA: dict[str, tuple[Path, Path]] = {
    "Shakespeare (38 plays)": (SHAKESPEARE / "train.txt", SHAKESPEARE / "validation.txt"),
}
