"""The repository as a Hugging Face Space: front matter the Hub builds, LFS/Xet rules for what the Hub will not
take as plain git blobs, and the declared licence."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from huggingface_hub import SpaceCard
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LFS_OVER_BYTES = 1_000_000  # a tracked file this large goes through LFS/Xet on the Hub, whatever its kind


def pins() -> dict[str, str]:
    """requirements.txt as {name: version}: every line that is not a comment is `name==version`."""
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    return dict(line.split("==") for line in lines if line)


@pytest.fixture(scope="module")
def card():
    return SpaceCard.load(ROOT / "README.md").data


def test_front_matter_builds_the_pinned_gradio_on_a_python_transformers_accepts(card):
    assert card.sdk == "gradio"
    assert card.sdk_version == pins()["gradio"]  # else the Space installs another gradio than the one tested
    assert (ROOT / card.app_file).is_file()
    # The pinned transformers (installed here from requirements.txt) says which Pythons it takes.
    assert importlib.metadata.version("transformers") == pins()["transformers"]
    requires = SpecifierSet(importlib.metadata.metadata("transformers")["Requires-Python"])
    assert Version(str(card.python_version)) in requires, (card.python_version, str(requires))


def test_front_matter_lets_a_visitor_push_with_their_own_account(card):
    """The Runs tab's Push uses the visitor's sign-in on a Space (gr.LoginButton), never the owner's HF_TOKEN: the
    Space needs OAuth with write scopes, and gradio's OAuth routes need authlib."""
    assert card.hf_oauth is True
    assert {"write-repos", "manage-repos"} <= set(card.hf_oauth_scopes)
    assert "authlib" in pins()


def test_front_matter_describes_the_space(card):
    assert card.license == "mit"
    assert 0 < len(card.short_description) <= 60  # the Hub's limit
    assert card.suggested_hardware == "cpu-basic"


def test_the_preloaded_gpt2_is_what_the_default_model_looks_for(card, tmp_path, monkeypatch):
    """A Space downloads `preload_from_hub` into its Hugging Face cache at build time: with exactly those files
    cached (and the Hub out of reach), the default model is gpt2, not the demo."""
    import huggingface_hub.constants

    from playground import models

    (entry,) = card.preload_from_hub
    repo_id, files = entry.split()
    assert repo_id == models.PRETRAINED["gpt2"]
    # The Hub cache's layout: refs/main names a snapshot holding the files.
    repo = tmp_path / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    for name in files.split(","):
        (snapshot / name).write_text("{}")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert models.default_model().name == "gpt2"
    # Without the preload, the same machine falls back to the bundled model.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty"))
    assert models.default_model().name == "demo"


def test_license_file_matches_the_declared_licence(card):
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert card.license == "mit" and text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def git(*args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], input=stdin, capture_output=True, check=True).stdout


def test_binaries_and_large_files_have_lfs_rules():
    """Every tracked binary (a NUL byte in its first 8 KB, as git judges), .png or .safetensors, and every tracked
    file over 1 MB, is marked for LFS/Xet in .gitattributes, so the Hub takes the push."""
    if shutil.which("git") is None or subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--show-toplevel"],
                                                     capture_output=True).returncode != 0:
        pytest.skip("not a git checkout (an installed package): no .gitattributes to check")
    if Path(git("rev-parse", "--show-toplevel").decode().strip()).resolve() != ROOT:
        pytest.skip("the tests are not at the root of this git checkout")
    files = [f for f in git("ls-files", "-z").decode().split("\0") if f and (ROOT / f).is_file()]
    out = git("check-attr", "-z", "--stdin", "filter", stdin="\0".join(files).encode()).decode().split("\0")
    lfs = {path for path, _, value in zip(out[0::3], out[1::3], out[2::3]) if value == "lfs"}

    def needs_lfs(path: str) -> bool:
        file = ROOT / path
        return (file.suffix in (".png", ".safetensors") or file.stat().st_size > LFS_OVER_BYTES
                or b"\0" in file.open("rb").read(8000))

    needing = {f for f in files if needs_lfs(f)}
    assert {"assets/demo-model/model.safetensors", "assets/shakespeare/train.txt"} <= needing
    assert any(f.endswith(".png") for f in needing)
    assert sorted(needing - lfs) == []
    # And nothing small and textual is sent to LFS by a too-broad rule (the Hub would show it as a pointer).
    assert sorted(f for f in lfs - needing if re.search(r"\.(py|md|txt|json|jsonl)$", f)) == []
