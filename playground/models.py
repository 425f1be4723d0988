"""Model catalogs, loading (Hub or local folder, failing fast offline) and device choice."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch and transformers cost seconds to import: only where used, so the app page comes first
    import torch
    from transformers import GPT2LMHeadModel, PreTrainedModel, PreTrainedTokenizerBase

from playground.assets import ASSETS
from playground.errors import PlaygroundError
from playground.tokenization import load_tokenizer

# The four released GPT-2 checkpoints, by their short names.
PRETRAINED = {
    "gpt2": "openai-community/gpt2",
    "gpt2-medium": "openai-community/gpt2-medium",
    "gpt2-large": "openai-community/gpt2-large",
    "gpt2-xl": "openai-community/gpt2-xl",
}

DEMO_MODEL_DIR = ASSETS / "demo-model"
HUB_TIMEOUT_S = 2.0
NON_FINITE_OUTPUT = ("The model produces non-finite values (NaN or infinity) instead of probabilities, so its weights are "
                     "broken; retrain it (a lower learning rate usually helps) or pick another model.")
_TRUE = {"1", "ON", "YES", "TRUE"}  # huggingface_hub's reading of a boolean environment variable


@dataclass(frozen=True)
class ScratchSize:
    n_layer: int
    n_head: int
    n_embd: int
    n_positions: int
    note: str = ""


# From-scratch shapes. The paper's four sizes, plus classroom sizes that train on a laptop CPU in
# minutes (shapes chosen by measurement: see README, "Demo model").
SCRATCH_SIZES: dict[str, ScratchSize] = {
    "tiny": ScratchSize(2, 2, 128, 256, "classroom: trains in a couple of CPU minutes"),
    "mini": ScratchSize(4, 4, 256, 256, "classroom: a laptop CPU in about ten minutes"),
    "small": ScratchSize(12, 12, 768, 1024, "GPT-2 124M"),
    "medium": ScratchSize(24, 16, 1024, 1024, "GPT-2 355M"),
    "large": ScratchSize(36, 20, 1280, 1024, "GPT-2 774M"),
    "xl": ScratchSize(48, 25, 1600, 1024, "GPT-2 1.5B"),
}


def scratch_model(size: str, vocab_size: int, n_positions: int | None = None, seed: int = 0,
                  **config) -> GPT2LMHeadModel:
    """A freshly initialised GPT-2 of a catalog size; `config` sets other GPT2Config fields (resid_pdrop=0.0).

    transformers' GPT2 `_init_weights` applies the paper's initialisation: N(0, 0.02) weights and
    residual projections scaled by 1/sqrt(2 * n_layer).
    """
    if size not in SCRATCH_SIZES:
        raise PlaygroundError(f"Unknown from-scratch size '{size}'; choose one of {', '.join(SCRATCH_SIZES)}.")
    from transformers import GPT2Config, GPT2LMHeadModel

    s = SCRATCH_SIZES[size]
    config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=n_positions or s.n_positions,
        n_embd=s.n_embd,
        n_layer=s.n_layer,
        n_head=s.n_head,
        bos_token_id=0 if vocab_size != 50257 else 50256,
        eos_token_id=0 if vocab_size != 50257 else 50256,
        **config,
    )
    import torch

    torch.manual_seed(seed)
    return with_causal_lm_loss(GPT2LMHeadModel(config))


def with_causal_lm_loss(model):
    """Name the model's loss for transformers, which picks it by class name and finds none in "GPT2LMHeadModel".

    Unnamed, every forward with labels calls a `warning_once` (the "`loss_type=None` ... unrecognized" line)
    before falling back to the same causal-LM loss. torch.compile cannot trace a logging call, so that was a
    graph break in every training step.
    """
    if getattr(model, "loss_type", None) is None:
        model.loss_type = "ForCausalLM"
    return model


# --------------------------------------------------------------------------- Hub access


def hub_offline() -> bool:
    """True when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) asks for no network, read as huggingface_hub reads it."""
    return any(os.environ.get(v, "").strip().upper() in _TRUE for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def hub_reachable(timeout: float = HUB_TIMEOUT_S) -> bool:
    """True when the Hugging Face Hub answers a TCP connection within `timeout` seconds.

    transformers retries a failed download for ~30 s; asking the socket first keeps every
    offline start under `timeout` seconds. The check runs in a daemon thread because the
    socket timeout does not cover the DNS lookup, which can hang far longer on a broken network.
    """
    if hub_offline():
        return False
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = url.port or (443 if url.scheme == "https" else 80)
    answered = threading.Event()

    def connect() -> None:
        try:
            socket.create_connection((url.hostname, port), timeout=timeout).close()
            answered.set()
        except OSError:
            pass

    thread = threading.Thread(target=connect, name="hub-reachable", daemon=True)
    thread.start()
    thread.join(timeout)
    return answered.is_set()


def hub_cached(repo_id: str) -> bool:
    """True when a Hub model's config and weights are already in the local Hugging Face cache."""
    from huggingface_hub import try_to_load_from_cache

    def have(name: str) -> bool:
        return isinstance(try_to_load_from_cache(repo_id, name), str)

    return have("config.json") and (have("model.safetensors") or have("pytorch_model.bin"))


def resolve(name_or_folder: str) -> str:
    """Map a model name to what `from_pretrained` takes: a local folder or a Hub id.

    Raises a PlaygroundError when the name is neither a catalog name nor a model folder, or when
    the model must be downloaded and the Hub cannot be reached.
    """
    name = str(name_or_folder if name_or_folder is not None else "").strip()
    if not name:  # never taken for "the default": a blank name is a mistake (a CLI's --model "", an API call)
        raise PlaygroundError(f"No model named; use one of {', '.join(['demo', *PRETRAINED])} or a model folder.")
    if name == "demo":
        if not (DEMO_MODEL_DIR / "config.json").exists():
            raise PlaygroundError(f"The bundled demo model is missing from {DEMO_MODEL_DIR}; reinstall the playground.")
        return str(DEMO_MODEL_DIR)
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise PlaygroundError(f"The folder '{name}' holds no model (no config.json); pick a folder written by training or save_pretrained.")
        return str(path)
    repo_id = PRETRAINED.get(name, name if name.startswith("openai-community/") else None)
    if repo_id is None:
        raise PlaygroundError(
            f"Unknown model '{name}': use one of {', '.join(['demo', *PRETRAINED])} or a folder holding a GPT-2 checkpoint."
        )
    if hub_cached(repo_id):
        return repo_id
    if not hub_reachable():
        raise PlaygroundError(
            f"Cannot download '{name}': the Hugging Face Hub is unreachable and the model is not in the local cache; "
            f"connect to the internet once (it is then cached), or pass a local model folder."
        )
    return repo_id


def context_length(name_or_folder: str) -> int | None:
    """A model's context (n_positions) read from its config, without loading it or asking the Hub.

    None when it cannot be told here (an unknown name, a Hub model not yet downloaded): GPT-2's 1 024.
    """
    name = str(name_or_folder or "").strip()
    if name in PRETRAINED:
        return 1024
    folder = DEMO_MODEL_DIR if name == "demo" else Path(name).expanduser()
    try:
        import json

        return int(json.loads((folder / "config.json").read_text(encoding="utf-8"))["n_positions"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_model(
    name_or_folder: str, device: str | torch.device | None = None, **config
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a GPT-2-style causal LM and its tokenizer, in eval mode, on `device` (auto by default).

    `config` overrides fields of the model's saved config (resid_pdrop=0.2), as from_pretrained does.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = resolve(name_or_folder)
    if Path(source).is_dir():
        check_config(Path(source), name_or_folder)
    offline = not Path(source).is_dir() and hub_cached(source)
    try:
        model, loading = AutoModelForCausalLM.from_pretrained(source, local_files_only=offline,
                                                              output_loading_info=True, **config)
        if Path(source).is_dir():
            tokenizer = load_tokenizer(source)
        else:
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=offline)
            tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    except (OSError, ValueError) as e:
        raise PlaygroundError(f"Could not load the model '{name_or_folder}': {str(e).splitlines()[0]}") from e
    except Exception as e:  # safetensors/torch raise their own types for a cut-short or corrupt weights file
        if type(e).__name__ != "SafetensorError" and not isinstance(e, RuntimeError):
            raise
        if "ignore_mismatched_sizes" in str(e):  # transformers' report of weights shaped unlike config.json says
            raise PlaygroundError(
                f"The weights of the model '{name_or_folder}' do not have the shapes its config.json describes; "
                "save the model again."
            ) from e
        raise PlaygroundError(
            f"The weights file of the model '{name_or_folder}' is damaged or incomplete ({str(e).splitlines()[0][:120]}); "
            f"download or save the model again."
        ) from e
    if loading["missing_keys"]:  # transformers would fill them with random numbers and say so only in its log
        raise PlaygroundError(
            f"The weights file of the model '{name_or_folder}' lacks {len(loading['missing_keys'])} of the weights its "
            f"config.json describes (such as {sorted(loading['missing_keys'])[0]}); save the model again."
        )
    vocabulary = model.get_input_embeddings().num_embeddings
    if len(tokenizer) > vocabulary:  # token ids past the embedding table: an IndexError at the first one
        raise PlaygroundError(
            f"The tokenizer of the model '{name_or_folder}' has {len(tokenizer):,} tokens, more than the model's "
            f"{vocabulary:,}; put the tokenizer files of the run that made it (tokenizer.json, tokenizer_config.json) "
            "in the folder."
        )
    if not weights_are_finite(model):
        raise PlaygroundError(
            f"The model '{name_or_folder}' has non-finite weights (NaN or infinity), so every output would be NaN; "
            f"retrain it (a lower learning rate usually helps) or pick another model."
        )
    with_causal_lm_loss(model).to(device or pick_device()).eval()
    return model, tokenizer


# GPT2Config's fields that size the model: each must be a positive whole number.
SHAPE_FIELDS = ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head")


def check_config(folder: Path, name: str) -> None:
    """Refuse a model folder whose config.json cannot describe a model, in one sentence (transformers would
    answer with a validation error naming Python types)."""
    import json

    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        config = None
    if not isinstance(config, dict):
        raise PlaygroundError(f"The config.json of the model '{name}' is not a JSON object of settings; save the model again.")
    for key in SHAPE_FIELDS:
        value = config.get(key)
        if key in config and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise PlaygroundError(f"The config.json of the model '{name}' has {key} {json.dumps(value)[:40]}, not a "
                                  "positive whole number; save the model again.")


def weights_are_finite(model: torch.nn.Module) -> bool:
    """False when any parameter holds a NaN or an infinity (a diverged run saved as it was, or a damaged file)."""
    import torch

    with torch.no_grad():
        return all(bool(torch.isfinite(p).all()) for p in model.parameters())


def model_label(name_or_folder: str) -> str:
    """Short human name: catalog names as they are, folders by their last part."""
    return name_or_folder if name_or_folder in PRETRAINED or name_or_folder == "demo" else Path(name_or_folder).name


# --------------------------------------------------------------------------- default model


@dataclass(frozen=True)
class DefaultModel:
    name: str
    reason: str


def default_model() -> DefaultModel:
    """The model used when none is named: the real `gpt2` when cached or the Hub answers within
    ~2 s, otherwise the bundled demo model. `reason` is the one-line notice shown to the user.

    Never waits on the network longer than HUB_TIMEOUT_S, and not at all under HF_HUB_OFFLINE.
    """
    if hub_cached(PRETRAINED["gpt2"]):
        return DefaultModel("gpt2", "Using gpt2 (124M) from the local Hugging Face cache.")
    if hub_offline():
        why = "gpt2 is not in the local Hugging Face cache and HF_HUB_OFFLINE is set"
    elif hub_reachable():
        return DefaultModel("gpt2", "Using gpt2 (124M) from the Hugging Face Hub (downloaded once, about 500 MB).")
    else:
        why = f"gpt2 is not in the local Hugging Face cache and the Hub did not answer within {HUB_TIMEOUT_S:g} s"
    return DefaultModel("demo", f"Using the bundled demo model (Shakespeare, trained from scratch): {why}.")


# --------------------------------------------------------------------------- devices


def pick_device() -> torch.device:
    """cuda > mps > cpu."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")  # x86 instructions that do bf16 matmuls natively


def cpu_has_bf16(cpuinfo: str | None = None) -> bool:
    """Whether this CPU multiplies bf16 natively (AVX512-BF16 or AMX), read from /proc/cpuinfo's flags.

    torch has no public query for it (mkldnn's "bf16 supported" is true on any AVX-512 CPU, where bf16
    is emulated and slower than fp32), so the flags are read by hand; elsewhere (macOS, Windows) False.
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    flags = next((line.partition(":")[2].split() for line in cpuinfo.splitlines() if line.startswith("flags")), [])
    return any(flag in flags for flag in CPU_BF16_FLAGS)


def pick_precision(requested: str = "auto") -> str:
    """'fp32', 'fp16' or 'bf16'. 'auto' picks bf16 on GPUs that have it, fp16 on other CUDA GPUs, bf16 on CPUs
    that multiply bf16 natively (a from-scratch `tiny` step: 64 ms against 120 ms in fp32 on AVX512-BF16; the
    weights and the optimizer stay fp32, only the matmuls run in bf16), fp32 elsewhere (MPS included)."""
    import torch

    if requested not in ("auto", "fp32", "fp16", "bf16"):
        raise PlaygroundError(f"Unknown precision '{requested}'; use auto, fp32, fp16 or bf16.")
    cuda = torch.cuda.is_available()
    if requested == "auto":
        if cuda:
            return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        return "bf16" if pick_device().type == "cpu" and cpu_has_bf16() else "fp32"
    if requested == "fp16" and not cuda:
        raise PlaygroundError("fp16 mixed precision needs a CUDA GPU; use fp32 (or auto) on this machine.")
    return requested
