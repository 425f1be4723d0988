"""A classroom of N at once: the Decoding lab's Show distribution, Sample and Generate, pressed together.

    python bench/bench_classroom.py [--clients 30] [--mode contexts|link] [--rounds 1] [--tree CHECKOUT]
                                    [--client browser|gradio_client] [--open-page]
    python bench/bench_classroom.py --floor     # what the load generator itself costs: a one-line gradio app

Starts `python app.py` as a user does (a fresh process, Hub offline, the bundled demo model; bench_app.py's
start), opens N sessions (each its own session hash, as N browsers), then in each round has all N press,
at the same moment (a barrier):

1. Show distribution in the Decoding lab (`/lab`): with `--mode contexts`, each session one of the lab's four
   example contexts (assets.LAB_CONTEXTS, in turn); with `--mode link`, all the same request, as when a teacher
   shares one link and the class opens it;
2. Sample, 10 000 draws from the distribution each session has on screen (`/lab_sample`);
3. Generate, 50 new tokens from the same prompt (`/generate`, streamed; timed to its last piece).

and prints p50 / p95 / max latency and errors per action.

The sessions speak to the app as the page does (`--client browser`, the default): POST `queue/join` with the
event's inputs, then read the session's server-sent events until the event completes — all N from one asyncio
thread, so the load generator, which shares this machine's cores with the app (a class's browsers would not),
costs the app little. With `--open-page` each session first loads the page (GET /, 0.7 MB: gradio's config of
every component), timed with its first action, as when a class opens a teacher's link. `--client gradio_client` uses gradio_client instead (a thread and a poller per call):
on the 2-core machine it alone took ~1 s of p95 for 30 calls of a one-line echo app, against ~0.15 s for the
browser protocol (`--floor` measures both). `--tree` starts another checkout's app.py (before /
after runs, alternating); `--env K=V` passes settings to the app (e.g. OMP_NUM_THREADS=1). The endpoints' inputs
are filled from the app's own API description (each input's default, then the few this bench sets by name:
context, model, draws, seed, prompt, max_new_tokens), so the bench follows the form as it changes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_app import free_port, pick_model  # noqa: E402

from playground.assets import LAB_CONTEXTS  # noqa: E402

PROMPT = "ROMEO:\n"
ENDPOINTS = {"lab": "/lab", "sample": "/lab_sample", "generate": "/generate"}
# --floor: the least a gradio app can do per call (one Textbox in, the same out), to measure the load generator.
ECHO_APP = """
import sys, gradio as gr
with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(lambda x: x, box, box, api_name="echo", concurrency_limit=4)
demo.queue(default_concurrency_limit=2).launch(server_port=int(sys.argv[1]), ssr_mode=False)
"""


def start(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, subprocess.Popen]:
    """Run a gradio app on a free port (its argv gets `--port PORT` appended); its URL once the page answers."""
    port = free_port()
    proc = subprocess.Popen([*command, str(port)], cwd=cwd,
                            env=os.environ | {"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"} | env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{' '.join(command[:2])} exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return url, proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the app did not answer within 3 minutes")


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system), from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(proc: subprocess.Popen, window: float = 1.0, most: float = 0.05, timeout: float = 120) -> float:
    """Wait until the app spends under `most` of a core over `window` seconds: its start-up work in the background
    (imports, the Train tab's machine probe) is done, as it is when a class arrives. The seconds waited."""
    t0 = time.monotonic()
    if not Path(f"/proc/{proc.pid}/stat").exists():
        time.sleep(10)  # no /proc: give the background start-up a fixed while
        return time.monotonic() - t0
    while time.monotonic() - t0 < timeout:
        before = cpu_seconds(proc.pid)
        time.sleep(window)
        if cpu_seconds(proc.pid) - before < most * window:
            break
    return time.monotonic() - t0


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def arguments(api: dict, endpoint: str, by_name: dict) -> list:
    """The endpoint's inputs, in order: each one's default, except those `by_name` sets (by API parameter name)."""
    params = api["named_endpoints"][endpoint]["parameters"]
    missing = set(by_name) - {p["parameter_name"] for p in params}
    if missing:
        raise SystemExit(f"{endpoint} has no input named {sorted(missing)}; its inputs: {[p['parameter_name'] for p in params]}")
    return [by_name.get(p["parameter_name"], p.get("parameter_default")) for p in params]


def error_of(e: Exception) -> str:
    return f"{type(e).__name__}: {str(e)[:160]}"


class BrowserSessions:
    """N page sessions speaking gradio's browser protocol, all on one asyncio loop in one thread.

    Written by hand because gradio_client, the library for calling a gradio app, runs threads per call whose
    cost on a 2-core machine shared with the app is the larger part of what a classroom bench would measure.
    """

    def __init__(self, url: str, n: int):
        import httpx

        self.url, self.n = url, n
        self.loop = asyncio.new_event_loop()
        self.http = httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=4 * n, max_keepalive_connections=4 * n))
        self.hashes = [uuid.uuid4().hex[:11] for _ in range(n)]
        self.config = self._get("config")
        self.api = self._get("gradio_api/info")

    def _get(self, path: str) -> dict:
        return self.loop.run_until_complete(self.http.get(self.url + path)).raise_for_status().json()

    def fn_index(self, endpoint: str) -> int:
        deps = [d for d in self.config["dependencies"] if d.get("api_name") == endpoint.strip("/")]
        if not deps:
            raise SystemExit(f"the app has no endpoint {endpoint}")
        return deps[0]["id"]

    async def call(self, i: int, endpoint: str, data: list) -> None:
        """Join the queue as session i, then read its event stream until this event completes."""
        body = {"data": data, "fn_index": self.fn_index(endpoint), "session_hash": self.hashes[i], "event_data": None,
                "trigger_id": None}
        r = await self.http.post(self.url + "gradio_api/queue/join", json=body)
        if r.status_code != 200:
            raise RuntimeError(f"queue/join answered {r.status_code}: {r.text[:120]}")
        event_id = r.json()["event_id"]
        stream = self.http.stream("GET", self.url + "gradio_api/queue/data", params={"session_hash": self.hashes[i]})
        async with stream as s, contextlib.aclosing(s.aiter_lines()) as lines:
            async for line in lines:
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") == event_id and msg.get("msg") == "process_completed":
                    if not msg.get("success"):
                        raise RuntimeError(str(msg.get("output", {}).get("error"))[:160])
                    return
        raise RuntimeError("the event stream ended before the event completed")

    def at_once(self, endpoint: str, data_of, open_page: bool = False) -> list[tuple[float, str | None]]:
        """(seconds, error) for every session calling `endpoint` with `data_of(i)`, all started in one loop turn;
        with `open_page`, each first loads the page (as a browser opening a link), and that is timed too."""
        async def one(i: int):
            t0 = time.perf_counter()
            try:
                if open_page:
                    (await self.http.get(self.url)).raise_for_status()
                await self.call(i, endpoint, data_of(i))
                return time.perf_counter() - t0, None
            except Exception as e:  # noqa: BLE001 - counted and reported, the others go on
                return time.perf_counter() - t0, error_of(e)

        async def all_of():
            return await asyncio.gather(*(one(i) for i in range(self.n)))

        return self.loop.run_until_complete(all_of())

    def once(self, endpoint: str, data: list) -> None:
        """One call by session 0, outside any timing (warm-up)."""
        self.loop.run_until_complete(self.call(0, endpoint, data))

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


class GradioClientSessions:
    """N gradio_client sessions (a thread each), released together by a barrier."""

    def __init__(self, url: str, n: int):
        from gradio_client import Client

        self.n = n
        with ThreadPoolExecutor(8) as pool:  # N sessions, as N browsers open the page
            self.clients = list(pool.map(lambda _: Client(url, verbose=False), range(n)))
        self.api = self.clients[0].view_api(return_format="dict", print_info=False)

    def call(self, i: int, endpoint: str, data: list) -> None:
        self.clients[i].submit(*data, api_name=endpoint).result()

    def once(self, endpoint: str, data: list) -> None:
        """One call by session 0, outside any timing (warm-up)."""
        self.call(0, endpoint, data)

    def at_once(self, endpoint: str, data_of, open_page: bool = False) -> list[tuple[float, str | None]]:
        if open_page:
            raise SystemExit("--open-page needs --client browser")
        barrier = threading.Barrier(self.n)

        def one(i: int):
            barrier.wait()
            t0 = time.perf_counter()
            try:
                self.call(i, endpoint, data_of(i))
                return time.perf_counter() - t0, None
            except Exception as e:  # noqa: BLE001 - counted and reported, the others go on
                return time.perf_counter() - t0, error_of(e)

        with ThreadPoolExecutor(self.n) as pool:
            return list(pool.map(one, range(self.n)))

    def close(self) -> None:
        pass


CLIENTS = {"browser": BrowserSessions, "gradio_client": GradioClientSessions}


def summary(action: str, results: list[tuple[float, str | None]]) -> dict:
    times = sorted(t for t, e in results if e is None)
    errors = [e for _, e in results if e is not None]
    q = statistics.quantiles(times, n=20, method="inclusive") if len(times) >= 2 else times * 19

    def r(x: float) -> float:
        return round(x, 2)

    return {"action": action, "n": len(results), "p50_s": r(statistics.median(times)) if times else None,
            "p95_s": r(q[18]) if times else None, "max_s": r(times[-1]) if times else None, "errors": len(errors),
            **({"first_error": errors[0]} if errors else {})}


def floor(n: int, rounds: int) -> None:
    """The echo app, called by both clients: what the load generator costs before the app does anything."""
    url, proc = start([sys.executable, "-c", ECHO_APP], ROOT, {})
    try:
        for name, kind in CLIENTS.items():
            sessions = kind(url, n)
            try:
                sessions.once("/echo", ["x"])
                for rnd in range(rounds):
                    row = summary("echo", sessions.at_once("/echo", lambda i: ["x"]))
                    print(json.dumps({"client": name, "round": rnd + 1, **row}), flush=True)
            finally:
                sessions.close()
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--mode", choices=("contexts", "link"), default="contexts",
                        help="contexts: the four example contexts in turn; link: all send the same request (a shared link)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--actions", nargs="+", default=list(ENDPOINTS), choices=list(ENDPOINTS))
    parser.add_argument("--client", choices=list(CLIENTS), default="browser",
                        help="browser: the page's protocol from one asyncio thread; gradio_client: a thread per call")
    parser.add_argument("--open-page", action="store_true",
                        help="the first round's sessions load the page before their first action (a class opening a link)")
    parser.add_argument("--floor", action="store_true", help="time a one-line echo app with both clients, and stop")
    parser.add_argument("--model", help="model name or folder (default: the bundled demo model)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose app.py is started")
    parser.add_argument("--env", action="append", default=[], metavar="K=V", help="an environment variable for the app")
    args = parser.parse_args()
    if args.floor:
        return floor(args.clients, max(args.rounds, 3))
    model, described = pick_model(args.model)
    env = dict(kv.split("=", 1) for kv in args.env)
    url, proc = start([sys.executable, "app.py", "--model", model, "--port"], args.tree, env)
    print(json.dumps({"model": described, "tree": str(args.tree), "clients": args.clients, "mode": args.mode,
                      "client": args.client, "env": env, "load_1min": round(os.getloadavg()[0], 2)}), flush=True)
    sessions = None
    try:
        sessions = CLIENTS[args.client](url, args.clients)
        api = sessions.api

        def lab_args(i: int) -> list:
            context = LAB_CONTEXTS[0] if args.mode == "link" else LAB_CONTEXTS[i % len(LAB_CONTEXTS)]
            return arguments(api, ENDPOINTS["lab"], {"context": context, "model": model, "draws": 10_000, "seed": 0})

        sample = arguments(api, ENDPOINTS["sample"], {"model": model, "draws": 10_000})
        generate = arguments(api, ENDPOINTS["generate"], {"prompt": PROMPT, "model": model, "max_new_tokens": 50})
        data_of = {"lab": lab_args, "sample": lambda i: sample, "generate": lambda i: generate}
        # Warm-up, one session: the model loaded, torch imported, every endpoint run once.
        for action in ("lab", "sample", "generate"):
            sessions.once(ENDPOINTS[action], data_of[action](0))
        waited = wait_until_idle(proc)
        print(json.dumps({"waited_for_idle_app_s": round(waited, 1)}), flush=True)
        for rnd in range(args.rounds):
            for action in args.actions:
                if action == "sample" and "lab" not in args.actions and rnd == 0:
                    sessions.at_once(ENDPOINTS["lab"], lab_args)  # each session needs a distribution on screen to sample from
                load = round(os.getloadavg()[0], 2)
                page = args.open_page and rnd == 0 and action == args.actions[0]
                row = summary(("page+" if page else "") + action,
                              sessions.at_once(ENDPOINTS[action], data_of[action], open_page=page))
                print(json.dumps({"round": rnd + 1, **row, "load_1min_before": load}), flush=True)
    finally:
        if sessions is not None:
            sessions.close()
        stop(proc)


if __name__ == "__main__":
    main()
