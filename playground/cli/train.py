"""`python -m playground train`: fine-tune or train from scratch, with a terminal progress bar."""

from __future__ import annotations

import argparse
import json
import sys

from playground.corpus import Cleaning


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", action="append", required=True, metavar="FILE", help="corpus file (repeatable): .txt .md .csv .jsonl .json")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", metavar="NAME_OR_FOLDER", help="fine-tune: gpt2, gpt2-medium, gpt2-large, gpt2-xl, demo or a model folder")
    src.add_argument("--scratch", metavar="SIZE", help="train from scratch: tiny, mini, small, medium, large, xl")
    p.add_argument("--output", required=True, metavar="DIR", help="output folder")
    p.add_argument("--tokenizer", default="gpt2", metavar="gpt2|bpe:VOCAB", help="from scratch: GPT-2's BPE or a BPE trained on the corpus")
    p.add_argument("--val-file", action="append", default=[], metavar="FILE", help="explicit validation file (repeatable)")
    p.add_argument("--text-field", metavar="NAME", help="csv/json column holding the text")
    p.add_argument("--block-size", type=int, metavar="N")
    p.add_argument("--stride", type=int, metavar="N", help="tokens between block starts (< block size overlaps)")
    p.add_argument("--line-by-line", action="store_true", help="each line/record is one example")
    p.add_argument("--batch-size", type=int, metavar="N")
    p.add_argument("--grad-accum", type=int, default=1, metavar="N")
    p.add_argument("--lr", type=float, metavar="X")
    p.add_argument("--schedule", default="cosine", choices=["linear", "cosine", "constant", "wsd"],
                   help="decay after warm-up (wsd: flat, then linear to 0 over the last 20%%)")
    p.add_argument("--optimizer", choices=["adamw", "muon"],
                   help="muon (from scratch only: Muon on the blocks' matrices, AdamW at --lr on the rest; "
                        "the default from scratch) or adamw (the default for fine-tuning)")
    p.add_argument("--muon-lr", type=float, metavar="X", help="with --optimizer muon: Muon's learning rate (default 0.02)")
    p.add_argument("--warmup", type=int, metavar="N", help="warm-up optimizer steps")
    p.add_argument("--weight-decay", type=float, metavar="X")
    p.add_argument("--max-grad-norm", type=float, default=1.0, metavar="X", help="gradient clipping (0: off)")
    p.add_argument("--epochs", type=float, metavar="N")
    p.add_argument("--max-steps", type=int, metavar="N")
    p.add_argument("--max-minutes", type=float, metavar="M", help="time budget")
    p.add_argument("--eval-every", type=int, metavar="N", help="optimizer steps between evaluations")
    p.add_argument("--val-fraction", type=float, default=0.1, metavar="F")
    p.add_argument("--seed", type=int, default=42, metavar="S")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "fp16", "bf16"])
    p.add_argument("--dropout", type=float, metavar="P")
    p.add_argument("--lora", action="store_true", help="train LoRA adapters (merged into the saved model)")
    p.add_argument("--lora-r", type=int, default=8, metavar="R")
    p.add_argument("--lora-alpha", type=int, default=16, metavar="A", help="LoRA scaling (alpha / r multiplies the adapters)")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint in --output")
    p.add_argument("--sample-prompt", metavar="TEXT", help="prompt of the sample generated at each evaluation")
    p.add_argument("--sample-tokens", type=int, default=40, metavar="N", help="length of that sample")
    p.add_argument("--drop-blank-lines", action="store_true")
    p.add_argument("--strip-page-numbers", action="store_true")
    p.add_argument("--collapse-spaces", action="store_true")
    p.add_argument("--dedupe-lines", action="store_true")


def config_from_args(args: argparse.Namespace):
    """The TrainConfig the command line describes (playground.runs.train_command writes the reverse)."""
    from playground.train_config import TrainConfig

    return TrainConfig(
        corpus=args.corpus, output=args.output, model=args.model, scratch=args.scratch, tokenizer=args.tokenizer,
        val_files=args.val_file, text_field=args.text_field,
        cleaning=Cleaning(args.drop_blank_lines, args.strip_page_numbers, args.collapse_spaces, args.dedupe_lines),
        block_size=args.block_size, stride=args.stride, line_by_line=args.line_by_line, batch_size=args.batch_size,
        grad_accum=args.grad_accum, lr=args.lr, schedule=args.schedule, optimizer=args.optimizer,
        muon_lr=args.muon_lr, warmup=args.warmup,
        weight_decay=args.weight_decay, max_grad_norm=args.max_grad_norm, epochs=args.epochs,
        max_steps=args.max_steps, max_minutes=args.max_minutes, eval_every=args.eval_every,
        val_fraction=args.val_fraction, seed=args.seed, precision=args.precision, dropout=args.dropout,
        lora=args.lora, lora_r=args.lora_r, lora_alpha=args.lora_alpha, resume=args.resume,
        sample_prompt=args.sample_prompt, sample_tokens=args.sample_tokens,
    )


def run(args: argparse.Namespace) -> int:
    from playground.training import TrainingJob

    config = config_from_args(args)
    bar = _ProgressBar()
    try:
        final = TrainingJob(config, on_record=bar.update).run()
    finally:
        bar.close()
    if _is_main():
        print(json.dumps({"output": config.output, **final}, indent=2))
    return 0


def _is_main() -> bool:
    import os

    return os.environ.get("RANK", "0") == "0"


class _ProgressBar:
    """A one-line terminal bar: step, train loss, val loss/perplexity, tokens/s, ETA."""

    def __init__(self):
        self.bar = None  # made at the first record, so a run refused up front prints only its error
        self.post: dict = {}

    def update(self, rec: dict) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=None, unit="step", dynamic_ncols=True, file=sys.stderr, disable=not _is_main())
        if "train_loss" in rec:
            self.post.update(loss=f"{rec['train_loss']:.3f}", tok_s=f"{rec['tokens_per_second']:.0f}")
            if rec.get("eta") is not None:
                self.post["eta"] = f"{rec['eta']:.0f}s"
        if "val_loss" in rec:
            self.post.update(val=f"{rec['val_loss']:.3f}", ppl=f"{rec['val_perplexity']:.1f}")
            self.bar.write(f"step {rec['step']}: val loss {rec['val_loss']:.3f}, sample: {rec.get('sample', '')[:120]!r}", file=sys.stderr)
        self.bar.n = rec["step"]
        self.bar.set_postfix(self.post, refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
