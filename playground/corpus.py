"""Corpus: files -> cleaned documents -> tokenized train/validation examples, with stats.

Reading goes through `datasets` (`load_dataset("text" | "csv" | "json")`); tokenization is the fast
tokenizer, batched through `Dataset.map`. Two ways to make examples:

* blocks: documents joined with `<|endoftext|>`, cut into `block_size`-token windows every `stride`
  tokens (stride < block size gives overlapping windows, as GPT2-Chinese does);
* lines: each line (or csv/json record) one example, wrapped in bos/eos, padded in the batch with the
  padding masked out of the loss.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:  # datasets (and pyarrow) cost a second to import: loaded where a corpus is read, not with the app
    from datasets import Dataset

from playground.atomic import replacing
from playground.errors import PlaygroundError
from playground.paths import cache_root
from playground.values import check_seed

TABLE_SUFFIXES = {".csv": "csv", ".jsonl": "json", ".json": "json"}
MIN_ADVISED_BLOCK = 16  # the Data tab's block-size slider: its minimum and its step
MAX_SHARDS = 20  # the block split assigns whole contiguous shards to validation (see _split_shards)
# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Cleaning:
    """Optional clean-ups, each off unless the user turns it on."""

    drop_blank_lines: bool = False
    """Drop blank lines: a model trained on text full of them learns to emit them."""
    strip_page_numbers: bool = False
    """Drop lines that are only a page number ("12", "- 12 -", "Page 12")."""
    collapse_spaces: bool = False
    """Runs of spaces and tabs become one space."""
    dedupe_lines: bool = False
    """Keep only the first occurrence of each identical non-blank line."""


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


# --------------------------------------------------------------------------- reading


@dataclass
class Corpus:
    """Cleaned documents (one row per text file, or per csv/json record) and where they came from."""

    documents: Dataset  # column "text"
    files: list[str]
    content_hash: str
    line_based: bool  # csv/json records are natural examples for line-by-line mode

    @property
    def characters(self) -> int:
        return sum(len(t) for t in self.documents["text"])

    @property
    def lines(self) -> int:
        return sum(t.count("\n") + (1 if t and not t.endswith("\n") else 0) for t in self.documents["text"])

    def text(self) -> str:
        return "\n".join(self.documents["text"])


HEAD_BYTES = 65_536  # what the binary and encoding checks look at before anything else is read
CHUNK_BYTES = 1 << 20  # the rest of a file is checked and hashed in chunks of this size, never held whole
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-32": "UTF-32"}


def _encoding(path: Path, head: bytes) -> str:
    """The encoding to read a file with, judged from its first bytes: UTF-16/32 with a byte-order mark,
    else UTF-8 (a UTF-8 BOM is dropped); binary files and BOM-less UTF-16 are refused with one sentence."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if max(even.count(0), odd.count(0)) > 0.4 * len(odd) and min(even.count(0), odd.count(0)) < 0.05 * len(odd):
            raise PlaygroundError(
                f"The file '{path.name}' looks like UTF-16 text without a byte-order mark; re-save it as UTF-8 (or UTF-16 with a BOM)."
            )
        raise PlaygroundError(f"The file '{path.name}' looks binary, not text; save it as UTF-8 plain text.")
    return "utf-8-sig"


def _check_file(path: Path, digest=None) -> str:
    """Check a corpus or text file without holding it in memory; return the encoding to read it with.

    The first HEAD_BYTES decide binary vs text and the encoding, so a large binary file is refused
    after reading 64 KB; the rest is then decoded chunk by chunk (invalid bytes and blank files are
    refused) and fed to `digest`. Missing paths and folders get their own sentence.
    """
    if path.is_dir():
        raise PlaygroundError(f"'{path}' is a folder, not a file; pass the files inside it (for example {path}/*.txt).")
    if not path.is_file():
        raise PlaygroundError(f"The file '{path}' does not exist; check the path.")
    with path.open("rb") as f:
        chunk = f.read(HEAD_BYTES)
        if not chunk.strip():
            rest = f.read(1)
            if not rest:
                raise PlaygroundError(f"The file '{path.name}' is empty; choose a file with some text in it.")
            chunk += rest
        encoding = _encoding(path, chunk)
        decoder = codecs.getincrementaldecoder(encoding)()
        offset, blank = 0, True
        while chunk:
            if digest is not None:
                digest.update(chunk)
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as e:
                raise PlaygroundError(
                    f"The file '{path.name}' is not valid {_NAMES[encoding]} (byte {offset + e.start}); re-save it as UTF-8 text."
                ) from None
            blank = blank and not text.strip()
            offset += len(chunk)
            chunk = f.read(CHUNK_BYTES)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise PlaygroundError(f"The file '{path.name}' ends in the middle of a character; re-save it as UTF-8 text.") from None
    if blank:
        raise PlaygroundError(f"The file '{path.name}' is empty; choose a file with some text in it.")
    return encoding


def read_text_file(path: Path, limit: int | None = None) -> str:
    """A whole text file (UTF-8, or UTF-16/32 with a byte-order mark; a BOM is dropped), refused with one
    sentence when missing, a folder, empty or binary. `limit` keeps only the first characters (a preview)."""
    path = Path(path)
    encoding = _check_file(path)
    with path.open(encoding=encoding, newline="") as f:
        return f.read() if limit is None else f.read(limit)


def _pick_field(ds: Dataset, name: str, text_field: str | None) -> str:
    # nested columns have no dtype
    strings = [c for c in ds.column_names if getattr(ds.features[c], "dtype", None) in ("string", "large_string")]
    return pick_text_column(ds.column_names, strings, name, text_field, guess=False)


def pick_text_column(columns: list[str], string_columns: list[str], name: str, text_field: str | None, *,
                     guess: bool = True) -> str:
    """The column holding the text: `text_field` when named, else 'text', else a table's only column when it
    holds text, else (`guess`: a dataset's declared features) the first string column.

    A csv/json file is never guessed at (`guess` False): a table of ids, labels and scores has string columns
    too, and training on its labels would run without a word of complaint (issue 19).
    """
    if text_field:
        if text_field not in columns:
            raise PlaygroundError(f"'{name}' has no column '{text_field}'; its columns are: {', '.join(columns)}.")
        return text_field
    if "text" in columns:
        return "text"
    if string_columns and (guess or list(columns) == list(string_columns[:1])):
        return string_columns[0]
    raise PlaygroundError(f"'{name}' has no text column; name one of {', '.join(columns)} as the text field.")


def _json_line_error(path: Path, encoding: str) -> str | None:
    """The first line of a JSON Lines file that is not one JSON object, as a sentence; None when all are.

    Read line by line, so a large file is never held whole.
    """
    with path.open(encoding=encoding) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line.rstrip("\r\n"))
            except json.JSONDecodeError as e:
                return f"Line {number} of '{path.name}' is not valid JSON ({e.msg} at column {e.colno}); fix or remove that line."
            except RecursionError:
                return f"Line {number} of '{path.name}' is nested too deeply to read; write one flat object per line, like {{\"text\": \"...\"}}."
            if not isinstance(record, dict):
                return (f"Line {number} of '{path.name}' is a JSON {type(record).__name__}, not an object with a text field; "
                        f"write one object per line, like {{\"text\": \"...\"}}.")
    return None


def _json_layout(path: Path, encoding: str) -> str | None:
    """How to read a .json file: None for a list of records (or JSON Lines), or the name of the one key of
    a top-level object that holds the list of records (`{"data": [...]}`). Refuses anything else."""
    with path.open(encoding=encoding) as f:
        try:
            doc = json.load(f)
        except json.JSONDecodeError as e:
            if e.msg == "Extra data":  # several top-level values: JSON Lines in a .json file
                problem = _json_line_error(path, encoding)
                if problem:
                    raise PlaygroundError(problem) from None
                return None
            raise PlaygroundError(
                f"'{path.name}' is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno}); fix the file or save it as JSON Lines."
            ) from None
        except RecursionError:  # Python's parser recurses once per level: [[[[…]]]] 100 000 deep
            raise PlaygroundError(
                f"'{path.name}' is nested too deeply to read; write a list of objects like [{{\"text\": \"...\"}}] or one object per line (JSON Lines)."
            ) from None
    if isinstance(doc, list):
        if not all(isinstance(r, dict) for r in doc):
            raise PlaygroundError(f"'{path.name}' must be a list of objects with a text field, like [{{\"text\": \"...\"}}].")
        return None
    if isinstance(doc, dict):
        lists = [k for k, v in doc.items() if isinstance(v, list) and v and all(isinstance(r, dict) for r in v)]
        if len(lists) == 1:
            return lists[0]
        if any(isinstance(v, str) for v in doc.values()):
            return None  # one record
    raise PlaygroundError(
        f"'{path.name}' holds no list of records; write a list of objects like [{{\"text\": \"...\"}}] or one object per line (JSON Lines)."
    )


def _read_file(path: Path, text_field: str | None, encoding: str) -> tuple[Dataset, bool]:
    from datasets import Value, load_dataset
    suffix = path.suffix.lower()
    # datasets reads UTF-8 itself (and copes with a UTF-8 BOM); other encodings are named to it.
    extra = {} if encoding == "utf-8-sig" else {"encoding": encoding}
    if suffix in TABLE_SUFFIXES:
        if suffix == ".jsonl":
            problem = _json_line_error(path, encoding)
            if problem:
                raise PlaygroundError(problem)
        elif suffix == ".json":
            key = _json_layout(path, encoding)
            if key is not None:
                extra["field"] = key
        try:
            ds = load_dataset(TABLE_SUFFIXES[suffix], data_files=str(path), split="train", **extra)
        except Exception as e:  # datasets raises many types for malformed tables
            raise PlaygroundError(f"Could not read '{path.name}' as {suffix[1:]}: {str(e).splitlines()[0][:200]}") from None
        col = _pick_field(ds, path.name, text_field)
        ds = ds.select_columns([col]).rename_column(col, "text") if col != "text" else ds.select_columns(["text"])
        ds = ds.filter(lambda b: [isinstance(t, str) and t.strip() != "" for t in b["text"]], batched=True)
        return ds.cast_column("text", Value("string")), True  # json gives large_string; files must concatenate
    # Anything else is read as plain text, one document per file ("utf-8-sig" drops a BOM).
    ds = load_dataset("text", data_files=str(path), split="train", sample_by="document", encoding=encoding)
    return ds.cast_column("text", Value("string")), False


def clean_text(text: str, cleaning: Cleaning, seen: set[str] | None = None) -> str:
    """Apply the chosen clean-ups to one document. `seen` carries dedupe state across documents."""
    if cleaning == Cleaning():
        return text
    out = []
    for line in text.split("\n"):
        if cleaning.collapse_spaces:
            line = re.sub(r"[ \t]+", " ", line).strip(" ")
        if cleaning.strip_page_numbers and re.fullmatch(r"\s*(?:page\s*)?[-–—]?\s*\d{1,5}\s*[-–—]?\s*", line, re.I):
            continue
        if cleaning.drop_blank_lines and not line.strip():
            continue
        if cleaning.dedupe_lines and line.strip() and seen is not None:
            if line in seen:
                continue
            seen.add(line)
        out.append(line)
    return "\n".join(out)


def load_corpus(files: list[str | os.PathLike], cleaning: Cleaning = Cleaning(), text_field: str | None = None) -> Corpus:
    """Read and clean one or more corpus files (.txt/.md, .csv, .jsonl/.json)."""
    from datasets import concatenate_datasets
    if not files:
        raise PlaygroundError("No corpus file given; upload or name at least one text file.")
    paths = [Path(f) for f in files]
    h = hashlib.sha256()  # the cache key: the files' content and the cleaning settings
    encodings = [_check_file(p, h) for p in paths]
    parts, line_based = [], []
    for p, encoding in zip(paths, encodings):
        ds, lb = _read_file(p, text_field, encoding)
        parts.append(ds)
        line_based.append(lb)
    docs = concatenate_datasets(parts) if len(parts) > 1 else parts[0]
    return finish_corpus(docs, [str(p) for p in paths], h, cleaning, text_field, all(line_based))


def finish_corpus(docs: Dataset, files: list[str], digest, cleaning: Cleaning, text_field: str | None,
                  line_based: bool) -> Corpus:
    """Documents as read (column "text") made a Corpus: cleaned, blank ones dropped, `digest` (the content read
    so far) completed with the settings that change what is trained on."""
    if cleaning != Cleaning():
        seen: set[str] = set()  # dedupe across files too; map runs in this process, in order
        docs = docs.map(lambda b: {"text": [clean_text(t, cleaning, seen) for t in b["text"]]}, batched=True,
                        load_from_cache_file=False)
    docs = docs.filter(lambda b: [t.strip() != "" for t in b["text"]], batched=True, load_from_cache_file=False)
    if len(docs) == 0:
        if cleaning != Cleaning():
            raise PlaygroundError("The corpus is empty after cleaning; turn off some cleaning options or add text.")
        what = "record" if line_based else "document"
        raise PlaygroundError(f"The corpus holds no text: every {what} in it is blank; add some text.")
    digest.update(json.dumps([asdict(cleaning), text_field]).encode())
    return Corpus(docs, files, digest.hexdigest()[:16], line_based)


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
