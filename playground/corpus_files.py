"""Reading a corpus: text files (.txt, .md) and tables (.csv, .jsonl, .json) -> cleaned documents, checked and hashed.

Reading goes through `datasets` (`load_dataset("text" | "csv" | "json")`). A file is judged binary or text from its
first bytes, then checked and hashed in chunks, so a large wrong file is refused without reading it whole. What
was read becomes a `Corpus` (playground.corpus makes training examples of it).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # datasets (and pyarrow) cost a second to import: loaded where a corpus is read, not with the app
    from datasets import Dataset

from playground.errors import PlaygroundError

TABLE_SUFFIXES = {".csv": "csv", ".jsonl": "json", ".json": "json"}


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
