"""Cost of the step records and of one decoding-lab refresh.

    python bench/bench_generation.py [--new-tokens 128] [--repeats 7] [--threads 1]

Generates with `playground.generation.generate` (step records from output_scores/output_logits)
and with plain `model.generate` on the same locally built GPT-2 (6 layers, 384 wide, GPT-2's
50 257-token vocabulary: big enough that per-step costs are realistic, small enough for a CPU),
same seed and knobs, so both produce the same tokens. Runs alternate; medians are compared on the
process's CPU time, which other processes' load does not inflate.
Then times one lab refresh: forward pass + every stage + a 10 000-draw histogram.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.decoding import histogram, lab  # noqa: E402
from playground.generation import generate  # noqa: E402
from playground.knobs import DecodingSettings  # noqa: E402
from playground.tokenization import gpt2_tokenizer  # noqa: E402

PROMPT = "When shall we three meet again in thunder, lightning, or in rain? When the hurlyburly's done,"
KNOBS = dict(temperature=0.8, top_k=50, top_p=0.95, repetition_penalty=1.2)


def build_model() -> GPT2LMHeadModel:
    torch.manual_seed(0)
    config = GPT2Config(n_layer=6, n_head=6, n_embd=384, n_positions=1024, vocab_size=50257,
                        bos_token_id=50256, eos_token_id=50256)
    return GPT2LMHeadModel(config).eval()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (default 1: on a shared machine, spinning OpenMP threads make timings swing by 5x)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    model, tok = build_model(), gpt2_tokenizer()
    ids = torch.tensor([tok.encode(PROMPT)])
    settings = DecodingSettings(max_new_tokens=args.new_tokens, seed=0, **KNOBS)

    def plain() -> int:
        torch.manual_seed(0)
        out = model.generate(ids, attention_mask=torch.ones_like(ids), pad_token_id=50256, do_sample=True,
                             max_new_tokens=args.new_tokens, **KNOBS)
        return out.shape[1] - ids.shape[1]

    def recorded() -> int:
        return len(generate(model, tok, PROMPT, settings).sequences[0].steps)

    plain(), recorded()  # warm-up: lazy imports, allocator, first-call paths
    # Wall time swings with other processes' load on a shared machine; with one thread, the process's
    # CPU time is the work done, so the ratio is taken on CPU time (wall time is shown too).
    wall = {"plain": [], "records": []}
    cpu = {"plain": [], "records": []}
    pair = [("plain", plain), ("records", recorded)]
    for i in range(args.repeats):  # alternate (ABBA), so drift and run order hit both alike
        for name, fn in pair if i % 2 == 0 else pair[::-1]:
            w0, c0 = time.perf_counter(), time.process_time()
            n = fn()
            wall[name].append(n / (time.perf_counter() - w0))
            cpu[name].append(n / (time.process_time() - c0))
    med = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"model: GPT-2 6 layers x 384, vocab 50257, {sum(x.numel() for x in model.parameters()) / 1e6:.0f}M parameters, "
          f"{torch.get_num_threads()} thread(s); {args.new_tokens} new tokens, {args.repeats} alternating runs each")
    for name, label in (("plain", "plain generate:       "), ("records", "generate with records:")):
        print(f"{label} {med[name]:6.1f} tokens per CPU-second (wall clock: {statistics.median(wall[name]):6.1f} tokens/s)")
    print(f"ratio: {med['records'] / med['plain']:.3f} (must be >= 0.90)")

    lab_settings = DecodingSettings(seed=0, **KNOBS, min_p=0.01, typical_p=0.95, no_repeat_ngram_size=3)
    lab(model, tok, PROMPT, lab_settings)  # warm-up
    wall_ms, cpu_ms, hist_ms = [], [], []
    for seed in range(args.repeats * 2):
        w0, c0 = time.perf_counter(), time.process_time()
        result = lab(model, tok, PROMPT, lab_settings.replace(seed=seed), samples=10_000)
        wall_ms.append((time.perf_counter() - w0) * 1000)
        cpu_ms.append((time.process_time() - c0) * 1000)
        w0 = time.perf_counter()
        histogram(result.final_probs, 10_000, seed, tok)
        hist_ms.append((time.perf_counter() - w0) * 1000)
    print(f"lab refresh (forward + 9 stages + 10 000-draw histogram): {statistics.median(cpu_ms):.1f} ms CPU, "
          f"{statistics.median(wall_ms):.1f} ms wall (median)")
    print(f"  of which the 10 000-draw histogram: {statistics.median(hist_ms):.1f} ms wall (median)")


if __name__ == "__main__":
    main()
