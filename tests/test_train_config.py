"""TrainConfig's defaults: one recipe per size, the same for the CLI and the Train form (train_config)."""

from __future__ import annotations

import pytest

from playground.cli import build_parser
from playground.cli.train import config_from_args
from playground.config_fields import flags
from playground.errors import PlaygroundError
from playground.models import SCRATCH_SIZES
from playground.train_config import FINETUNE_DEFAULTS, SCRATCH_DEFAULTS, TrainConfig, defaults_for, default_settings

RECIPE = ("tokenizer", "block_size", "batch_size", "lr", "optimizer", "muon_lr", "schedule", "warmup", "weight_decay",
          "dropout")


def cli_config(*args: str) -> TrainConfig:
    return config_from_args(build_parser().parse_args(["train", "--corpus", "c.txt", "--output", "o", *args]))


def test_train_scratch_tiny_alone_is_the_tuned_tinyshakespeare_recipe():
    # The recipe that won tinyshakespeare over three seeds (docs/benchmarks.md, "The defaults"): --tokenizer bpe:1024
    # --block-size 128 --batch-size 32 --lr 2e-3 --optimizer muon --muon-lr 0.04 --schedule wsd; `train --scratch
    # tiny` with nothing else must train exactly that.
    run = cli_config("--scratch", "tiny", "--max-minutes", "2").resolved(1024)
    tuned = cli_config("--scratch", "tiny", "--max-minutes", "2", "--tokenizer", "bpe:1024", "--block-size", "128",
                       "--batch-size", "32", "--lr", "2e-3", "--optimizer", "muon", "--muon-lr", "0.04",
                       "--schedule", "wsd").resolved(1024)
    assert run.to_dict() == tuned.to_dict()
    assert (run.tokenizer, run.optimizer, run.muon_lr, run.schedule) == ("bpe:1024", "muon", 0.04, "wsd")


@pytest.mark.parametrize("size", list(SCRATCH_SIZES))
@pytest.mark.parametrize("length", [{}, {"max_minutes": 2.0}, {"max_steps": 300}])
def test_the_cli_and_the_form_take_every_default_from_one_place(size, length):
    """What the form shows (default_settings) is what `train --scratch SIZE` resolves to, setting by setting."""
    args = [a for k, v in length.items() for a in ("--" + k.replace("_", "-"), str(v))]
    run = cli_config("--scratch", size, *args).resolved(1024)
    shown = default_settings(None, size, **length)
    assert {f.dest for f in flags()} - set(shown) == {"corpus", "output", "model", "scratch"}
    for f in flags():
        if f.dest in shown and len(f.path) == 1:
            assert getattr(run, f.dest) == shown[f.dest], f.dest
    d = SCRATCH_DEFAULTS[size]
    assert (shown["tokenizer"], shown["optimizer"], shown["schedule"]) == (d.tokenizer, d.optimizer, d.schedule)


@pytest.mark.parametrize("model,lora", [("gpt2", False), ("gpt2-medium", False), ("gpt2", True), ("demo", False)])
def test_fine_tuning_keeps_the_models_tokenizer_and_adamw(model, lora):
    cfg = TrainConfig(corpus=["c.txt"], output="o", model=model, lora=lora)
    run = cfg.resolved(1024)
    assert run.tokenizer is None and cfg.tokenizer_or_default is None  # the model's own
    assert (run.optimizer, run.muon_lr, run.schedule) == ("adamw", None, "cosine")
    assert run.lr == (2e-4 if lora else FINETUNE_DEFAULTS.get(model, FINETUNE_DEFAULTS["gpt2"]).lr)
    shown = default_settings(model, None, lora)
    assert all(getattr(run, k) == shown[k] for k in RECIPE)
    assert defaults_for(model, None, lora).tokenizer is None


def test_gpt2_tokenizer_stays_available_from_scratch_and_is_refused_for_a_pretrained_model():
    assert cli_config("--scratch", "tiny", "--tokenizer", "gpt2").resolved(1024).tokenizer == "gpt2"
    with pytest.raises(PlaygroundError, match="keeps its own tokenizer"):
        cli_config("--model", "gpt2", "--tokenizer", "bpe:1024")
    # Settings saved before the per-size defaults named GPT-2's tokenizer for fine-tuning too: they still load.
    old = TrainConfig.from_dict({"corpus": ["c.txt"], "output": "o", "model": "gpt2", "tokenizer": "gpt2",
                                 "schedule": "cosine"})
    assert old.tokenizer is None and old.resolved(1024).schedule == "cosine"


def test_what_the_user_sets_wins_over_the_recipe():
    run = cli_config("--scratch", "mini", "--tokenizer", "bpe:2000", "--schedule", "cosine", "--optimizer", "adamw",
                     "--lr", "1e-3", "--warmup", "7").resolved(1024)
    assert (run.tokenizer, run.schedule, run.optimizer, run.muon_lr, run.lr, run.warmup) == \
        ("bpe:2000", "cosine", "adamw", None, 1e-3, 7)


@pytest.mark.parametrize("size", list(SCRATCH_SIZES))
@pytest.mark.parametrize("length", [{}, {"max_minutes": 2.0}, {"max_steps": 300, "max_minutes": 5.0}])
def test_the_train_tab_opens_on_the_same_recipe_as_the_cli(size, length):
    """The Train form's values for a size (ui.train_form), with a run length typed in, are `train --scratch SIZE`'s
    with the same length, setting by setting."""
    from playground.ui.train_form import MAIN, SCRATCH, advanced_fields, config_values, form_defaults

    form = form_defaults(SCRATCH, None, size) | length
    drawn = {name: form[name] for name in (*MAIN, *advanced_fields())}  # the tokenizer is its own dropdown
    sent = TrainConfig(corpus=["c.txt"], output="o", scratch=size, tokenizer=form["tokenizer"],
                       **config_values(drawn)).resolved(1024)
    args = [a for k, v in length.items() for a in ("--" + k.replace("_", "-"), str(v))]
    assert sent.to_dict() == cli_config("--scratch", size, *args).resolved(1024).to_dict()


def test_the_help_names_the_sizes_defaults_as_the_table_holds_them():
    """The tokenizer's and the Muon rate's help (the CLI's --help, the Train tab's info, docs/cli.md) name the
    sizes' defaults in words: they must say what SCRATCH_DEFAULTS holds (the rate's went stale once, 0.05 → 0.04)."""
    from playground.config_fields import field_docs

    docs = field_docs(TrainConfig)
    tiny, mini = SCRATCH_DEFAULTS["tiny"], SCRATCH_DEFAULTS["mini"]
    large_sizes = [SCRATCH_DEFAULTS[s] for s in ("small", "medium", "large", "xl")]
    assert f"{tiny.muon_lr:g} for tiny, {mini.muon_lr:g} from mini up" in docs["muon_lr"]
    assert all(d.muon_lr == mini.muon_lr for d in large_sizes)
    assert tiny.tokenizer == mini.tokenizer and f"{tiny.tokenizer} for tiny and mini" in docs["tokenizer"]
    assert all(d.tokenizer == "gpt2" for d in large_sizes) and "gpt2 from small up" in docs["tokenizer"]
