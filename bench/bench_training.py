"""Training benchmarks (print figures; not tests).

    python bench/bench_training.py throughput   # TrainingJob (live metrics on) vs a bare PyTorch loop
    python bench/bench_training.py shakespeare  # best val nats/char on tinyshakespeare in 3.6 minutes
    python bench/bench_training.py shakespeare --configs tiny "tiny,bpe:1024,128,32,2e-3,muon:0.05,wsd"
    python bench/bench_training.py defaults --minutes 2 3.6 --seeds 42 1337 7  # `train --scratch tiny` vs tuned
    python bench/bench_training.py quickdemo    # the Train tab's quick demo as this machine chooses it, 2 minutes
    python bench/bench_training.py calibrate    # ms per step of a tiny model, fp32 and bf16: this host's speed now

`throughput` trains the same model on the same batches both ways and compares optimizer-step
tokens/s (target: ratio >= 0.95). `shakespeare` reads ../shared/data/tinyshakespeare.txt (first 90 %
train, last 10 % validation, nanoGPT's split) and reports the validation nats/char reached by
`python -m playground train`-equivalent runs with a 3.6-minute budget (nanoGPT's CPU recipe: 1.886).
A config is a size alone (the product's defaults: `train --scratch SIZE` and the budget, nothing else) or
`size,tokenizer,block,batch,lr[,optimizer[,schedule[,precision[,dropout[,compile]]]]]`: optimizer `adamw` (default)
or `muon[:MUON_LR]` (lr is then the AdamW rate of embeddings, norms and biases), schedule `cosine` (default),
`wsd`, `linear` or `constant`, precision `auto` (default: bf16 on a CPU with native bf16), `fp32` or `bf16`,
dropout (default, or left empty: the product's, 0 from scratch), and `compile` to torch.compile the model
(default `eager`); these runs take warm-up 50 and seed 1337. Each row carries the 1-minute load average before
and after the run.

`defaults` is the issue-22 table: for each budget, `calibrate`, then the `defaults` row (`train --scratch SIZE
--max-minutes M`, nothing else) and the `tuned` row (the same with the tuned recipe's flags spelled out:
--tokenizer bpe:1024 --block-size 128 --batch-size 32 --lr 2e-3 --optimizer muon --muon-lr 0.05 --schedule wsd,
the issue's; tiny's defaults are Muon 0.04 since the re-tune), one after the other in the same sitting, then
`calibrate` again. `--seeds 42 1337 7` runs both rows at each seed (the run's `--seed`, nothing of the recipe) and
ends with each row's mean and worst over the seeds.

`quickdemo` runs the quick demo (playground.presets.quick_demo: it probes this machine and picks the size and
batch) for its 2-minute budget, prints what it chose and why, the steps, wall time, the run's last val loss per
token and per character (the Train tab's figures), `eval`'s nats/char on the held-out plays and the last sample.
`--preset static` runs the QUICK_DEMO dict as it stands, without measuring; `--preset before` the preset as it was
before issue 22 (with PLAYGROUND_CACHE=$(mktemp -d), a newcomer's first run). `--batch B --steps N` instead trains the preset's recipe at batch B for N steps (equal work). Run it
on a slowed host, e.g. `taskset -c 0 python bench/bench_training.py quickdemo` (one core) or beside a busy loop
(`--busy`: this bench starts one, `python -c "while True: pass"`, and stops it after). Torch takes as many
threads as the process may use cores (os.sched_getaffinity), unless BENCH_THREADS says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from transformers import TrainerCallback  # noqa: E402

from playground.models import pick_precision, scratch_model  # noqa: E402
from playground.train_config import TrainConfig  # noqa: E402
from playground.training import TrainingJob, read_metrics  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "tinyshakespeare.txt"


# --------------------------------------------------------------------------- throughput


class StepTimer(TrainerCallback):
    """Wall time of each optimizer step, measured between consecutive step ends."""

    def __init__(self):
        self.times: list[float] = []

    def on_step_end(self, args, state, control, **kw):
        self.times.append(time.perf_counter())


def job_throughput(corpus_file: Path, steps: int, batch: int, block: int, out: Path) -> tuple[float, TrainingJob]:
    cfg = TrainConfig(corpus=[str(corpus_file)], output=str(out), scratch="mini", tokenizer="bpe:2000",
                      block_size=block, batch_size=batch, max_steps=steps, eval_every=10**6, lr=1e-3, warmup=0,
                      schedule="constant", seed=0, optimizer="adamw")  # the bare loop's optimizer
    timer = StepTimer()
    job = TrainingJob(cfg, callbacks=[timer])
    job.run()
    warm = 5  # skip the first steps (allocator warm-up)
    dt = timer.times[-1] - timer.times[warm]
    return (len(timer.times) - 1 - warm) * batch * block / dt, job


def bare_throughput(job: TrainingJob, steps: int, batch: int, block: int) -> float:
    """The same model shape, data, batch, optimizer, clipping: a plain loop (nanoGPT-style)."""
    run = job.prepared
    torch.manual_seed(0)
    model = scratch_model("mini", vocab_size=len(run.tokenizer), n_positions=run.context,
                          resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)  # as the job's from-scratch model
    model.train()
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
    data = torch.tensor(run.data.train["input_ids"])
    g = torch.Generator().manual_seed(0)
    times = []
    for _ in range(steps):
        idx = torch.randint(len(data), (batch,), generator=g)
        x = data[idx]
        loss = model(input_ids=x, labels=x).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        times.append(time.perf_counter())
    warm = 5
    return (len(times) - 1 - warm) * batch * block / (times[-1] - times[warm])


def throughput(args) -> None:
    corpus_file = ROOT / "assets" / "shakespeare" / "validation.txt"
    if not corpus_file.exists():
        corpus_file = ROOT / "tests" / "data" / "macbeth.txt"
    ratios, job_tps, bare_tps = [], [], []
    for rep in range(args.repeats):
        with tempfile.TemporaryDirectory() as d:
            j, job = job_throughput(corpus_file, args.steps, args.batch, args.block, Path(d) / "run")
            b = bare_throughput(job, args.steps, args.batch, args.block)
        job_tps.append(j)
        bare_tps.append(b)
        ratios.append(j / b)
        print(f"repeat {rep + 1}: TrainingJob {j:,.0f} tok/s, bare loop {b:,.0f} tok/s, ratio {j / b:.3f}", flush=True)
    print(json.dumps({
        "model": "scratch mini, bpe:2000", "batch": args.batch, "block": args.block, "steps": args.steps,
        "trainingjob_tokens_per_s": round(statistics.median(job_tps)),
        "bare_loop_tokens_per_s": round(statistics.median(bare_tps)),
        "ratio_median": round(statistics.median(ratios), 3),
    }))


# --------------------------------------------------------------------------- tinyshakespeare


def shakespeare(args) -> None:
    from playground.models import SCRATCH_SIZES, ScratchSize
    from playground.train_config import SCRATCH_DEFAULTS

    for shape in args.shape:  # e.g. wide=2,3,192: explored here before a shape earns a place in the catalog
        name, _, dims = shape.partition("=")
        layers, heads, width = map(int, dims.split(","))
        SCRATCH_SIZES[name] = ScratchSize(layers, heads, width, 1024, "bench only")
        SCRATCH_DEFAULTS[name] = SCRATCH_DEFAULTS["tiny"]  # what --configs leaves unset (weight decay, warm-up)

    work, val_text = split_shakespeare("bench-shakespeare-")
    results = []
    for spec in args.configs:
        if "," not in spec:  # a size alone: the product's defaults
            results.append(shakespeare_run(spec, {"scratch": spec}, work, val_text, args))
            continue
        size, tokenizer, block, batch, lr, *rest = spec.split(",")
        optimizer, _, muon_lr = (rest[0] if rest else "adamw").partition(":")  # adamw: the earlier runs' recipe
        schedule = rest[1] if len(rest) > 1 else "cosine"
        precision = rest[2] if len(rest) > 2 else "auto"
        dropout = float(rest[3]) if len(rest) > 3 and rest[3] else None  # None: the product's default (0 from scratch)
        compile_ = len(rest) > 4 and rest[4] == "compile"
        settings = dict(scratch=size, tokenizer=tokenizer, block_size=int(block), batch_size=int(batch), lr=float(lr),
                        optimizer=optimizer, muon_lr=float(muon_lr) if muon_lr else None, schedule=schedule,
                        precision=precision, warmup=50, seed=1337, dropout=dropout, compile=compile_)
        results.append(shakespeare_run(spec, settings, work, val_text, args))
    best = min(results, key=lambda r: r["val_nats_per_char"])
    print(json.dumps({"best": best, "nanogpt_cpu_recipe_nats_per_char": 1.886}))


def split_shakespeare(prefix: str) -> tuple[Path, str]:
    """tinyshakespeare's first 90 % as train.txt and the rest as val.txt in a new temporary folder (nanoGPT's
    split); returns the folder and the held-out text that `eval` scores."""
    if not SHARED.exists():
        sys.exit(f"{SHARED} not found: this benchmark needs ../shared/data/tinyshakespeare.txt")
    text = SHARED.read_text(encoding="utf-8")
    cut = int(len(text) * 0.9)
    work = Path(tempfile.mkdtemp(prefix=prefix))
    (work / "train.txt").write_text(text[:cut], encoding="utf-8")
    (work / "val.txt").write_text(text[cut:], encoding="utf-8")
    return work, text[cut:]


def shakespeare_run(name: str, settings: dict, work: Path, val_text: str, args) -> dict:
    """One tinyshakespeare run of `settings` (TrainConfig fields; the budget is the bench's), scored by `eval`."""
    from playground.evaluation import perplexity
    from playground.models import load_model

    out = work / name.replace(",", "_").replace(":", "").replace(" ", "_")
    cfg = TrainConfig(corpus=[str(work / "train.txt")], val_files=[str(work / "val.txt")], output=str(out),
                      max_minutes=None if args.steps else args.minutes, max_steps=args.steps, **settings)
    load_before = os.getloadavg()[0]
    t0 = time.monotonic()
    final = TrainingJob(cfg).run()
    train_min = (time.monotonic() - t0) / 60
    model, tok = load_model(str(out), device="cpu")
    res = perplexity(model, tok, val_text)
    row = {"config": name, "precision": pick_precision(cfg.precision), "train_minutes": round(train_min, 2),
           "steps": final["step"], "val_loss_per_token": round(res.loss, 4), "val_nats_per_char": round(res.nats_per_char, 4),
           "run_val_nats_per_char": round(final.get("val_nats_per_char", float("nan")), 4),
           "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    print(json.dumps(row), flush=True)
    return row


# The tuned flags (Muon 0.05). tiny's defaults have differed since the re-tune over three seeds (Muon 0.04,
# docs/benchmarks.md "Re-tuned over three seeds"), so the two rows now compare recipes, not only the noise.
TUNED = dict(tokenizer="bpe:1024", block_size=128, batch_size=32, lr=2e-3, optimizer="muon", muon_lr=0.05, schedule="wsd")


def defaults(args) -> None:
    """`train --scratch SIZE` alone beside the tuned flags, per budget and seed, with calibrate before and after;
    then each row's mean over the seeds (a recipe that wins at one seed only is no default: issue 22)."""
    work, val_text = split_shakespeare("bench-defaults-")
    recipes = {"defaults": {"scratch": args.size}, "tuned": {"scratch": args.size, **TUNED}}
    # Both rows find the corpus BPE and the tokenized text cached (the first would otherwise pay for them).
    for settings in recipes.values():
        TrainingJob(TrainConfig(corpus=[str(work / "train.txt")], val_files=[str(work / "val.txt")],
                                output=str(work / "warm-up"), **settings)).prepare()
    rows = []
    for minutes in args.minutes:
        run_args = argparse.Namespace(minutes=minutes, steps=None)
        before = calibrate_row(10)
        print(json.dumps({"calibrate": before}), flush=True)
        for seed in args.seeds:
            # The seed is the run's, not the recipe's: the defaults row still sets nothing else.
            seeded = {} if seed is None else {"seed": seed}
            for kind, settings in recipes.items():
                name = f"{kind} {args.size} {minutes:g} min" + ("" if seed is None else f" seed {seed}")
                row = shakespeare_run(name, settings | seeded, work, val_text, run_args)
                rows.append(row | {"kind": kind, "minutes": minutes, "seed": seed, "calibrate_before": before})
        print(json.dumps({"calibrate": calibrate_row(10)}), flush=True)
    means = [{"kind": kind, "minutes": minutes, "seeds": len(rs),
              "mean_val_nats_per_char": round(statistics.mean(r["val_nats_per_char"] for r in rs), 4),
              "worst_val_nats_per_char": max(r["val_nats_per_char"] for r in rs)}
             for kind in recipes for minutes in args.minutes
             if (rs := [r for r in rows if r["kind"] == kind and r["minutes"] == minutes])]
    print(json.dumps({"rows": rows, "means": means}))


# The quick demo as the Train tab ran it before issue 22: a 4 000-token BPE (trained in the budget on a fresh
# cache: run it with PLAYGROUND_CACHE=$(mktemp -d)), Muon 0.02 and cosine decay, batch 32, every core.
BEFORE = dict(tokenizer="bpe:4000", optimizer="muon", muon_lr=0.02, schedule="cosine", batch_size=32)


def quickdemo(args) -> None:
    from playground.evaluation import perplexity
    from playground.models import load_model
    from playground.presets import quick_demo, quick_demo_config
    from playground.train_config import SCRATCH_DEFAULTS

    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        print(json.dumps({"calibrate": calibrate_row(10), "cores": len(os.sched_getaffinity(0)),
                          "torch_threads": torch.get_num_threads(), "busy_loop": bool(busy)}), flush=True)
        for rep in range(args.repeats):
            with tempfile.TemporaryDirectory() as d:
                out = Path(d) / "run"
                load_before = os.getloadavg()[0]
                t0, cpu0 = time.monotonic(), time.process_time()
                if args.batch:  # equal work: the preset's recipe at this batch for --steps steps
                    chosen = {"tokenizer": SCRATCH_DEFAULTS["tiny"].tokenizer, "batch_size": args.batch,
                              "max_steps": args.steps, "max_minutes": None, "threads": args.threads}
                    cfg, why = quick_demo_config(str(out), **chosen), f"batch {args.batch}, {args.steps} steps"
                elif args.preset == "static":  # the QUICK_DEMO dict as it stands, nothing measured
                    cfg, why = quick_demo_config(str(out)), "the static preset"
                elif args.preset == "before":  # the Train tab's preset before issue 22
                    cfg, why = quick_demo_config(str(out), **BEFORE), "the preset before issue 22"
                else:
                    demo = quick_demo()
                    cfg, why = demo.config(str(out)), demo.reason
                final = TrainingJob(cfg).run()
                wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
                records = read_metrics(out)
                model, tok = load_model(str(out), device="cpu")
                held_out = perplexity(model, tok, Path(cfg.val_files[0]).read_text(encoding="utf-8"))
            first = next((r for r in records if "val_loss" in r), {})
            sample = next((r["sample"] for r in reversed(records) if r.get("sample")), "")
            print(json.dumps({"chose": why, "size": cfg.scratch, "batch": cfg.batch_size, "steps": final["step"],
                              "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "first_eval_at_s": first.get("elapsed"),
                              "val_loss": round(final["val_loss"], 4),
                              "val_nats_per_char": round(final.get("val_nats_per_char", float("nan")), 4),
                              "eval_nats_per_char": round(held_out.nats_per_char, 4),
                              "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                              "curve": [(r["step"], round(r["elapsed"]), round(r["val_nats_per_char"], 3))
                                        for r in records if "val_nats_per_char" in r],
                              "sample": sample}), flush=True)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()


# --------------------------------------------------------------------------- calibrate


def calibrate(args) -> None:
    print(json.dumps(calibrate_row(args.steps)))


def calibrate_row(steps: int) -> dict:
    """ms per optimizer step of the `tiny` GPT-2 (vocabulary 1 024, batch 32 x 128, AdamW), fp32 then bf16
    autocast: the figure quoted beside time-bound results (the suite, 3.6-minute runs), since this host's
    speed varies about 2x over a day."""
    torch.manual_seed(0)
    model = scratch_model("tiny", vocab_size=1024, n_positions=128, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randint(0, 1024, (32, 128))
    row = {}
    for precision in ("fp32", "bf16"):
        def step():
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                loss = model(input_ids=x, labels=x).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
        for _ in range(3):  # warm-up
            step()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        row[f"{precision}_ms_per_step"] = round((time.perf_counter() - t0) / steps * 1000, 1)
    return row | {"load_1min": round(os.getloadavg()[0], 2)}


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--steps", type=int, default=60)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--block", type=int, default=128)
    t.add_argument("--repeats", type=int, default=3)
    s = sub.add_parser("shakespeare")
    s.add_argument("--minutes", type=float, default=3.6)
    s.add_argument("--steps", type=int, help="a step count instead of the time budget: recipes compared "
                   "on equal work, whatever else the machine is doing (then confirm the winner with --minutes)")
    s.add_argument("--configs", nargs="+", default=["mini,bpe:1024,128,32,2e-3"],
                   help="size,tokenizer,block,batch,lr per run")
    s.add_argument("--shape", action="append", default=[], metavar="NAME=LAYERS,HEADS,WIDTH",
                   help="a from-scratch shape outside the catalog, usable as a size in --configs (this run only)")
    q = sub.add_parser("quickdemo")
    q.add_argument("--batch", type=int, help="train the preset's recipe at this batch for --steps steps instead")
    q.add_argument("--steps", type=int, default=300)
    q.add_argument("--threads", type=int, help="with --batch: torch threads for the run (default: all cores)")
    q.add_argument("--repeats", type=int, default=1)
    q.add_argument("--preset", choices=("measured", "static", "before"), default="measured",
                   help="measured: presets.quick_demo() probes the machine and chooses; static: the QUICK_DEMO dict as "
                        "is; before: the preset before issue 22 (bpe:4000, Muon 0.02, cosine, every core)")
    q.add_argument("--busy", action="store_true", help="keep one core busy with a loop of this bench's own meanwhile")
    dft = sub.add_parser("defaults")
    dft.add_argument("--minutes", type=float, nargs="+", default=[2.0, 3.6])
    dft.add_argument("--size", default="tiny")
    dft.add_argument("--seeds", type=int, nargs="+", default=[None],
                     help="run both rows at each of these seeds (default: the product's own seed, unset)")
    c = sub.add_parser("calibrate")
    c.add_argument("--steps", type=int, default=10)
    args = p.parse_args()
    # As many threads as this process may use cores: under `taskset -c 0`, one.
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", 0)) or len(os.sched_getaffinity(0)))
    {"throughput": throughput, "shakespeare": shakespeare, "quickdemo": quickdemo, "defaults": defaults,
     "calibrate": calibrate}[args.cmd](args)


if __name__ == "__main__":
    main()
