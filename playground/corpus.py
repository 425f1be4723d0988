"""Corpus: cleaned documents (playground.corpus_files reads them) -> tokenized train/validation examples, with stats.

Tokenization is the fast tokenizer, batched through `Dataset.map`. Two ways to make examples:

* blocks: documents joined with `<|endoftext|>`, cut into `block_size`-token windows every `stride`
  tokens (stride < block size gives overlapping windows, as GPT2-Chinese does);
* lines: each line (or csv/json record) one example, wrapped in bos/eos, padded in the batch with the
  padding masked out of the loss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:  # datasets (and pyarrow) cost a second to import: loaded where a corpus is read, not with the app
    from datasets import Dataset

from playground.atomic import replacing
from playground.corpus_files import Corpus
from playground.errors import PlaygroundError
from playground.paths import cache_root
from playground.values import check_seed

MIN_ADVISED_BLOCK = 16  # the Data tab's block-size slider: its minimum and its step
MAX_SHARDS = 20  # the block split assigns whole contiguous shards to validation (see _split_shards)
# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class ExampleSettings:
    """How documents become training examples."""

    mode: Literal["blocks", "lines"] = "blocks"
    block_size: int = 128
    """Tokens per example (at most the model's context)."""
    stride: int | None = None
    """Tokens between the starts of consecutive training blocks; default block_size (no overlap)."""
    val_fraction: float = 0.1
    """Share of the corpus held out for validation, in (0, 0.5]; ignored with an explicit validation file."""
    seed: int = 0

    def __post_init__(self):
        if self.mode not in ("blocks", "lines"):
            raise PlaygroundError(f"Unknown example mode '{self.mode}'; use 'blocks' or 'lines'.")
        if self.block_size < 2:
            raise PlaygroundError(f"Block size must be at least 2 tokens, not {self.block_size}.")
        if self.stride is not None and not 1 <= self.stride <= self.block_size:
            raise PlaygroundError(f"Stride must be between 1 and the block size ({self.block_size}), not {self.stride}.")
        if not 0 < self.val_fraction <= 0.5:
            raise PlaygroundError(f"Validation fraction must be in (0, 0.5], not {self.val_fraction}.")
        check_seed(self.seed)

    @property
    def step(self) -> int:
        return self.stride or self.block_size


# --------------------------------------------------------------------------- examples


@dataclass
class CorpusStats:
    files: int
    characters: int
    lines: int
    tokens: int
    train_examples: int
    val_examples: int
    tokens_per_example: int
    mode: str
    top_tokens: list[tuple[str, int]] = field(default_factory=list)
    example_lengths: list[int] = field(default_factory=list)  # tokens per document/line, for a histogram

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class PreparedCorpus:
    train: Dataset  # columns input_ids (+ attention_mask, labels in lines mode)
    val: Dataset
    stats: CorpusStats
    mode: str


def _tokenizer_fingerprint(tokenizer) -> str:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    s = backend.to_str() if backend is not None else repr(tokenizer.get_vocab())
    return hashlib.sha256(s.encode()).hexdigest()[:16]


def _tokenize(docs: Dataset, tokenizer) -> Dataset:
    return docs.map(
        lambda b: {"input_ids": tokenizer(b["text"], add_special_tokens=False, verbose=False)["input_ids"]},
        batched=True, batch_size=256, remove_columns=docs.column_names, load_from_cache_file=False,
        desc="Tokenizing",
    )


def _lines(docs: Dataset, line_based: bool) -> Dataset:
    """Line-by-line examples: csv/json records as they are; text documents split into lines."""
    if line_based:
        return docs
    return docs.map(
        lambda b: {"text": [ln for t in b["text"] for ln in t.split("\n") if ln.strip()]},
        batched=True, remove_columns=docs.column_names, load_from_cache_file=False,
    )


def _split_shards(n_units: int, val_fraction: float, seed: int) -> np.ndarray:
    """Assign each block-sized unit of the token stream to train (False) or validation (True).

    Validation takes whole contiguous shards (chosen with the seed), and blocks are later cut only
    inside runs of one split, so no window ever straddles train and validation.
    """
    n_shards = max(2, min(MAX_SHARDS, n_units))
    n_val = max(1, round(val_fraction * n_shards))
    rng = np.random.default_rng(seed)
    val_shards = set(rng.choice(n_shards, size=n_val, replace=False).tolist())
    shard_of_unit = np.arange(n_units) * n_shards // n_units
    return np.array([s in val_shards for s in shard_of_unit])


def _windows(stream: np.ndarray, block: int, step: int) -> np.ndarray:
    if len(stream) < block:
        return np.zeros((0, block), dtype=np.int64)
    starts = np.arange(0, len(stream) - block + 1, step)
    return np.stack([stream[s : s + block] for s in starts]).astype(np.int64)


def _blocks(ids: Dataset, eos_id: int, settings: ExampleSettings, val_ids: Dataset | None):
    """Concatenate documents with eos between them and cut into windows.

    Written by hand because run_clm's `group_texts` has neither strides nor a leak-free split.
    """

    def stream_of(d: Dataset) -> np.ndarray:
        pieces = []
        for row in d["input_ids"]:
            pieces.append(np.asarray(row, dtype=np.int64))
            pieces.append(np.array([eos_id], dtype=np.int64))
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)

    block, step = settings.block_size, settings.step
    stream = stream_of(ids)
    if val_ids is not None:
        return _windows(stream, block, step), _windows(stream_of(val_ids), block, block)
    n_units = len(stream) // block
    if n_units < 2:
        # The advice must be a size the Data tab's slider takes (multiples of MIN_ADVISED_BLOCK) and gives two blocks.
        fit = len(stream) // 2 // MIN_ADVISED_BLOCK * MIN_ADVISED_BLOCK
        if fit >= MIN_ADVISED_BLOCK:
            raise PlaygroundError(f"The corpus has {len(stream)} tokens, too short for a train and a validation block of "
                                  f"{block} tokens; choose a block size of at most {fit}, or add text.")
        raise PlaygroundError(f"The corpus has only {len(stream)} tokens, too few for a train and a validation block of "
                              f"{MIN_ADVISED_BLOCK} tokens; add text, or cut it line by line.")
    is_val = _split_shards(n_units, settings.val_fraction, settings.seed)
    train, val = [], []
    # Walk maximal runs of units with the same split; windows stay inside a run.
    start = 0
    for i in range(1, n_units + 1):
        if i == n_units or is_val[i] != is_val[start]:
            run = stream[start * block : i * block]
            (val if is_val[start] else train).append(_windows(run, block, block if is_val[start] else step))
            start = i
    return np.concatenate(train), np.concatenate(val)


def _line_examples(ids: Dataset, tokenizer, block: int) -> Dataset:
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id

    def wrap(b):
        out = [[bos, *row[: block - 2], eos] for row in b["input_ids"]]
        return {"input_ids": out, "attention_mask": [[1] * len(r) for r in out], "labels": out}

    return ids.map(wrap, batched=True, load_from_cache_file=False)


def prepare(
    corpus: Corpus,
    tokenizer,
    settings: ExampleSettings = ExampleSettings(),
    val_corpus: Corpus | None = None,
    use_cache: bool = True,
) -> PreparedCorpus:
    """Tokenize a corpus and make train/validation examples, caching the result by content and settings."""
    from datasets import load_from_disk
    key = hashlib.sha256(
        json.dumps([corpus.content_hash, val_corpus.content_hash if val_corpus else None,
                    asdict(settings), _tokenizer_fingerprint(tokenizer), 2]).encode()
    ).hexdigest()[:20]
    folder = cache_root() / "corpus" / key
    # Two runs of one corpus at once (two sessions pressing the quick demo) prepare it once: the second waits.
    with _preparing(key) if use_cache else contextlib.nullcontext():
        if use_cache and (folder / "done.json").exists():
            stats = CorpusStats(**json.loads((folder / "done.json").read_text()))
            return PreparedCorpus(load_from_disk(str(folder / "train")), load_from_disk(str(folder / "val")), stats,
                                  settings.mode)
        prepared = _prepare(corpus, tokenizer, settings, val_corpus)
        if use_cache:
            _save(prepared, folder)
        return prepared


_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()


@contextlib.contextmanager
def _preparing(key: str):
    """Hold the in-process lock of one cache entry while it is read or made (other processes: publish_folder)."""
    with _locks_lock:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        yield


def _save(prepared: PreparedCorpus, folder: Path) -> None:
    def write(tmp: Path) -> None:
        prepared.train.save_to_disk(str(tmp / "train"))
        prepared.val.save_to_disk(str(tmp / "val"))
        (tmp / "done.json").write_text(json.dumps(prepared.stats.to_dict()))

    publish_folder(folder, write)


def publish_folder(folder: Path, write) -> bool:
    """Fill a cache folder through `write(tmp)` in a temporary folder, then rename it into place, so a
    crash never leaves an entry that looks complete. False when it could not be written or another
    process got there first: a cache is optional, the caller goes on without it."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with replacing(folder) as tmp:
            write(tmp)
        return True
    except OSError:
        return False


def _prepare(corpus: Corpus, tokenizer, settings: ExampleSettings, val_corpus: Corpus | None) -> PreparedCorpus:
    from datasets import Dataset

    block = settings.block_size
    if settings.mode == "blocks":
        ids = _tokenize(corpus.documents, tokenizer)
        val_ids = _tokenize(val_corpus.documents, tokenizer) if val_corpus else None
        train, val = _blocks(ids, tokenizer.eos_token_id, settings, val_ids)
        if len(train) == 0 or len(val) == 0:
            which = "validation file" if len(val) == 0 and val_corpus else "corpus"
            raise PlaygroundError(f"The {which} is shorter than one block of {block} tokens; choose a smaller block size.")
        train_ds = Dataset.from_dict({"input_ids": train})
        val_ds = Dataset.from_dict({"input_ids": val})
        lengths = [len(r) for r in ids["input_ids"]]
    else:
        ids = _tokenize(_lines(corpus.documents, corpus.line_based), tokenizer)
        examples = _line_examples(ids, tokenizer, block)
        if val_corpus is not None:
            train_ds = examples
            val_ds = _line_examples(_tokenize(_lines(val_corpus.documents, val_corpus.line_based), tokenizer), tokenizer, block)
        else:
            if len(examples) < 2:
                raise PlaygroundError("Line-by-line mode needs at least two non-blank lines or records; add text.")
            split = examples.train_test_split(test_size=settings.val_fraction, seed=settings.seed)
            train_ds, val_ds = split["train"], split["test"]
        lengths = [len(r) for r in ids["input_ids"]]

    counts = Counter()
    for row in ids["input_ids"]:
        counts.update(row)
    top = [(tokenizer.decode([t]), c) for t, c in counts.most_common(20)]
    stats = CorpusStats(
        files=len(corpus.files) + (len(val_corpus.files) if val_corpus else 0),
        characters=corpus.characters,
        lines=corpus.lines,
        tokens=int(sum(lengths)),
        train_examples=len(train_ds),
        val_examples=len(val_ds),
        tokens_per_example=block,
        mode=settings.mode,
        top_tokens=top,
        example_lengths=lengths[:100_000],
    )
    return PreparedCorpus(train_ds, val_ds, stats, settings.mode)


def scored_text(examples: Dataset, tokenizer, mode: str) -> tuple[int, int]:
    """(tokens the loss scores, characters they spell) over validation examples, so that a loss in nats per
    token becomes nats per character, which compares runs whose tokenizers differ.

    The loss scores every token of an example but its first (nothing precedes it); padding is never in an
    example (the collator adds it, masked). The characters are those of the text the scored tokens decode
    to, special tokens none, except that a line's closing <|endoftext|> counts as the line break it stands
    for, so a line-by-line run and a block run of the same text count the same characters.
    """
    ids = [row[1:] for row in examples["input_ids"]]
    texts = tokenizer.batch_decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
    characters = sum(map(len, texts)) + (len(ids) if mode == "lines" else 0)
    return sum(map(len, ids)), characters


def line_token_lengths(corpus: Corpus, tokenizer, limit: int = 100_000) -> list[int]:
    """Tokens per non-blank line (the first `limit` lines), for a length histogram of few-document corpora."""
    lines = [ln for ln in corpus.text().split("\n") if ln.strip()][:limit]
    return [len(ids) for ids in tokenizer(lines, add_special_tokens=False, verbose=False)["input_ids"]] if lines else []


def collator(tokenizer, mode: str):
    """Batches for the Trainer. Blocks are equal length; lines are padded with labels -100 on the padding.

    DataCollatorForLanguageModeling would also mask every eos (GPT-2's pad is its eos), so lines use
    DataCollatorForSeq2Seq, which pads precomputed labels with -100 instead.
    """
    from transformers import DataCollatorForSeq2Seq, default_data_collator

    if mode == "blocks":
        def collate(features):
            batch = default_data_collator(features)
            batch["labels"] = batch["input_ids"].clone()
            return batch

        return collate
    return DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100, return_tensors="pt")
