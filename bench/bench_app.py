"""How the app feels: time to the first page, to the first streamed token, and of one lab refresh.

    python bench/bench_app.py [--model NAME_OR_FOLDER] [--repeats 5] [--tree CHECKOUT]

1. Starts `python app.py` exactly as a user does (a fresh process, offline Hub) and times until the
   page answers HTTP 200.
2. Through gradio_client, as the browser does: the time from pressing Generate to the first streamed
   text (the first press also loads the model; later presses are warm), and the time of one Decoding
   lab refresh (forward pass, every stage, a 10 000-draw histogram, the temperature comparison, and the
   three figures serialised to the page).

`--tree` starts app.py from another checkout (e.g. a `git worktree` of an older commit), so two versions
can be timed alternately on the same machine. The endpoints are called by their parameters' names, which
checkouts since commit e621137 ("Every tab through named forms") have; an older one took them by position.

The model is --model, else the bundled demo model when present, else a locally built GPT-2 of the
demo's shape class (6 layers, 384 wide, GPT-2's 50 257-token vocabulary), so the figures never
depend on the network.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# By name (the endpoints' parameters are the forms' fields); what is left out keeps the value the page opens with.
KNOBS = dict(temperature=1.0, top_k=50, top_p=0.95, max_new_tokens=60, seed="0")  # Generate
LAB = dict(temperature=1.0, top_k=50, top_p=0.9, top_n=12, draws=10_000, seed=0, temps="0.3, 1, 1.5")  # Decoding lab


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pick_model(name: str | None) -> tuple[str, str]:
    if name:
        return name, name
    if (ROOT / "assets" / "demo-model" / "config.json").exists():
        return "demo", "the bundled demo model"
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from playground.tokenization import gpt2_tokenizer

    folder = Path(tempfile.mkdtemp(prefix="bench-app-")) / "gpt2-6x384"
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config(n_layer=6, n_head=6, n_embd=384, n_positions=256)).save_pretrained(folder)
    gpt2_tokenizer().save_pretrained(folder)
    return str(folder), "a local GPT-2, 6 layers x 384 wide, GPT-2 BPE (the demo model was not present)"


def time_to_first_page(model: str, port: int, tree: Path = ROOT) -> tuple[float, subprocess.Popen]:
    env = os.environ | {"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--model", model], cwd=tree, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - t0, proc
        except OSError:
            time.sleep(0.05)


def time_to_first_token(client, model: str) -> float:
    t0 = time.perf_counter()
    job = client.submit(prompt="ROMEO:\n", model=model, **KNOBS, api_name="/generate")
    for update in job:
        if len(update[0]) > len("ROMEO:\n"):
            elapsed = time.perf_counter() - t0
            break
    else:
        raise SystemExit("generate streamed no text")
    job.result()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model name or folder (default: demo when present, else a local GPT-2)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--first-press-after", type=float, default=0.0, metavar="S",
                        help="wait S seconds after the page answers before the first Generate (a person reads the page first)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose app.py is started (default: this one)")
    args = parser.parse_args()
    model, described = pick_model(args.model)
    print(f"model: {described}")
    print(f"tree: {args.tree}")
    page, proc = time_to_first_page(model, free_port(), args.tree)
    try:
        print(f"python app.py -> first page (HTTP 200): {page:.2f} s")
        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{proc.args[3]}/", verbose=False)
        time.sleep(args.first_press_after)
        cold = time_to_first_token(client, model)
        warm = statistics.median(time_to_first_token(client, model) for _ in range(args.repeats))
        print(f"Generate -> first streamed token: {cold:.2f} s on the first press, {args.first_press_after:g} s after "
              f"the page (loads the model), "
              f"{warm * 1000:.0f} ms after (median of {args.repeats})")
        client.predict(context="To be, or not to be, that is the", model=model, **LAB, api_name="/lab")  # warm-up
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            client.predict(context="To be, or not to be, that is the", model=model, **LAB, api_name="/lab")
            times.append(time.perf_counter() - t0)
        print(f"Decoding lab refresh through the UI (forward, stages, 10 000 draws, temperatures, 3 figures): "
              f"{statistics.median(times) * 1000:.0f} ms (median of {args.repeats})")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
