import time

import pytest
import torch
from transformers import GPT2LMHeadModel

from playground.errors import PlaygroundError
from playground.models import SCRATCH_SIZES, load_model, pick_device, resolve, scratch_model


def test_load_local_folder(tiny_model_dir):
    model, tok = load_model(str(tiny_model_dir))
    assert isinstance(model, GPT2LMHeadModel)
    assert not model.training
    assert tok.pad_token is not None


def test_unknown_name_is_one_clear_sentence():
    with pytest.raises(PlaygroundError, match="Unknown model 'gpt5'"):
        resolve("gpt5")


def test_folder_without_model(tmp_path):
    with pytest.raises(PlaygroundError, match="no config.json"):
        resolve(str(tmp_path))


def test_hub_offline_fails_fast(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    t0 = time.monotonic()
    with pytest.raises(PlaygroundError, match="Hub is unreachable"):
        load_model("gpt2-xl")
    assert time.monotonic() - t0 < 5


def test_scratch_sizes_follow_the_paper():
    assert {k: (v.n_layer, v.n_embd) for k, v in SCRATCH_SIZES.items() if k in ("small", "medium", "large", "xl")} == {
        "small": (12, 768), "medium": (24, 1024), "large": (36, 1280), "xl": (48, 1600)}
    m = scratch_model("tiny", vocab_size=1000)
    # GPT-2 init: residual projections scaled by 1/sqrt(2*n_layer)
    std_proj = m.transformer.h[0].attn.c_proj.weight.std().item()
    std_fc = m.transformer.h[0].mlp.c_fc.weight.std().item()
    assert std_proj == pytest.approx(0.02 / (2 * m.config.n_layer) ** 0.5, rel=0.15)
    assert std_fc == pytest.approx(0.02, rel=0.15)


def test_device_is_cpu_here():
    assert pick_device() == torch.device("cpu") or torch.cuda.is_available()
