import threading

import pytest
import torch
from transformers import GPT2LMHeadModel

from playground.errors import PlaygroundError
from playground import models
from playground.models import SCRATCH_SIZES, cpu_has_bf16, load_model, pick_device, pick_precision, resolve, scratch_model


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
    """Offline, a Hub model is refused without a single network call (so at once, whatever the network does)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(models_mod.socket, "create_connection", no_network)
    monkeypatch.setattr(models_mod.socket, "getaddrinfo", no_network)
    with pytest.raises(PlaygroundError, match="Hub is unreachable"):
        load_model("gpt2-xl")
    assert calls == []


def test_scratch_sizes_follow_the_paper():
    assert {k: (v.n_layer, v.n_embd) for k, v in SCRATCH_SIZES.items() if k in ("small", "medium", "large", "xl")} == {
        "small": (12, 768), "medium": (24, 1024), "large": (36, 1280), "xl": (48, 1600)}
    m = scratch_model("tiny", vocab_size=1000)
    # GPT-2 init: residual projections scaled by 1/sqrt(2*n_layer)
    std_proj = m.transformer.h[0].attn.c_proj.weight.std().item()
    std_fc = m.transformer.h[0].mlp.c_fc.weight.std().item()
    assert std_proj == pytest.approx(0.02 / (2 * m.config.n_layer) ** 0.5, rel=0.15)
    assert std_fc == pytest.approx(0.02, rel=0.15)


@pytest.mark.parametrize("cuda, mps, expected", [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")])
def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert pick_device() == torch.device(expected)


CPUINFO = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw {extra}\nbugs\t\t: spectre_v1 avx512_bf16_fake\n"


@pytest.mark.parametrize("extra, native", [("", False), ("avx512_bf16", True), ("amx_tile amx_bf16", True)])
def test_cpu_bf16_is_read_from_the_flags_line(extra, native):
    assert cpu_has_bf16(CPUINFO.format(extra=extra)) is native  # AVX-512 alone emulates bf16: not native


@pytest.mark.parametrize("cuda, bf16_gpu, native_cpu, expected", [
    (True, True, False, "bf16"), (True, False, True, "fp16"), (False, False, True, "bf16"), (False, False, False, "fp32")])
def test_auto_precision_prefers_gpu_then_native_cpu_bf16(monkeypatch, cuda, bf16_gpu, native_cpu, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: bf16_gpu)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    monkeypatch.setattr(models, "cpu_has_bf16", lambda: native_cpu)
    assert pick_precision("auto") == expected
    assert pick_precision("fp32") == "fp32"


def test_models_name_their_loss_so_a_compiled_step_has_no_graph_break(tiny_model_dir):
    # transformers finds no loss name in "GPT2LMHeadModel" and logs a warning in every forward with labels;
    # torch.compile cannot trace that call, so each training step used to split in two graphs.
    x = torch.randint(0, 400, (2, 16))
    assert load_model(str(tiny_model_dir), device="cpu")[0].loss_type == "ForCausalLM"
    model = scratch_model("tiny", vocab_size=400, n_positions=16)
    assert model.loss_type == "ForCausalLM"
    torch._dynamo.reset()
    explained = torch._dynamo.explain(model)(input_ids=x, labels=x)
    assert explained.graph_break_count == 0, explained.break_reasons


def test_a_loaded_model_sits_on_the_picked_device(tiny_model_dir):
    model, _ = load_model(str(tiny_model_dir))
    assert model.device.type == pick_device().type


# --------------------------------------------------------------------------- default model

import playground.models as models_mod  # noqa: E402
from playground.models import DEMO_MODEL_DIR, default_model, hub_reachable  # noqa: E402


def _never(*args, **kwargs):
    raise AssertionError("must not be called")


def test_default_is_gpt2_when_cached(monkeypatch):
    monkeypatch.setattr(models_mod, "hub_cached", lambda repo: repo == "openai-community/gpt2")
    monkeypatch.setattr(models_mod, "hub_reachable", _never)  # the cache alone decides: no network wait
    d = default_model()
    assert d.name == "gpt2" and "cache" in d.reason


@pytest.mark.parametrize("answers,name,why", [(True, "gpt2", "Hub"), (False, "demo", "did not answer")])
def test_default_follows_the_hub_when_gpt2_is_not_cached(monkeypatch, answers, name, why):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(models_mod, "hub_cached", lambda repo: False)
    monkeypatch.setattr(models_mod, "hub_reachable", lambda timeout=2.0: answers)
    d = default_model()
    assert d.name == name and why in d.reason and "\n" not in d.reason


def test_default_is_demo_at_once_under_hf_hub_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(models_mod, "hub_cached", lambda repo: False)

    def no_network(*args, **kwargs):
        raise AssertionError("HF_HUB_OFFLINE is set: the Hub must not be asked")

    monkeypatch.setattr(models_mod, "hub_reachable", no_network)
    monkeypatch.setattr(models_mod.socket, "create_connection", no_network)
    d = default_model()
    assert d.name == "demo" and "HF_HUB_OFFLINE" in d.reason
    assert resolve(d.name) == str(DEMO_MODEL_DIR)


@pytest.mark.parametrize("value, offline", [("1", True), ("TRUE", True), ("yes", True), ("0", False), ("false", False), ("off", False), ("", False)])
def test_offline_flag_is_read_like_huggingface_hub(monkeypatch, value, offline):
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    assert models_mod.hub_offline() is offline


def test_hub_check_is_bounded_even_when_dns_hangs(monkeypatch):
    # socket timeouts do not cover name resolution; a resolver that hangs must not hang startup.
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    released = threading.Event()

    def hang(*args, **kwargs):  # a resolver that answers only when the test lets it
        released.wait(60)
        raise OSError("name resolution timed out")

    monkeypatch.setattr(models_mod.socket, "create_connection", hang)
    try:
        assert hub_reachable(timeout=0.2) is False
        assert not released.is_set()  # it answered while the lookup still hung: the bound, not the resolver, ended it
    finally:
        released.set()
