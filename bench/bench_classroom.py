"""A classroom of N at once: the Decoding lab's Show distribution, Sample and Generate, pressed together.

    python bench/bench_classroom.py [--clients 30] [--mode contexts|link] [--rounds 1] [--tree CHECKOUT]

Starts `python app.py` as a user does (a fresh process, Hub offline, the bundled demo model; bench_app.py's
start), opens N gradio_client sessions (each its own session, as N browsers), then in each round has all N press,
at the same moment (a barrier):

1. Show distribution in the Decoding lab (`/lab`): with `--mode contexts`, each session one of the lab's four
   example contexts (assets.LAB_CONTEXTS, in turn); with `--mode link`, all the same request, as when a teacher
   shares one link and the class opens it;
2. Sample, 10 000 draws from the distribution each session has on screen (`/lab_sample`);
3. Generate, 50 new tokens from the same prompt (`/generate`, streamed; timed to its last piece).

and prints p50 / p95 / max latency and errors per action. `--tree` starts another checkout's app.py (before /
after runs, alternating); `--env K=V` passes settings to the app (e.g. OMP_NUM_THREADS=1). The endpoints' inputs
are filled from the app's own API description (each input's default, then the few this bench sets by name:
context, model, draws, seed, prompt, max_new_tokens), so the bench follows the form as it changes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_app import free_port, pick_model  # noqa: E402

from playground.assets import LAB_CONTEXTS  # noqa: E402

PROMPT = "ROMEO:\n"
ENDPOINTS = {"lab": "/lab", "sample": "/lab_sample", "generate": "/generate"}


def start_app(model: str, tree: Path, env: dict[str, str]):
    import subprocess
    import urllib.request

    port = free_port()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--model", model], cwd=tree,
                            env=os.environ | {"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"} | env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return url, proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("app.py did not answer within 3 minutes")


def arguments(api: dict, endpoint: str, by_name: dict) -> list:
    """The endpoint's inputs, in order: each one's default, except those `by_name` sets (by API parameter name)."""
    params = api["named_endpoints"][endpoint]["parameters"]
    missing = set(by_name) - {p["parameter_name"] for p in params}
    if missing:
        raise SystemExit(f"{endpoint} has no input named {sorted(missing)}; its inputs: {[p['parameter_name'] for p in params]}")
    return [by_name.get(p["parameter_name"], p.get("parameter_default")) for p in params]


def at_once(clients: list, work) -> list[tuple[float, str | None]]:
    """(seconds, error) for `work(i, client)` run by every client together, released by one barrier."""
    barrier = threading.Barrier(len(clients))

    def one(i: int):
        barrier.wait()
        t0 = time.perf_counter()
        try:
            work(i, clients[i])
            return time.perf_counter() - t0, None
        except Exception as e:  # noqa: BLE001 - counted and reported, the others go on
            return time.perf_counter() - t0, f"{type(e).__name__}: {str(e)[:160]}"

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(one, range(len(clients))))


def summary(action: str, results: list[tuple[float, str | None]]) -> dict:
    times = sorted(t for t, e in results if e is None)
    errors = [e for _, e in results if e is not None]
    q = statistics.quantiles(times, n=20, method="inclusive") if len(times) >= 2 else times * 19

    def r(x: float) -> float:
        return round(x, 2)

    return {"action": action, "n": len(results), "p50_s": r(statistics.median(times)) if times else None,
            "p95_s": r(q[18]) if times else None, "max_s": r(times[-1]) if times else None, "errors": len(errors),
            **({"first_error": errors[0]} if errors else {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--mode", choices=("contexts", "link"), default="contexts",
                        help="contexts: the four example contexts in turn; link: all send the same request (a shared link)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--actions", nargs="+", default=list(ENDPOINTS), choices=list(ENDPOINTS))
    parser.add_argument("--model", help="model name or folder (default: the bundled demo model)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose app.py is started")
    parser.add_argument("--env", action="append", default=[], metavar="K=V", help="an environment variable for the app")
    args = parser.parse_args()
    model, described = pick_model(args.model)
    env = dict(kv.split("=", 1) for kv in args.env)
    url, proc = start_app(model, args.tree, env)
    print(json.dumps({"model": described, "tree": str(args.tree), "clients": args.clients, "mode": args.mode,
                      "env": env, "load_1min": round(os.getloadavg()[0], 2)}), flush=True)
    try:
        from gradio_client import Client

        with ThreadPoolExecutor(8) as pool:  # N sessions, as N browsers open the page
            clients = list(pool.map(lambda _: Client(url, verbose=False), range(args.clients)))
        api = clients[0].view_api(return_format="dict", print_info=False)

        def lab_args(i: int) -> list:
            context = LAB_CONTEXTS[0] if args.mode == "link" else LAB_CONTEXTS[i % len(LAB_CONTEXTS)]
            return arguments(api, ENDPOINTS["lab"], {"context": context, "model": model, "draws": 10_000, "seed": 0})

        sample = arguments(api, ENDPOINTS["sample"], {"model": model, "draws": 10_000})
        generate = arguments(api, ENDPOINTS["generate"], {"prompt": PROMPT, "model": model, "max_new_tokens": 50})
        work = {
            "lab": lambda i, c: c.predict(*lab_args(i), api_name=ENDPOINTS["lab"]),
            "sample": lambda i, c: c.predict(*sample, api_name=ENDPOINTS["sample"]),
            "generate": lambda i, c: c.submit(*generate, api_name=ENDPOINTS["generate"]).result(),
        }
        # Warm-up, one session: the model loaded, torch imported, every endpoint run once.
        for action in ("lab", "sample", "generate"):
            work[action](0, clients[0])
        for rnd in range(args.rounds):
            for action in args.actions:
                if action == "sample" and "lab" not in args.actions and rnd == 0:
                    at_once(clients, work["lab"])  # each session needs a distribution on screen to sample from
                load = round(os.getloadavg()[0], 2)
                row = summary(action, at_once(clients, work[action]))
                print(json.dumps({"round": rnd + 1, **row, "load_1min_before": load}), flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except Exception:  # noqa: BLE001
            proc.kill()


if __name__ == "__main__":
    main()
