"""A corpus from a `datasets` dataset: a name on the Hugging Face Hub, or a local dataset folder.

Read through `load_dataset(..., streaming=True)`, so a large dataset is never downloaded whole: rows are taken
in order until `max_chars` characters, with a progress bar. The text column is picked as for a CSV file
(`--text-field`, else 'text', else the first string column). What was read becomes a Corpus like the files'
(corpus.finish_corpus: cleaning, blank rows dropped, a content hash of the text read), so the tokenized-corpus
cache, the stats and the rest of training work unchanged.

A Hub dataset is read once per (name, config, split, column, cap) and kept in the playground's cache, so a
second run starts at once, trains on the same text, and works offline. Offline (HF_HUB_OFFLINE /
HF_DATASETS_OFFLINE) or with the Hub unreachable, a dataset found in neither that cache nor datasets' own
ends in one sentence, within the Hub check's timeout, never a hang. A local folder (parquet, csv, json or
text files, laid out as on the Hub) is read afresh each time: its files may have changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from playground.corpus import publish_folder
from playground.corpus_files import Cleaning, Corpus, finish_corpus, pick_text_column
from playground.errors import PlaygroundError
from playground.models import HUB_TIMEOUT_S, hub_offline, hub_reachable
from playground.paths import cache_root

if TYPE_CHECKING:
    from datasets import Dataset

DEFAULT_MAX_CHARS = 20_000_000  # ~20 MB of text: minutes to tokenize on a CPU, far more than a classroom run uses


@dataclass(frozen=True)
class DatasetSource:
    """Which dataset to read, and how much of it."""

    name: str
    """A Hub dataset name ('roneneldan/TinyStories') or a local dataset folder."""
    config: str | None = None
    """The dataset's configuration (subset), for datasets that have several."""
    split: str = "train"
    """The split to read ('train', 'validation', 'train[:10%]')."""
    text_field: str | None = None
    """The column holding the text (default: 'text', else the first string column)."""
    max_chars: int = DEFAULT_MAX_CHARS
    """Read rows until this many characters."""

    def __post_init__(self):
        if not str(self.name).strip():
            raise PlaygroundError("No dataset named; give a Hub dataset name like 'roneneldan/TinyStories' or a local folder.")
        if not str(self.split).strip():
            raise PlaygroundError("No dataset split named; use 'train' or another split of the dataset.")
        if isinstance(self.max_chars, bool) or not isinstance(self.max_chars, int) or self.max_chars < 1:
            raise PlaygroundError(f"The dataset's character cap must be a whole number of at least 1, not {self.max_chars}.")

    @property
    def folder(self) -> Path | None:
        """The local dataset folder this names, or None for a Hub dataset."""
        path = Path(self.name).expanduser()
        return path if path.is_dir() else None

    @property
    def label(self) -> str:
        """How the corpus is named in stats and the model card: the Hub name, or the folder's name."""
        return self.folder.name if self.folder else self.name


def load_dataset_corpus(source: DatasetSource, cleaning: Cleaning = Cleaning(), progress: bool = True) -> Corpus:
    """Read `source` (up to its character cap) and clean it into a Corpus; `progress` shows a bar on stderr."""
    docs, content = _stream(source, str(source.folder), progress) if source.folder else _hub_texts(source, progress)
    digest = hashlib.sha256(content.encode())  # finish_corpus adds the cleaning settings to the content's hash
    return finish_corpus(docs, [source.label], digest, cleaning, source.text_field, line_based=True)


def datasets_offline() -> bool:
    """True when the environment forbids the network to huggingface_hub or to datasets."""
    return hub_offline() or os.environ.get("HF_DATASETS_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}


# --------------------------------------------------------------------------- reading


def _stream(source: DatasetSource, path: str, progress: bool, streaming: bool = True) -> tuple[Dataset, str]:
    """The first rows of `source` (streamed from `path`) up to its cap, as a Dataset of one column "text", and
    the hash of that text. `streaming=False` reads what datasets has downloaded and prepared before."""
    from datasets import Dataset, load_dataset
    from tqdm.auto import tqdm

    try:
        ds = load_dataset(path, source.config, split=source.split, streaming=streaming)
        rows = iter(ds)
        first = next(rows, None)
    except PlaygroundError:
        raise
    except Exception as e:  # noqa: BLE001 - datasets raises many types (missing config, bad split, unreadable files)
        raise PlaygroundError(f"Could not read the dataset '{source.label}': {_first_line(e)}") from None
    if first is None:
        raise PlaygroundError(f"The split '{source.split}' of the dataset '{source.label}' is empty; choose another split.")
    column = _column(ds, first, source)
    digest = hashlib.sha256(json.dumps(["dataset", source.label, source.config, source.split, column]).encode())
    texts, total = [], 0
    bar = tqdm(total=source.max_chars, unit="char", unit_scale=True, desc=f"Reading {source.label}", disable=not progress)
    try:
        for row in _chain(first, rows):
            text = row.get(column)
            if not isinstance(text, str) or not text.strip():
                continue
            text = text[: source.max_chars - total]
            texts.append(text)
            digest.update(text.encode("utf-8", "surrogatepass") + b"\x00")  # \x00: where one row ends
            total += len(text)
            bar.update(len(text))
            if total >= source.max_chars:
                break
    except Exception as e:  # noqa: BLE001 - a shard that fails midway (a dropped connection, a corrupt file)
        raise PlaygroundError(f"Reading the dataset '{source.label}' failed after {total:,} characters: {_first_line(e)}") from None
    finally:
        bar.close()
    if not texts:
        raise PlaygroundError(f"The column '{column}' of the dataset '{source.label}' holds no text; name another with the text field.")
    return Dataset.from_dict({"text": texts}), digest.hexdigest()


def _column(ds, first: dict, source: DatasetSource) -> str:
    """The text column, from the dataset's features when it declares them, else from its first row."""
    features = getattr(ds, "features", None)
    if features:
        columns = list(features)
        strings = [c for c in columns if getattr(features[c], "dtype", None) in ("string", "large_string")]
    else:
        columns = list(first)
        strings = [c for c in columns if isinstance(first[c], str)]
    return pick_text_column(columns, strings, source.label, source.text_field)


def _chain(first, rest):
    yield first
    yield from rest


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:200]


# --------------------------------------------------------------------------- the Hub, and the cache of what was read


def _cache_folder(source: DatasetSource) -> Path:
    key = hashlib.sha256(json.dumps(asdict(source)).encode()).hexdigest()[:20]
    return cache_root() / "datasets" / key


def _hub_texts(source: DatasetSource, progress: bool):
    """A Hub dataset's text: from the playground's cache when read before, else streamed from the Hub (and cached)."""
    folder = _cache_folder(source)
    if (folder / "read.json").exists():
        from datasets import load_from_disk

        return load_from_disk(str(folder / "text")), json.loads((folder / "read.json").read_text())["content_hash"]
    if datasets_offline() or not hub_reachable():
        return _from_datasets_cache(source, progress)
    docs, content = _stream(source, source.name, progress)

    def write(tmp: Path) -> None:
        docs.save_to_disk(str(tmp / "text"))
        (tmp / "read.json").write_text(json.dumps({"source": asdict(source), "content_hash": content}))

    publish_folder(folder, write)  # a cache: when it cannot be written, the next run reads the Hub again
    return docs, content


def _from_datasets_cache(source: DatasetSource, progress: bool):
    """Offline: datasets' own cache (a dataset downloaded before with load_dataset), or one sentence."""
    import datasets

    # Only when datasets itself is offline does load_dataset look in its cache without trying the network
    # (retries that can take minutes); otherwise there is nothing to look in quickly.
    if datasets.config.HF_HUB_OFFLINE:
        try:
            return _stream(source, source.name, progress, streaming=False)
        except PlaygroundError:
            pass
    if datasets_offline():
        raise PlaygroundError(f"Cannot read the dataset '{source.name}': HF_HUB_OFFLINE (or HF_DATASETS_OFFLINE) is set "
                              f"and it is not in the local cache; unset it to read the dataset once (it is then cached), "
                              f"or pass a local dataset folder.")
    raise PlaygroundError(f"Cannot read the dataset '{source.name}': the Hugging Face Hub did not answer within "
                          f"{HUB_TIMEOUT_S:g} s and it is not in the local cache; connect once to read it (it is then "
                          f"cached), or pass a local dataset folder.")
