"""One way to write a file or a folder whole or not at all (playground.atomic)."""

import pytest

from playground.atomic import atomic_write, replacing


def test_a_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "run.json"
    atomic_write(path, "old")
    atomic_write(path, "new")
    assert path.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "model.zip"
    path.write_text("old")
    with pytest.raises(RuntimeError), replacing(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["model.zip"]


def test_a_folder_moves_in_whole_and_not_over_a_filled_one(tmp_path):
    folder = tmp_path / "cache-entry"
    with replacing(folder) as tmp:
        tmp.mkdir()
        (tmp / "done.json").write_text("{}")
    assert (folder / "done.json").exists()
    with pytest.raises(OSError), replacing(folder) as tmp:  # another process got there first
        tmp.mkdir()
        (tmp / "done.json").write_text("{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache-entry"]  # its temporary is gone


def test_two_threads_writing_one_file_each_finish_whole(tmp_path):
    """Two events of the app zipping the same run at once: each writes its own temporary, the last rename wins."""
    import threading

    path, started, errors = tmp_path / "run.zip", threading.Barrier(2), []

    def write(text: str) -> None:
        try:
            with replacing(path) as tmp:
                tmp.write_text(text)
                started.wait(5)  # both inside the block before either renames
        except Exception as e:  # noqa: BLE001 - collected for the assert
            errors.append(e)

    threads = [threading.Thread(target=write, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and path.read_text() in ("a", "b") and [p.name for p in tmp_path.iterdir()] == ["run.zip"]
