"""A from-scratch run's pieces: its tokenizer (GPT-2's, or a BPE trained on the corpus — shipped for the bundled
plays, else trained once and cached) and its new model, and the dropout settings a model is built with."""

from __future__ import annotations

from pathlib import Path

from playground import corpus as corpus_lib
from playground import corpus_files
from playground.assets import SHIPPED_TOKENIZERS
from playground.models import scratch_model
from playground.paths import cache_root
from playground.tokenization import gpt2_tokenizer, load_tokenizer, parse_tokenizer_spec, train_bpe_tokenizer
from playground.train_config import TrainConfig
from playground.trainer import main_process_first

DROPOUTS = ("resid_pdrop", "embd_pdrop", "attn_pdrop")  # GPT2Config's dropout probabilities, one --dropout for all


def dropouts(p: float | None) -> dict:
    """GPT2Config keyword arguments for one dropout probability (None: the model's own)."""
    return {} if p is None else dict.fromkeys(DROPOUTS, p)


def scratch_tokenizer(spec: str, corpus: corpus_files.Corpus, resume_from: Path | None):
    """A from-scratch run's tokenizer: its checkpoint's on resume, else GPT-2's or a BPE trained on the corpus."""
    vocab = parse_tokenizer_spec(spec)
    if resume_from:
        return load_tokenizer(resume_from)
    if vocab is None:
        return gpt2_tokenizer()
    name = f"{corpus.content_hash}-bpe{vocab}"
    if (SHIPPED_TOKENIZERS / name / "tokenizer.json").exists():
        return load_tokenizer(SHIPPED_TOKENIZERS / name)  # the bundled corpus's, trained once and shipped
    # Trained once per corpus and size, then cached (and shared by every process of a DDP run).
    folder = cache_root() / "tokenizers" / name

    def train():
        if not (folder / "tokenizer.json").exists():
            tok = train_bpe_tokenizer(corpus.documents["text"], vocab)
            corpus_lib.publish_folder(folder, tok.save_pretrained)
            if not (folder / "tokenizer.json").exists():
                return tok  # the cache could not be written: train without it
        return load_tokenizer(folder)

    return main_process_first(train)


def new_model(cfg: TrainConfig, tokenizer):
    """A from-scratch GPT-2 of the settings' size, its context the block size, its special tokens the tokenizer's."""
    model = scratch_model(cfg.scratch, vocab_size=len(tokenizer), n_positions=cfg.block_size, seed=cfg.seed,
                          **dropouts(cfg.dropout))
    model.config.bos_token_id = model.config.eos_token_id = tokenizer.eos_token_id
    model.config.pad_token_id = model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model
