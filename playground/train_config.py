"""TrainConfig: every setting of one training run, validated, with per-model-size defaults."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from typing import Literal

from playground.corpus import Cleaning
from playground.values import REQUIRED, check_seed, number
from playground.dataset_corpus import DEFAULT_MAX_CHARS, DatasetSource
from playground.errors import PlaygroundError
from playground.models import SCRATCH_SIZES
from playground.tokenization import parse_tokenizer_spec
from playground.tracking import TRACKERS


@dataclass(frozen=True)
class SizeDefaults:
    lr: float
    batch_size: int
    block_size: int
    weight_decay: float
    warmup: int


# Fine-tuning keeps the small learning rate of run_clm; from scratch follows nanoGPT (tiny sizes, 1e-3)
# and the GPT-3 paper's table (paper sizes). Block sizes are CPU-friendly; raise them on a GPU.
FINETUNE_DEFAULTS = {
    "gpt2": SizeDefaults(5e-5, 8, 256, 0.0, 50),
    "gpt2-medium": SizeDefaults(5e-5, 4, 256, 0.0, 50),
    "gpt2-large": SizeDefaults(3e-5, 2, 256, 0.0, 50),
    "gpt2-xl": SizeDefaults(2e-5, 1, 256, 0.0, 50),
}
SCRATCH_DEFAULTS = {
    "tiny": SizeDefaults(2e-3, 32, 128, 0.1, 50),
    "mini": SizeDefaults(1e-3, 32, 256, 0.1, 100),
    "small": SizeDefaults(6e-4, 8, 512, 0.1, 200),
    "medium": SizeDefaults(3e-4, 4, 512, 0.1, 200),
    "large": SizeDefaults(2.5e-4, 2, 512, 0.1, 200),
    "xl": SizeDefaults(2e-4, 1, 512, 0.1, 200),
}
LORA_LR = 2e-4  # LoRA adapters want a larger rate than full fine-tuning
MUON_LR = 0.02  # Muon's matrices (Keller Jordan's rate); the AdamW groups of a Muon run keep the size's lr
MAX_STEPS = 10_000_000  # weeks of GPU time for the small sizes; far beyond that is a typo, not a plan
MAX_EPOCHS = 10_000
MAX_MINUTES = 60 * 24 * 365  # a year: a longer time budget is a typo (and inf would never end the schedule)
MAX_GRAD_ACCUM = 10_000  # forward passes per optimizer step; Trainer gathers them one by one before each step
MAX_BATCH = 65_536
MAX_TOKENS = 1 << 20  # block size and stride: far beyond any GPT-2 context
MAX_SAMPLE_TOKENS = 512  # the sample at each evaluation (as Generate's max new tokens)
MAX_SAMPLE_PROMPT = 1_000  # characters; the sample keeps only the prompt's last half-context of tokens anyway

# The numeric settings: what a person calls each and the range it takes, checked by playground.values.number
# (text such as "0.5" from a form or an API client is read; "nan", "inf", "1e309" and values outside the range
# are refused in one sentence naming the setting).
NUMBERS: dict[str, tuple[str, dict]] = {
    "dataset_max_chars": ("The dataset's character cap", dict(integer=True, lo=1)),
    "block_size": ("Block size", dict(integer=True, lo=8, hi=MAX_TOKENS)),
    "stride": ("Stride", dict(integer=True, lo=1, hi=MAX_TOKENS)),
    "batch_size": ("Batch size", dict(integer=True, lo=1, hi=MAX_BATCH)),
    "grad_accum": ("Gradient accumulation", dict(integer=True, lo=1, hi=MAX_GRAD_ACCUM)),
    "lr": ("Learning rate", dict(above=0)),
    "muon_lr": ("Muon's learning rate", dict(above=0)),
    "warmup": ("Warm-up steps", dict(integer=True, lo=0, hi=MAX_STEPS)),
    "weight_decay": ("Weight decay", dict(lo=0)),
    "max_grad_norm": ("Gradient clipping norm", dict(lo=0)),
    "epochs": ("Epochs", dict(above=0, hi=MAX_EPOCHS)),
    "max_steps": ("Max steps", dict(integer=True, lo=1, hi=MAX_STEPS)),
    "max_minutes": ("The time budget in minutes", dict(above=0, hi=MAX_MINUTES)),
    "eval_every": ("Evaluate-every", dict(integer=True, lo=1, hi=MAX_STEPS)),
    "val_fraction": ("Validation fraction", dict(above=0, hi=0.5)),
    "dropout": ("Dropout", dict(lo=0, below=1)),
    "lora_r": ("LoRA rank", dict(integer=True, lo=1, hi=4096)),
    "lora_alpha": ("LoRA alpha", dict(integer=True, lo=1, hi=1_000_000)),
    "sample_tokens": ("Sample tokens", dict(integer=True, lo=1, hi=MAX_SAMPLE_TOKENS)),
}


def ui(label: str, **how) -> dict:
    """How the Train form shows a field (playground.ui.train_form): its short label, and any of min, max,
    placeholder, max_chars (a text's bound), choices [(label, value)], default_label (a choice field's "default" entry) and blank ("zero":
    0 in the box means the default; "text": a text box, blank means the default). Its help is the docstring."""
    return {"label": label, **how}


def defaults_for(model: str | None, scratch: str | None, lora: bool = False) -> SizeDefaults:
    if scratch:
        return SCRATCH_DEFAULTS[scratch]
    d = FINETUNE_DEFAULTS.get(model or "", FINETUNE_DEFAULTS["gpt2"])  # local folders: like gpt2
    return SizeDefaults(LORA_LR, d.batch_size, d.block_size, d.weight_decay, d.warmup) if lora else d


@dataclass
class TrainConfig:
    """One training run. `None` means "the default for this model size" (see defaults_for)."""

    corpus: list[str] = field(default_factory=list)
    """Corpus files (.txt, .md, .csv, .jsonl, .json)."""
    dataset: str | None = None
    """…or a `datasets` dataset instead of files: a Hub name (roneneldan/TinyStories) or a local dataset folder."""
    dataset_config: str | None = None
    """The dataset's configuration (subset), for datasets that have several."""
    dataset_split: str = "train"
    """The dataset's split to read (validation is held out of it, as from files)."""
    dataset_max_chars: int = DEFAULT_MAX_CHARS
    """Read the dataset's rows (streamed, never downloaded whole) until this many characters."""
    output: str = field(kw_only=True)  # required; keyword-only so it may follow the defaulted corpus fields
    """Output folder: the trained model, checkpoints, metrics.jsonl and playground.json."""
    model: str | None = None
    """Fine-tune this pretrained model: gpt2, gpt2-medium, gpt2-large, gpt2-xl, demo or a model folder."""
    scratch: str | None = None
    """…or train a new GPT-2 from scratch: tiny, mini, small, medium, large or xl (models.SCRATCH_SIZES)."""
    tokenizer: str = "gpt2"
    """From scratch: 'gpt2' (GPT-2's own BPE) or 'bpe:VOCAB' (a BPE trained on the corpus)."""
    val_files: list[str] = field(default_factory=list)
    """Explicit validation files (instead of a split of the corpus)."""
    text_field: str | None = None
    """csv/json/dataset: the column holding the text (default: 'text'; else a csv/json file's only column, a dataset's
    first text column)."""
    cleaning: Cleaning = field(default_factory=Cleaning)
    """Optional clean-ups of the text (each its own flag: --drop-blank-lines, …)."""
    block_size: int | None = None
    """Tokens per training example (at most the model's context)."""
    stride: int | None = None
    """Tokens between block starts (below the block size, windows overlap); default: the block size."""
    line_by_line: bool = False
    """Each line (or record) is one example, instead of blocks cut from the joined text."""
    batch_size: int | None = field(default=None, metadata=ui("Batch size", min=1))
    """Examples per device and forward pass."""
    grad_accum: int = field(default=1, metadata=ui("Gradient accumulation", min=1))
    """Forward passes accumulated into one optimizer step."""
    lr: float | None = field(default=None, metadata=ui("Learning rate"))
    """Peak learning rate (of AdamW; with Muon, of the embeddings, norms and biases)."""
    schedule: Literal["linear", "cosine", "constant", "wsd"] = field(default="cosine", metadata=ui("LR schedule"))
    """Decay after warm-up: linear, cosine, constant, or wsd (flat, then linear to 0 over the last 20 %)."""
    optimizer: Literal["adamw", "muon"] | None = field(default=None, metadata=ui("Optimizer", default_label="default: Muon from scratch, AdamW to fine-tune"))
    """'adamw', or from scratch 'muon': Muon on the blocks' 2-D matrices, AdamW (at --lr) on embeddings, norms,
    biases. Default: muon from scratch (it won the tinyshakespeare benchmark, docs/benchmarks.md), adamw for fine-tuning."""
    muon_lr: float | None = field(default=None, metadata=ui("Muon learning rate (0 = 0.02)", blank="zero"))
    """Learning rate of Muon's matrices (default 0.02); only with optimizer 'muon'."""
    warmup: int | None = field(default=None, metadata=ui("Warm-up steps", min=0))
    """Warm-up optimizer steps (linear from 0)."""
    weight_decay: float | None = field(default=None, metadata=ui("Weight decay", min=0))
    """Decoupled weight decay (AdamW's, and Muon's)."""
    max_grad_norm: float = field(default=1.0, metadata=ui("Gradient clipping norm (0 = off)", min=0))
    """Gradient clipping norm (0: off)."""
    epochs: float | None = field(default=None, metadata=ui("Epochs (0 = one, or the step limit)", blank="zero", min=0))
    """Passes over the training examples (default 1, unless a step count or a time budget ends the run)."""
    max_steps: int | None = field(default=None, metadata=ui("Max steps (0 = by epochs)", blank="zero", min=0))
    """Optimizer steps to train (instead of epochs)."""
    max_minutes: float | None = field(default=None, metadata=ui("Time budget, minutes (0 = none)", blank="zero", min=0))
    """Time budget: training stops (and the schedule ends) when it runs out."""
    eval_every: int | None = field(default=None, metadata=ui("Evaluate every N steps (0 = ten times)", blank="zero", min=0))
    """Optimizer steps between evaluations; default: ten evaluations per run."""
    val_fraction: float = 0.1
    """Share of the corpus held out for validation, in (0, 0.5]; ignored with validation files."""
    seed: int = field(default=42, metadata=ui("Seed", min=0))
    """Seeds the initialisation, the validation split, the data order and the samples."""
    precision: Literal["auto", "fp32", "fp16", "bf16"] = field(default="auto", metadata=ui("Precision"))
    """auto: bf16 on GPUs that have it, fp16 on other CUDA GPUs, bf16 on CPUs with native bf16 (AVX512-BF16,
    AMX), fp32 elsewhere."""
    compile: bool = field(default=False, metadata=ui("Compile the model (torch.compile)"))
    """torch.compile the model: faster steps after compiling (a minute or more on a GPU; ~10 s and 1.3x for the
    tiny model on a CPU, which needs a C++ compiler). Off: no wait."""
    lora: bool = False
    """Train LoRA adapters (merged into the saved model) instead of every weight."""
    lora_r: int = field(default=8, metadata=ui("LoRA rank", min=1))
    """LoRA rank."""
    lora_alpha: int = field(default=16, metadata=ui("LoRA alpha", min=1))
    """LoRA scaling (alpha / r multiplies the adapters)."""
    resume: bool = False
    """Continue from the last checkpoint in the output folder."""
    sample_prompt: str | None = field(default=None, metadata=ui("Sample prompt", placeholder="start of the corpus", max_chars=MAX_SAMPLE_PROMPT))
    """Prompt for the sample generated at each evaluation; default: the start of the corpus's first line."""
    sample_tokens: int = field(default=40, metadata=ui("Sample length (tokens)", min=1))
    """Length in tokens of that sample."""
    dropout: float | None = field(default=None, metadata=ui("Dropout", blank="text", placeholder="default: the model's own, 0 from scratch"))
    """Dropout probability; default: the pretrained model's own, 0 from scratch (nanoGPT's advice for short runs)."""
    report_to: Literal["none", "trackio", "tensorboard", "wandb"] = "none"
    """Also report the metrics to a tracker: trackio (local dashboard: trackio show --project gpt2-playground),
    tensorboard (OUTPUT/runs) or wandb; each needs its package installed."""

    def __post_init__(self):
        if bool(self.model) == bool(self.scratch):
            raise PlaygroundError("Choose exactly one of a pretrained model (--model) or a from-scratch size (--scratch).")
        if self.scratch and self.scratch not in SCRATCH_SIZES:
            raise PlaygroundError(f"Unknown from-scratch size '{self.scratch}'; choose one of {', '.join(SCRATCH_SIZES)}.")
        if self.model and self.tokenizer != "gpt2":
            raise PlaygroundError("A pretrained model keeps its own tokenizer; --tokenizer applies only with --scratch.")
        if self.lora and self.scratch:
            raise PlaygroundError("LoRA adapts a pretrained model; train from scratch without --lora.")
        parse_tokenizer_spec(self.tokenizer)
        if not self.corpus and not self.dataset:
            raise PlaygroundError("No corpus given; pass at least one --corpus FILE or a --dataset NAME_OR_FOLDER.")
        if self.corpus and self.dataset:
            raise PlaygroundError("Train on corpus files (--corpus) or on a dataset (--dataset), not both.")
        if self.dataset_config and not self.dataset:
            raise PlaygroundError("--dataset-config applies only with --dataset.")
        if not isinstance(self.output, (str, os.PathLike)) or not str(self.output).strip():
            raise PlaygroundError("No output folder given; pass --output DIR.")
        for name, (label, bounds) in NUMBERS.items():  # text, nan, inf and out-of-range values: one sentence
            value = getattr(self, name)
            # None means "the default for this model size"; blank text ("--lr ''") is refused, never taken for it.
            optional = getattr(type(self), name, None) is None and not isinstance(value, str)
            setattr(self, name, number(label, value, blank=None if optional else REQUIRED, **bounds))
        self.seed = check_seed(self.seed)
        checks = [
            (self.schedule in ("linear", "cosine", "constant", "wsd"),
             f"Unknown schedule '{self.schedule}'; use linear, cosine, constant or wsd."),
            (self.optimizer in (None, "adamw", "muon"), f"Unknown optimizer '{self.optimizer}'; use adamw or muon."),
            (self.optimizer != "muon" or bool(self.scratch),
             "Muon is for training from scratch (--scratch); fine-tune a pretrained model with --optimizer adamw."),
            (self.muon_lr is None or self.optimizer_or_default == "muon", "--muon-lr applies only with --optimizer muon."),
            (self.report_to in TRACKERS, f"Unknown tracker '{self.report_to}'; use none, trackio, tensorboard or wandb."),
            (self.sample_prompt is None or isinstance(self.sample_prompt, str) and len(self.sample_prompt) <= MAX_SAMPLE_PROMPT,
             f"The sample prompt must be text of at most {MAX_SAMPLE_PROMPT:,} characters."),
        ]
        for ok, message in checks:
            if not ok:
                raise PlaygroundError(message)

    @property
    def dataset_source(self) -> DatasetSource | None:
        """The dataset to read (--dataset), or None when the corpus is files."""
        if not self.dataset:
            return None
        return DatasetSource(self.dataset, self.dataset_config, self.dataset_split, self.text_field, self.dataset_max_chars)

    @property
    def optimizer_or_default(self) -> str:
        return self.optimizer or ("muon" if self.scratch else "adamw")

    @property
    def defaults(self) -> SizeDefaults:
        return defaults_for(self.model, self.scratch, self.lora)

    def resolved(self, context: int) -> TrainConfig:
        """A copy with every None default filled in for a model of `context` positions."""
        d = self.defaults
        block = self.block_size or min(d.block_size, context)
        if block > context:
            raise PlaygroundError(f"Block size {block} is above the model's context of {context} tokens; choose at most {context}.")
        if self.stride is not None and self.stride > block:
            raise PlaygroundError(f"Stride {self.stride} is larger than the block size {block}; choose at most {block}.")
        values = asdict(self) | {
            "block_size": block,
            "batch_size": self.batch_size or d.batch_size,
            "lr": self.lr or d.lr,
            "weight_decay": d.weight_decay if self.weight_decay is None else self.weight_decay,
            "cleaning": self.cleaning,
            "dropout": self.dropout if self.dropout is not None or not self.scratch else 0.0,
            "optimizer": self.optimizer_or_default,
            "muon_lr": (self.muon_lr or MUON_LR) if self.optimizer_or_default == "muon" else None,
        }
        if self.warmup is None:
            if self.max_steps is not None:
                values["warmup"] = min(d.warmup, self.max_steps // 10)
            elif self.max_minutes is not None and self.epochs is None:
                values["warmup"] = min(d.warmup, 20)  # a short time budget must not spend itself warming up
            else:
                values["warmup"] = d.warmup
        return TrainConfig(**values)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        if isinstance(values.get("cleaning"), dict):
            values["cleaning"] = Cleaning(**values["cleaning"])
        return cls(**values)
