"""Before Start: about how fast a run will train on this machine, and how long it will take.

A training step costs its FLOPs (nanoGPT's estimate: 6 × parameters per token for the matmuls forward
and backward, plus 12 × layers × width × block for attention) at the rate the machine multiplies, plus
a per-token overhead that dominates small models on a CPU (element-wise ops, the optimizer, Python).
Rate and overhead were separated once on the development machine (2 CPU cores) by two probes whose
FLOPs differ 7× (a tiny GPT-2 with a 4 000- and a 50 257-token vocabulary); on another machine one
short probe (the first, about a second) scales both by how much faster or slower it is; the probe runs in
the precision a run will use there (`pick_precision("auto")`), so bf16 on a CPU that has it is counted in.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from playground.models import SCRATCH_SIZES, pick_precision, with_causal_lm_loss

# Shapes of the catalog models, so an estimate never downloads one: (layers, width, vocabulary).
PRETRAINED_SHAPES = {"gpt2": (12, 768, 50257), "gpt2-medium": (24, 1024, 50257),
                     "gpt2-large": (36, 1280, 50257), "gpt2-xl": (48, 1600, 50257)}
PROBE = dict(n_layer=2, n_embd=128, vocab=4000, block=128, batch=32, steps=2)
# Measured on the 2-core development machine with both probes (see the module docstring); what carries
# over to other machines is their ratio, the probe rescales both.
REFERENCE_RATE = 1.2e11  # FLOP/s
REFERENCE_OVERHEAD = 2.1e-4  # seconds per token, for the probe's 2 × 128 body

_rate: dict[str, tuple[float, float]] = {}
_rate_lock = threading.Lock()


def flops_per_token(n_layer: int, n_embd: int, vocab: int, block: int, trainable_share: float = 1.0) -> float:
    """Training FLOPs per token: forward + backward of every weight, plus attention over the block.

    LoRA (`trainable_share` < 1) still runs the full forward and backward through the activations, but
    skips the weight gradients of frozen matrices: about 2/3 of the matmul cost.
    """
    params = 12 * n_layer * n_embd**2 + vocab * n_embd + block * n_embd
    matmuls = 6 * params if trainable_share >= 1 else 4 * params
    return matmuls + 12 * n_layer * n_embd * block


def machine_rate(device: str = "cpu", fresh: bool = False, threads: int | None = None) -> tuple[float, float]:
    """(FLOP/s, seconds of overhead per token) of this machine, scaled from the reference by one probe.

    Probed once per process, or again with `fresh` (the quick demo measures the machine as it is now: the
    same host trains at half the speed while another process keeps a core busy). `threads`: with that many
    torch threads (default: this thread's count)."""
    key = (device, threads)
    with _rate_lock:
        if fresh or key not in _rate:
            p = PROBE
            reference = REFERENCE_OVERHEAD + flops_per_token(p["n_layer"], p["n_embd"], p["vocab"], p["block"]) / REFERENCE_RATE
            speed = reference / _probe(device, p["vocab"], threads)  # > 1: faster than the reference machine
            _rate[key] = (REFERENCE_RATE * speed, REFERENCE_OVERHEAD / speed)
        return _rate[key]


def threads_now(device: str, cores: int) -> int | None:
    """1 when one torch thread trains faster than this thread's count (`cores`) on this machine now, else None
    (every core). Probes fresh: every core always (what an estimate made next uses), one thread too on a
    multi-core CPU. On a shared CPU each operation split over two threads waits for the slower one, and while
    another process keeps a core busy that wait costs more than the split gains (docs/benchmarks.md: 243
    steps against 556 in two minutes beside a busy loop)."""
    every = machine_rate(device, fresh=True)[1]
    if device == "cpu" and cores > 1 and machine_rate(device, fresh=True, threads=1)[1] < every:
        return 1
    return None


def _probe(device: str, vocab: int, threads: int | None = None) -> float:
    """Seconds per token of a few optimizer steps of a tiny GPT-2 with this vocabulary (and torch threads)."""
    import torch

    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)  # this thread's count only (memo.one_torch_thread)
    try:
        return _timed_steps(device, vocab)
    finally:
        if threads:
            torch.set_num_threads(before)


def _timed_steps(device: str, vocab: int) -> float:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    p = PROBE
    config = GPT2Config(n_layer=p["n_layer"], n_head=2, n_embd=p["n_embd"], vocab_size=vocab, n_positions=p["block"],
                        bos_token_id=0, eos_token_id=0)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = with_causal_lm_loss(GPT2LMHeadModel(config)).to(device)
        batch = torch.randint(0, vocab, (p["batch"], p["block"]), device=device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    # Timed in the precision a run on this device trains in (bf16 autocast halves a step on a CPU with bf16).
    precision = pick_precision("auto")
    autocast = torch.autocast(torch.device(device).type, dtype=torch.bfloat16 if precision == "bf16" else torch.float16,
                              enabled=precision != "fp32")

    def step():
        with autocast:
            loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    step()  # warm-up: allocation, kernels
    if device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(p["steps"]):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / (p["steps"] * p["batch"] * p["block"])


def model_shape(model: str | None, scratch: str | None, vocab: int | None) -> tuple[int, int, int]:
    """(layers, width, vocabulary) of what a run trains, without loading it."""
    if scratch:
        s = SCRATCH_SIZES[scratch]
        return s.n_layer, s.n_embd, vocab or 50257
    if model in PRETRAINED_SHAPES:
        return PRETRAINED_SHAPES[model]
    if model == "demo":
        from playground.models import DEMO_MODEL_DIR

        model = str(DEMO_MODEL_DIR)
    try:
        c = json.loads((Path(model or "") / "config.json").read_text(encoding="utf-8"))
        return c["n_layer"], c["n_embd"], c["vocab_size"]
    except (OSError, ValueError, KeyError, TypeError):
        return PRETRAINED_SHAPES["gpt2"]  # an unknown model: assume GPT-2 small


@dataclass
class Estimate:
    tokens_per_second: float
    tokens_per_step: int
    steps: int | None  # None: the run's length is not known before the corpus is prepared
    seconds: float | None
    budget_ends_it: bool
    device: str

    def describe(self) -> str:
        bits = [f"≈ {self.tokens_per_second:,.0f} tokens/s on this {self.device.upper()}",
                f"{self.tokens_per_step:,} tokens a step"]
        if self.seconds is not None:
            steps = f"{self.steps:,} steps" if self.steps and not self.budget_ends_it else "the time budget"
            bits.append(f"{steps} ≈ {fmt_duration(self.seconds)}" + (" (the time budget ends it)" if self.budget_ends_it else ""))
        return " · ".join(bits)


def estimate(*, model: str | None, scratch: str | None, vocab: int | None, block: int, batch: int, grad_accum: int = 1,
             max_steps: int | None = None, max_minutes: float | None = None, lora: bool = False,
             device: str | None = None, threads: int | None = None) -> Estimate:
    """Tokens/s and duration of a run with these settings on this machine (startup and evaluations not counted)."""
    if device is None:
        from playground.models import pick_device

        device = pick_device().type
    n_layer, n_embd, vocab = model_shape(model, scratch, vocab)
    rate, overhead = machine_rate(device, threads=threads)
    # The overhead was measured on a 2-layer, 128-wide body; element-wise work grows with layers × width.
    overhead *= n_layer * n_embd / (PROBE["n_layer"] * PROBE["n_embd"])
    tps = 1.0 / (overhead + flops_per_token(n_layer, n_embd, vocab, block, 0.1 if lora else 1.0) / rate)
    per_step = batch * grad_accum * block
    seconds = max_steps * per_step / tps if max_steps else None
    budget = max_minutes * 60 if max_minutes else None
    budget_ends = budget is not None and (seconds is None or budget < seconds)
    if budget_ends:
        seconds = budget
    return Estimate(tps, per_step, max_steps, seconds, budget_ends, device)


def fmt_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
