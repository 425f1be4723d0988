"""The README's install-and-run path with the Hub out of reach: the bundled demo model answers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.assets import ASSETS
from playground.models import DEMO_MODEL_DIR

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def offline_env(tmp_path) -> dict:
    """HF_HUB_OFFLINE=1 and an empty Hugging Face cache: what a laptop with no network sees on day one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env |= {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf-home"), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PLAYGROUND_CACHE": str(tmp_path / "cache"), "TOKENIZERS_PARALLELISM": "false"}
    return env


def test_requirements_install_without_an_index(offline_env):
    # `pip install -r requirements.txt` from the README, resolved offline: everything is pinned and present.
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--dry-run", "-r", "requirements.txt"],
                       cwd=ROOT, env=offline_env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "Would install" not in r.stdout


def test_generate_with_no_model_named_uses_the_demo_model_offline(offline_env):
    """How long it takes is bench/bench_app.py's business; here, that it works (the timeout only stops a hang)."""
    r = subprocess.run(
        [sys.executable, "-m", "playground", "generate", "--prompt", "KING HENRY V:\n", "--max-new-tokens", "30",
         "--seed", "0", "--json"],
        cwd=ROOT, env=offline_env, capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "bundled demo model" in r.stderr and "HF_HUB_OFFLINE" in r.stderr  # the one-line notice
    text = json.loads(r.stdout)["sequences"][0]["text"]
    assert len(text.strip()) >= 10, text


def test_demo_model_fits_its_budget():
    weights = sum(p.stat().st_size for p in DEMO_MODEL_DIR.glob("*.safetensors"))
    assert 0 < weights <= 20 * 2**20
    assert sum(p.stat().st_size for p in ASSETS.rglob("*") if p.is_file()) < 45 * 2**20
    assert not list(DEMO_MODEL_DIR.glob("checkpoint-*"))  # optimizer state is not shipped
    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"):
        assert (DEMO_MODEL_DIR / name).exists(), name
