"""TrainConfig: every setting of one training run, validated, with per-model-size defaults."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import asdict, dataclass, field, fields
from typing import Literal

from playground.corpus_files import Cleaning
from playground.values import REQUIRED, check_seed, number
from playground.dataset_corpus import DEFAULT_MAX_CHARS, DatasetSource
from playground.errors import PlaygroundError
from playground.models import SCRATCH_SIZES
from playground.tokenization import parse_tokenizer_spec
from playground.tracking import TRACKERS


@dataclass(frozen=True)
class SizeDefaults:
    """One model size's recipe: every setting a run takes when the user leaves it unset (TrainConfig's None)."""

    lr: float
    batch_size: int
    block_size: int
    weight_decay: float
    warmup: int
    tokenizer: str | None = None  # from scratch: 'gpt2' or 'bpe:VOCAB'; None: a pretrained model keeps its own
    optimizer: str = "adamw"
    muon_lr: float | None = None  # Muon's matrices; only with optimizer "muon"
    schedule: str = "cosine"


# Fine-tuning keeps the small learning rate and cosine decay of run_clm, with AdamW (Muon is for training from
# scratch). Block sizes are CPU-friendly; raise them on a GPU.
FINETUNE_DEFAULTS = {
    "gpt2": SizeDefaults(5e-5, 8, 256, 0.0, 50),
    "gpt2-medium": SizeDefaults(5e-5, 4, 256, 0.0, 50),
    "gpt2-large": SizeDefaults(3e-5, 2, 256, 0.0, 50),
    "gpt2-xl": SizeDefaults(2e-5, 1, 256, 0.0, 50),
}
# From scratch, the recipe that won the tinyshakespeare benchmark (docs/benchmarks.md, "The defaults"): Muon
# on the blocks' matrices (AdamW at `lr` on the rest), warmup-stable-decay, and for the CPU-sized models a
# corpus BPE of 1 024 tokens, whose small head leaves the compute to the body. tiny was measured in time-bound
# runs over three seeds (Muon 0.05 won at one seed only; 0.04 wins on average and at its worst seed, at 2 and 3.6 min),
# mini on equal steps (its wider body wanted gentler rates); small and above are extrapolated (their bodies
# dwarf GPT-2's 50 257-row head, so they keep GPT-2's tokenizer and the GPT-3 paper's AdamW rates, with Keller
# Jordan's Muon rate).
SCRATCH_DEFAULTS = {
    "tiny": SizeDefaults(2e-3, 32, 128, 0.1, 50, "bpe:1024", "muon", 0.04, "wsd"),
    "mini": SizeDefaults(1e-3, 32, 128, 0.1, 50, "bpe:1024", "muon", 0.02, "wsd"),
    "small": SizeDefaults(6e-4, 8, 512, 0.1, 200, "gpt2", "muon", 0.02, "wsd"),
    "medium": SizeDefaults(3e-4, 4, 512, 0.1, 200, "gpt2", "muon", 0.02, "wsd"),
    "large": SizeDefaults(2.5e-4, 2, 512, 0.1, 200, "gpt2", "muon", 0.02, "wsd"),
    "xl": SizeDefaults(2e-4, 1, 512, 0.1, 200, "gpt2", "muon", 0.02, "wsd"),
}
LORA_LR = 2e-4  # LoRA adapters want a larger rate than full fine-tuning
MUON_LR = 0.02  # Muon's rate when a size's recipe names none (Keller Jordan's)
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
    "threads": ("Threads", dict(integer=True, lo=1, hi=4096)),
}
SHORT_WARMUP = 20  # a time budget alone: a short run must not spend itself warming up


def ui(label: str, **how) -> dict:
    """How the Train form shows a field (playground.ui.train_form): its short label, and any of min, max,
    placeholder, choices [(label, value)], default_label (a choice field's "default" entry) and blank ("zero":
    0 in the box means the default; "text": a text box, blank means the default). Its help is the docstring."""
    return {"label": label, **how}


def defaults_for(model: str | None, scratch: str | None, lora: bool = False) -> SizeDefaults:
    """The recipe a run of this model (fine-tuned, optionally with LoRA) or from-scratch size takes by default."""
    if scratch:
        return SCRATCH_DEFAULTS[scratch]
    d = FINETUNE_DEFAULTS.get(model or "", FINETUNE_DEFAULTS["gpt2"])  # local folders: like gpt2
    return dataclasses.replace(d, lr=LORA_LR) if lora else d


def default_warmup(d: SizeDefaults, max_steps: int | None, max_minutes: float | None, epochs: float | None) -> int:
    """Warm-up steps when unset: the size's, shortened for short runs (a tenth of a step count, SHORT_WARMUP
    steps for a time budget alone)."""
    if max_steps is not None:
        return min(d.warmup, max_steps // 10)
    if max_minutes is not None and epochs is None:
        return min(d.warmup, SHORT_WARMUP)
    return d.warmup


def default_settings(model: str | None = None, scratch: str | None = None, lora: bool = False, *,
                  max_steps: int | None = None, max_minutes: float | None = None, epochs: float | None = None) -> dict:
    """Every setting's default as a form shows it, by TrainConfig field name: the size's recipe (lr, batch,
    block, tokenizer, optimizer, Muon's rate, schedule, warm-up for this run length, weight decay, dropout)
    and each other field's own default (a sub-dataclass's fields by their own names, as config_fields.flags names
    them). TrainConfig.resolved fills an unset setting from the same recipe, so the CLI's defaults and the Train
    form's cannot differ. `corpus`, `output`, `model` and `scratch` are the caller's."""
    d = defaults_for(model, scratch, lora)
    values = {}
    for f in dataclasses.fields(TrainConfig):
        if f.name in ("corpus", "output", "model", "scratch"):
            continue
        default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
        # A sub-dataclass (cleaning) by its own fields, as the CLI and the form show them (config_fields.flags).
        values |= dataclasses.asdict(default) if dataclasses.is_dataclass(default) else {f.name: default}
    return values | {
        "tokenizer": d.tokenizer if scratch else None,
        "block_size": d.block_size, "batch_size": d.batch_size, "lr": d.lr, "weight_decay": d.weight_decay,
        "optimizer": d.optimizer, "muon_lr": (d.muon_lr or MUON_LR) if d.optimizer == "muon" else None,
        "schedule": d.schedule, "warmup": default_warmup(d, max_steps, max_minutes, epochs),
        "dropout": 0.0 if scratch else None,  # None: the pretrained model's own
        "max_steps": max_steps, "max_minutes": max_minutes, "epochs": epochs, "lora": lora,
    }


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
    tokenizer: str | None = None
    """From scratch: 'gpt2' (GPT-2's own BPE) or 'bpe:VOCAB' (a BPE trained on the corpus); default: the size's
    (bpe:1024 for tiny and mini, gpt2 from small up). A pretrained model keeps its own."""
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
    schedule: Literal["linear", "cosine", "constant", "wsd"] | None = field(
        default=None, metadata=ui("LR schedule", default_label="default: wsd from scratch, cosine to fine-tune"))
    """Decay after warm-up: linear, cosine, constant, or wsd (flat, then linear to 0 over the last 20 %); default:
    wsd from scratch, cosine for fine-tuning."""
    optimizer: Literal["adamw", "muon"] | None = field(default=None, metadata=ui("Optimizer", default_label="default: Muon from scratch, AdamW to fine-tune"))
    """'adamw', or from scratch 'muon': Muon on the blocks' 2-D matrices, AdamW (at --lr) on embeddings, norms,
    biases. Default: muon from scratch (it won the tinyshakespeare benchmark, docs/benchmarks.md), adamw for fine-tuning."""
    muon_lr: float | None = field(default=None, metadata=ui("Muon learning rate (0 = the size's)", blank="zero"))
    """Learning rate of Muon's matrices (default: the size's, 0.04 for tiny, 0.02 from mini up); only with optimizer
    'muon'."""
    warmup: int | None = field(default=None, metadata=ui("Warm-up steps", min=0, blank="text",
                                                          placeholder="default: the size's, fewer for a short run"))
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
    threads: int | None = field(default=None, metadata=ui("CPU threads (0 = every core)", blank="zero", min=0))
    """CPU threads torch splits each operation over (default: every core this process may use, or one when a probe
    at the start measures one faster). One can be faster while another program keeps a core busy: a split
    operation waits for its slowest thread."""
    lora: bool = False
    """Train LoRA adapters (merged into the saved model) instead of every weight."""
    lora_r: int = field(default=8, metadata=ui("LoRA rank", min=1))
    """LoRA rank."""
    lora_alpha: int = field(default=16, metadata=ui("LoRA alpha", min=1))
    """LoRA scaling (alpha / r multiplies the adapters)."""
    resume: bool = False
    """Continue from the last checkpoint in the output folder."""
    sample_prompt: str | None = field(default=None, metadata=ui("Sample prompt", placeholder="start of the corpus"))
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
        if self.model and self.tokenizer is not None:
            raise PlaygroundError("A pretrained model keeps its own tokenizer; --tokenizer applies only with --scratch.")
        if self.lora and self.scratch:
            raise PlaygroundError("LoRA adapts a pretrained model; train from scratch without --lora.")
        if self.tokenizer is not None:
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
            (self.schedule in (None, "linear", "cosine", "constant", "wsd"),
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
        return self.optimizer or self.defaults.optimizer

    @property
    def tokenizer_or_default(self) -> str | None:
        """From scratch: the tokenizer spec this run trains with; None for a pretrained model (its own)."""
        return (self.tokenizer or self.defaults.tokenizer) if self.scratch else None

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
        optimizer = self.optimizer_or_default
        values = asdict(self) | {
            "tokenizer": self.tokenizer_or_default,
            "block_size": block,
            "batch_size": self.batch_size or d.batch_size,
            "lr": self.lr or d.lr,
            "schedule": self.schedule or d.schedule,
            "weight_decay": d.weight_decay if self.weight_decay is None else self.weight_decay,
            "cleaning": self.cleaning,
            "dropout": self.dropout if self.dropout is not None or not self.scratch else 0.0,
            "optimizer": optimizer,
            "muon_lr": (self.muon_lr or d.muon_lr or MUON_LR) if optimizer == "muon" else None,
            "warmup": default_warmup(d, self.max_steps, self.max_minutes, self.epochs) if self.warmup is None else self.warmup,
        }
        return TrainConfig(**values)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        if values.get("model") and values.get("tokenizer") == "gpt2":
            values["tokenizer"] = None  # settings saved before the per-size defaults named GPT-2's for every run
        if isinstance(values.get("cleaning"), dict):
            values["cleaning"] = Cleaning(**values["cleaning"])
        return cls(**values)
