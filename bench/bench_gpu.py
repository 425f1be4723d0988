"""GPU fine-tuning benchmark (prints figures; not a test).

    python bench/bench_gpu.py                        # gpt2 … gpt2-xl, full and LoRA, block 1024
    python bench/bench_gpu.py --sizes gpt2 gpt2-xl --batch 4 --compile --peak-tflops 989

For each GPT-2 size, built from its `GPT2Config` with random weights (no Hub download: the figures
depend on the shapes, not the values), it runs fine-tuning steps the way `TrainingJob` does on a GPU —
bf16 autocast (fp16 with a gradient scaler where bf16 is missing), SDPA attention, fused AdamW, gradient
clipping, optionally `torch.compile` — full and with LoRA (r 8 on c_attn, c_proj, c_fc, as
`--lora`), and prints tokens/s, peak GPU memory and MFU (model FLOPs utilisation):

    FLOPs per token, full:  6 N + 12 L d T   (N non-embedding parameters + the tied head, L layers, width d,
                                              block T: the PaLM paper's count, attention included)
    FLOPs per token, LoRA:  4 N + 8 L d T    (no weight gradients for the frozen matrices)
    MFU = tokens/s x FLOPs per token / the GPU's dense bf16 peak (a table of common GPUs, or --peak-tflops)

A size that does not fit prints "out of memory" and the next one runs. On a machine without CUDA it
prints one line per GPU part it skips, runs a CPU smoke measurement of a tiny model through the same
code (so the script itself is checked), and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from transformers import GPT2Config, GPT2LMHeadModel  # noqa: E402

from playground.models import SCRATCH_SIZES, with_causal_lm_loss  # noqa: E402

SIZES = {"gpt2": "small", "gpt2-medium": "medium", "gpt2-large": "large", "gpt2-xl": "xl"}  # -> SCRATCH_SIZES
# Dense bf16 tensor-core peaks (TFLOPS, no sparsity), matched against torch.cuda.get_device_name().
PEAK_TFLOPS = [
    ("H200", 989.0), ("H100 PCIe", 756.0), ("H100", 989.0), ("GH200", 989.0), ("B200", 2250.0),
    ("A100", 312.0), ("A10G", 125.0), ("A10", 125.0), ("L40S", 362.0), ("L4", 121.0),
    ("RTX 4090", 165.0), ("RTX 3090", 71.0), ("V100", 125.0), ("T4", 65.0),
]


def gpt2_config(name: str, block: int) -> GPT2Config:
    s = SCRATCH_SIZES[SIZES[name]] if name in SIZES else SCRATCH_SIZES[name]
    return GPT2Config(n_layer=s.n_layer, n_head=s.n_head, n_embd=s.n_embd, n_positions=max(block, s.n_positions),
                      vocab_size=50257, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, attn_implementation="sdpa")


def flops_per_token(model: GPT2LMHeadModel, block: int, lora: bool) -> float:
    c = model.config
    n = sum(p.numel() for name, p in model.named_parameters() if "wpe" not in name and "lora_" not in name)
    attention = c.n_layer * c.n_embd * block
    return 4 * n + 8 * attention if lora else 6 * n + 12 * attention


def peak_tflops(override: float | None) -> float | None:
    if override:
        return override
    name = torch.cuda.get_device_name()
    return next((t for key, t in PEAK_TFLOPS if key in name), None)


def build(name: str, block: int, lora: bool, device: str, compile_: bool):
    torch.manual_seed(0)
    model = with_causal_lm_loss(GPT2LMHeadModel(gpt2_config(name, block))).to(device)  # no graph break under --compile
    model.config.use_cache = False
    if lora:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", r=8, lora_alpha=16, lora_dropout=0.05,
                                                 target_modules=["c_attn", "c_proj", "c_fc"], fan_in_fan_out=True))
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-5, weight_decay=0.0, fused=device == "cuda")
    step_model = torch.compile(model) if compile_ else model
    return model, step_model, params, opt


def measure(name: str, lora: bool, args, device: str) -> dict:
    """`warmup` untimed steps, then `steps` timed ones: tokens/s, and on CUDA peak memory and MFU."""
    cuda = device == "cuda"
    dtype = torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float16 if cuda else None
    model, step_model, params, opt = build(name, args.block, lora, device, args.compile and cuda)
    scaler = torch.amp.GradScaler("cuda") if dtype == torch.float16 else None
    x = torch.randint(0, model.config.vocab_size, (args.batch, args.block), device=device)
    autocast = (lambda: torch.autocast("cuda", dtype=dtype)) if cuda else contextlib.nullcontext

    def step():
        with autocast():
            loss = step_model(input_ids=x, labels=x).loss
        if scaler:
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
        else:
            loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        if scaler:
            scaler.step(opt)
            scaler.update()
        else:
            opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(args.warmup):
        step()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    if cuda:
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    tps = args.steps * args.batch * args.block / dt
    row = {"model": name, "mode": "lora" if lora else "full", "batch": args.batch, "block": args.block,
           "tokens_per_s": round(tps), "precision": str(dtype).replace("torch.", "") if dtype else "fp32",
           "compile": bool(args.compile and cuda)}
    if cuda:
        row["peak_memory_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
        peak = peak_tflops(args.peak_tflops)
        achieved = tps * flops_per_token(model, args.block, lora) / 1e12
        row["model_tflops"] = round(achieved, 1)
        row["mfu"] = round(achieved / peak, 3) if peak else None
    return row


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    p.add_argument("--modes", nargs="+", default=["full", "lora"], choices=["full", "lora"])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--block", type=int, default=1024)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first (allocator, autotuning, compile)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (CUDA only)")
    p.add_argument("--peak-tflops", type=float, help="the GPU's dense bf16 peak, for MFU on a GPU not in the table")
    args = p.parse_args()

    if not torch.cuda.is_available():
        print("CUDA is not available: skipping the GPU fine-tuning measurements "
              f"({', '.join(args.sizes)}; {' and '.join(args.modes)}).")
        print("CUDA is not available: skipping bf16/fp16 autocast (CPU runs stay fp32).")
        print("CUDA is not available: skipping fused AdamW (a CUDA kernel; the CPU uses the for-each AdamW).")
        print("CUDA is not available: skipping torch.compile" + (" (asked for with --compile)." if args.compile else "."))
        print("CUDA is not available: skipping peak GPU memory and MFU.")
        print("CPU smoke run instead: the `tiny` GPT-2 (2 x 128, GPT-2's 50 257-token vocabulary), block 64, batch 4, "
              "3 steps, full and LoRA, fp32, SDPA attention.")
        smoke = argparse.Namespace(batch=4, block=64, steps=3, warmup=1, compile=False, peak_tflops=None)
        for mode in args.modes:
            print(json.dumps(measure("tiny", mode == "lora", smoke, "cpu")), flush=True)
        return 0

    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    print(f"device: {torch.cuda.get_device_name()}, dense bf16 peak: {peak_tflops(args.peak_tflops) or 'unknown'} TFLOPS"
          f", torch {torch.__version__}", flush=True)
    for name in args.sizes:
        for mode in args.modes:
            try:
                row = measure(name, mode == "lora", args, "cuda")
            except torch.OutOfMemoryError:
                row = {"model": name, "mode": mode, "batch": args.batch, "block": args.block, "error": "out of memory"}
            gc.collect()  # after the except block: its traceback no longer holds the failed run's tensors
            torch.cuda.empty_cache()
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
