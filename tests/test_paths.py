"""Where runs and caches live: $PLAYGROUND_CACHE, else persistent storage (a Space's /data), else ~/.cache."""

from __future__ import annotations

from pathlib import Path

from playground import paths
from playground.paths import cache_root, persistent_root


def test_persistent_storage_is_a_writable_folder_named_by_the_variable_or_a_spaces_data(tmp_path, monkeypatch):
    data = tmp_path / "data"
    assert persistent_root({"PLAYGROUND_PERSISTENT_DIR": str(data)}) is None  # not there
    data.mkdir()
    assert persistent_root({"PLAYGROUND_PERSISTENT_DIR": str(data)}) == data / "gpt2-playground"
    (tmp_path / "a-file").write_text("x")
    assert persistent_root({"PLAYGROUND_PERSISTENT_DIR": str(tmp_path / "a-file")}) is None
    # /data (here a temporary folder standing in for it) is taken on a Space only.
    monkeypatch.setattr(paths, "SPACE_PERSISTENT_DIR", str(data))
    assert persistent_root({"SPACE_ID": "someone/playground"}) == data / "gpt2-playground"
    assert persistent_root({}) is None
    monkeypatch.setattr(paths, "SPACE_PERSISTENT_DIR", str(tmp_path / "no-storage-bought"))
    assert persistent_root({"SPACE_ID": "someone/playground"}) is None


def test_the_cache_root_prefers_playground_cache_then_persistent_storage_then_home(tmp_path):
    (tmp_path / "data").mkdir()
    persistent = {"PLAYGROUND_PERSISTENT_DIR": str(tmp_path / "data")}
    assert cache_root({**persistent, "PLAYGROUND_CACHE": str(tmp_path / "mine")}) == tmp_path / "mine"
    assert cache_root(persistent) == tmp_path / "data" / "gpt2-playground"
    assert cache_root({}) == Path.home() / ".cache" / "gpt2-playground"
    assert cache_root({"PLAYGROUND_CACHE": ""}) == Path.home() / ".cache" / "gpt2-playground"  # empty: unset
