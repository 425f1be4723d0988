"""Hosted-mode limits: what one visitor of a shared app (a Hugging Face Space) may ask of it.

One training job runs at a time on a host, so a visitor must not be able to hold the slot for ever or
exhaust its memory or disk. The host sets the limits with environment variables (a Space's settings);
the defaults suit a classroom on a small CPU Space.

    PLAYGROUND_MAX_MINUTES          time budget of one training job (default 15)
    PLAYGROUND_SIZES                from-scratch sizes allowed, comma-separated (default tiny,mini)
    PLAYGROUND_FINETUNE_MODELS      catalog models that may be fine-tuned (default demo,gpt2)
    PLAYGROUND_MAX_TOKENS_PER_STEP  batch × gradient accumulation × block size (default 16384)
    PLAYGROUND_MAX_EVAL_CHARS       characters one Evaluate request may score (default 200000)
    PLAYGROUND_MAX_DATASET_CHARS    characters a training job may read from a Hub dataset (default 5000000)
    PLAYGROUND_DISK_MB              disk for runs, caches and uploads together (default 2000)
    PLAYGROUND_IDLE_MINUTES         a session idle this long is closed and its files removed (default 30)
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from playground.errors import PlaygroundError
from playground.models import SCRATCH_SIZES


@dataclass(frozen=True)
class HostedLimits:
    max_minutes: float = 15.0
    sizes: tuple[str, ...] = ("tiny", "mini")
    finetune_models: tuple[str, ...] = ("demo", "gpt2")
    max_tokens_per_step: int = 16_384
    max_eval_chars: int = 200_000
    max_dataset_chars: int = 5_000_000
    disk_mb: float = 2_000.0
    idle_minutes: float = 30.0

    def __post_init__(self):
        unknown = [s for s in self.sizes if s not in SCRATCH_SIZES]
        if unknown:
            raise PlaygroundError(f"PLAYGROUND_SIZES names unknown sizes ({', '.join(unknown)}); use {', '.join(SCRATCH_SIZES)}.")
        for name in ("max_minutes", "max_tokens_per_step", "max_eval_chars", "max_dataset_chars", "disk_mb", "idle_minutes"):
            if not getattr(self, name) > 0:
                raise PlaygroundError(f"The hosted limit {name} must be positive, not {getattr(self, name)}.")

    @classmethod
    def from_env(cls, env: dict | None = None) -> HostedLimits:
        env = os.environ if env is None else env
        d = cls()

        def number(key: str, default, cast=float):
            value = env.get(key, "").strip()
            if not value:
                return default
            try:
                return cast(value)
            except ValueError:
                raise PlaygroundError(f"{key} must be a number, not '{value}'.") from None

        def names(key: str, default: tuple) -> tuple:
            value = env.get(key, "").strip()
            return tuple(v.strip() for v in value.split(",") if v.strip()) if value else default

        return cls(
            max_minutes=number("PLAYGROUND_MAX_MINUTES", d.max_minutes),
            sizes=names("PLAYGROUND_SIZES", d.sizes),
            finetune_models=names("PLAYGROUND_FINETUNE_MODELS", d.finetune_models),
            max_tokens_per_step=number("PLAYGROUND_MAX_TOKENS_PER_STEP", d.max_tokens_per_step, int),
            max_eval_chars=number("PLAYGROUND_MAX_EVAL_CHARS", d.max_eval_chars, int),
            max_dataset_chars=number("PLAYGROUND_MAX_DATASET_CHARS", d.max_dataset_chars, int),
            disk_mb=number("PLAYGROUND_DISK_MB", d.disk_mb),
            idle_minutes=number("PLAYGROUND_IDLE_MINUTES", d.idle_minutes),
        )

    def describe(self) -> str:
        return (f"Limits on this shared app: {self.max_minutes:g} minutes per training job; from scratch: "
                f"{', '.join(self.sizes)}; fine-tuning: {', '.join(self.finetune_models)} or a model trained here; "
                f"at most {self.max_tokens_per_step:,} tokens per step (batch × accumulation × block).")

    def apply(self, config, session_models: set[str] = frozenset()):
        """`config` within these limits: refused with one sentence, or its time budget capped (noted)."""
        from playground.train_config import defaults_for

        if config.scratch and config.scratch not in self.sizes:
            raise PlaygroundError(f"This shared app trains from scratch only {', '.join(self.sizes)}; "
                                  f"choose one of those (or run the playground on your own machine for '{config.scratch}').")
        if config.model and config.model not in self.finetune_models and config.model not in session_models:
            raise PlaygroundError(f"This shared app fine-tunes only {', '.join(self.finetune_models)} or a model "
                                  f"trained in this session; '{config.model}' is too large for it.")
        d = defaults_for(config.model, config.scratch, config.lora)
        per_step = (config.batch_size or d.batch_size) * config.grad_accum * (config.block_size or d.block_size)
        if per_step > self.max_tokens_per_step:
            raise PlaygroundError(f"A step of {per_step:,} tokens (batch × accumulation × block) is more than this "
                                  f"shared app's {self.max_tokens_per_step:,}; lower the batch size or the block size.")
        if config.dataset:
            if Path(config.dataset).expanduser().exists():  # a visitor must not read the host's own folders
                raise PlaygroundError("This shared app reads datasets from the Hugging Face Hub only, not folders on its "
                                      "disk; name a Hub dataset or upload files.")
            if config.dataset_max_chars > self.max_dataset_chars:
                config = dataclasses.replace(config, dataset_max_chars=self.max_dataset_chars)
        if config.max_minutes is None or config.max_minutes > self.max_minutes:
            return dataclasses.replace(config, max_minutes=self.max_minutes)
        return config

    def check_eval(self, text: str) -> None:
        if len(text) > self.max_eval_chars:
            raise PlaygroundError(f"The text has {len(text):,} characters; this shared app scores at most "
                                  f"{self.max_eval_chars:,} at a time — evaluate a shorter excerpt.")

    def check_disk(self, *folders: Path) -> None:
        """Refuse new work while runs, caches and uploads together use more than the disk budget."""
        used = sum(folder_bytes(f) for f in folders) / 2**20
        if used > self.disk_mb:
            raise PlaygroundError(f"This shared app's disk budget ({self.disk_mb:,.0f} MB) is used up by other "
                                  "sessions' files; try again in a few minutes, when idle sessions are cleared.")


def folder_bytes(folder: Path) -> int:
    folder = Path(folder)
    if not folder.exists():
        return 0
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue  # removed meanwhile
    return total
