"""A checkpoint checked before a run resumes from it, reading only: a refused --resume changes nothing.

Trainer would find a checkpoint that does not fit only once training started, with the run's folder already
rewritten (status, metrics), and say it in a tensor library's words ("size mismatch for wpe.weight"). These
checks say it first, in one sentence naming the setting: a from-scratch run resumed with another block size
or tokenizer, LoRA turned on or off, or a folder whose checkpoint-N is not a checkpoint at all.
"""

from __future__ import annotations

import json
from pathlib import Path

from playground.errors import PlaygroundError
from playground.runs import read_status

# The settings that shape the model's weights (a from-scratch model's context is its block size).
SHAPE_SETTINGS = ("scratch", "tokenizer", "lora", "lora_r")


def check_resume(checkpoint: Path, out: Path, cfg, model) -> None:
    """Refuse to resume `checkpoint` of the run in `out` with resolved settings `cfg` and the model they build."""
    then = read_status(out).get("settings")
    then = then if isinstance(then, dict) else {}
    for key in SHAPE_SETTINGS + (("block_size",) if cfg.scratch else ()):
        if key in then and then[key] != getattr(cfg, key):
            raise PlaygroundError(f"The run in '{out}' was trained with {key.replace('_', ' ')} {then[key]}, not "
                                  f"{getattr(cfg, key)}; resume it with the same setting (or leave it out), or train "
                                  "into a new folder.")
    _check_state(checkpoint)
    _check_weights(checkpoint, model, bool(cfg.lora))


def _check_state(checkpoint: Path) -> None:
    try:
        state = json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        state = None
    if not isinstance(state, dict) or not isinstance(state.get("global_step"), int):
        raise PlaygroundError(f"'{checkpoint.name}' in '{checkpoint.parent}' is not a checkpoint that can be resumed "
                              "(its trainer_state.json is unreadable); remove it, or train into a new folder.")


def _check_weights(checkpoint: Path, model, lora: bool) -> None:
    """Every tensor the checkpoint holds has the name and shape of one of the model's (read from the file's
    header: nothing is loaded)."""
    from safetensors import safe_open

    weights = checkpoint / ("adapter_model.safetensors" if lora else "model.safetensors")
    try:
        with safe_open(str(weights), framework="pt") as f:
            found = {name: tuple(f.get_slice(name).get_shape()) for name in f.keys()}
    except Exception:  # noqa: BLE001 - missing, cut short or not safetensors: safetensors raises several types
        raise PlaygroundError(f"'{checkpoint.name}' in '{checkpoint.parent}' is not a checkpoint that can be resumed "
                              f"(its weights file {weights.name} is missing or damaged); remove it, or train into a "
                              "new folder.") from None
    if lora:
        from peft import get_peft_model_state_dict

        state = get_peft_model_state_dict(model)
    else:
        state = model.state_dict()
    expected = {name: tuple(t.shape) for name, t in state.items()}
    wrong = [name for name, shape in found.items() if expected.get(name) != shape]
    if not found or wrong:
        name = wrong[0] if wrong else weights.name
        raise PlaygroundError(f"The checkpoint '{checkpoint.name}' in '{checkpoint.parent}' does not fit the model "
                              f"these settings build ({name}: {found.get(name)} in the checkpoint, "
                              f"{expected.get(name)} now); resume with the run's own settings, or train into a new "
                              "folder.")
