"""Load: N users generating at once through the app's `/generate` API.

    python bench/bench_load.py [--clients 5,10,20] [--rounds 2] [--tokens 50] [--limit 120] [--model FOLDER]

Starts the app in this process (`build_app` + `launch`, on 127.0.0.1 and a free port only), then for each N
starts N gradio_client clients (each its own browser session) that press Generate `--rounds` times in a
row, all at once, each asking for `--tokens` new tokens (the app streams them; a request ends with the
final text). Prints, per N, the generations per second over the wall time, the median and p95 latency of
one request (press to final text, queueing included), the errors and, where the app batches
(`playground.batching`), the requests in each generate call. Each N gets at most `--limit` seconds;
requests not finished by then count as errors.

The model is a GPT-2 built here (4 layers x 256, GPT-2's 50 257-token vocabulary and tokenizer, the
`mini` from-scratch shape) unless --model names a folder: the Hub is never asked.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

PROMPT = "ROMEO:\nBut soft, what light through yonder window breaks?"


def knobs(tokens: int, seed: int | None) -> dict:
    """The Generate tab's knobs by name (the /generate endpoint's parameters; the rest keep the page's values):
    top-k 50, top-p 0.95, `tokens` new tokens, and the seed (None = blank = a fresh one)."""
    return dict(temperature=1.0, top_k=50, top_p=0.95, max_new_tokens=tokens, seed="" if seed is None else str(seed))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_model(folder: Path) -> Path:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from playground.tokenization import gpt2_tokenizer

    torch.manual_seed(0)
    config = GPT2Config(n_layer=4, n_head=4, n_embd=256, n_positions=256, vocab_size=50257,
                        bos_token_id=50256, eos_token_id=50256)
    GPT2LMHeadModel(config).save_pretrained(folder)
    gpt2_tokenizer().save_pretrained(folder)
    return folder


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 100]) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def run_level(url: str, model: str, n: int, rounds: int, tokens: int, limit: float, seeded: bool) -> dict:
    """N clients at once, each `rounds` generations back to back; latencies and errors."""
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(n)]  # made before the clock starts
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(n + 1)
    deadline = [0.0]

    def user(i: int, client) -> None:
        start.wait()
        for r in range(rounds):
            left = deadline[0] - time.monotonic()
            if left <= 0:
                with lock:
                    errors.append("not started before the time limit")
                continue
            t0 = time.monotonic()
            job = client.submit(prompt=PROMPT, model=model, **knobs(tokens, i * rounds + r if seeded else None),
                                api_name="/generate")
            try:
                text = job.result(timeout=left)[0]
                if not text.startswith(PROMPT) or len(text) == len(PROMPT):
                    raise RuntimeError(f"no continuation: {text[:80]!r}")
                with lock:
                    latencies.append(time.monotonic() - t0)
            except Exception as e:  # noqa: BLE001 - every failure is counted and named
                job.cancel()
                with lock:
                    errors.append(f"{type(e).__name__}: {str(e)[:120]}")

    threads = [threading.Thread(target=user, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    deadline[0] = t0 + limit
    start.wait()
    for t in threads:
        t.join(max(0.0, deadline[0] + 5 - time.monotonic()))
    wall = time.monotonic() - t0
    for c in clients:
        c.close()
    return {"n": n, "ok": len(latencies), "errors": errors, "wall": wall,
            "throughput": len(latencies) / wall if wall else 0.0,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p95": percentile(latencies, 95) if latencies else float("nan")}


def batches() -> list[int]:
    """Requests per generate call so far, where the app batches them (a checkout from before has no batcher)."""
    try:
        from playground.batching import BATCHER
    except ImportError:
        return []
    return list(BATCHER.batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="5,10,20", help="comma-separated numbers of simultaneous clients")
    parser.add_argument("--rounds", type=int, default=2, help="generations per client, back to back")
    parser.add_argument("--tokens", type=int, default=50, help="new tokens per generation")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds allowed per number of clients")
    parser.add_argument("--seeded", action="store_true", help="give each request its own seed instead of a blank one")
    parser.add_argument("--model", help="a model folder (default: a 4 x 256 GPT-2 built here)")
    args = parser.parse_args()

    import torch

    from playground.ui import build_app, launch

    model = args.model or str(build_model(Path(tempfile.mkdtemp(prefix="bench-load-")) / "gpt2-4x256"))
    demo = build_app(models=[model])
    port = free_port()
    launch(demo, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        from gradio_client import Client

        warm = Client(url, verbose=False)
        warm.predict(prompt=PROMPT, model=model, **knobs(args.tokens, 0), api_name="/generate")  # loads the model once
        warm.close()
        print(f"model {Path(model).name}, {args.tokens} new tokens per generation, {args.rounds} per client, "
              f"{'seeded' if args.seeded else 'blank seed'}; torch threads {torch.get_num_threads()}, "
              f"{os.cpu_count()} CPUs; load average before {os.getloadavg()[0]:.2f}")
        print(f"{'clients':>7} {'ok':>4} {'errors':>6} {'wall s':>7} {'gen/s':>6} {'p50 s':>6} {'p95 s':>6}")
        for n in (int(x) for x in args.clients.split(",")):
            done_before = len(batches())
            r = run_level(url, model, n, args.rounds, args.tokens, args.limit, args.seeded)
            sizes = batches()[done_before:]
            print(f"{r['n']:>7} {r['ok']:>4} {len(r['errors']):>6} {r['wall']:>7.1f} {r['throughput']:>6.2f} "
                  f"{r['p50']:>6.2f} {r['p95']:>6.2f}" + (f"   batches: {len(sizes)}, requests each {sizes}" if sizes else ""),
                  flush=True)
            for e in sorted(set(r["errors"]))[:3]:
                print(f"        error: {e}")
        print(f"load average after (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        demo.close()


if __name__ == "__main__":
    main()
