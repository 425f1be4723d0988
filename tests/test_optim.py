"""Muon for from-scratch runs (playground.optim), the wsd schedule and their settings."""

import json
import shlex

import pytest
import torch

from playground import runs
from playground.errors import PlaygroundError
from playground.models import scratch_model
from playground.optim import build_muon_optimizer, group_parameters, muon_lr_scale
from playground.train_config import SCRATCH_DEFAULTS, TrainConfig
from playground.training import TrainingJob, lr_multiplier, read_metrics
from tests.conftest import fast_config


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def fast(play_file, output, **kw) -> TrainConfig:
    """The tests' tiny from-scratch run (conftest.fast_config), 20 steps with evaluations every 10."""
    return fast_config(play_file, output, **({"max_steps": 20, "eval_every": 10} | kw))


# --------------------------------------------------------------------------- parameter groups


def test_every_parameter_is_in_exactly_one_group():
    model = scratch_model("tiny", vocab_size=400, n_positions=32)
    groups = group_parameters(model)
    names = groups.muon + groups.adamw_decay + groups.adamw_no_decay
    assert sorted(names) == sorted(n for n, _ in model.named_parameters())
    assert len(names) == len(set(names))


def test_block_matrices_go_to_muon_the_rest_to_adamw():
    model = scratch_model("tiny", vocab_size=400, n_positions=32)  # 2 layers
    groups = group_parameters(model)
    params = dict(model.named_parameters())
    assert sorted(groups.muon) == sorted(
        f"transformer.h.{i}.{m}.weight" for i in range(2) for m in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"))
    assert all(params[n].ndim == 2 for n in groups.muon)  # torch's Muon takes only matrices
    # GPT-2 ties lm_head to wte: the head is trained once, as the embedding, by AdamW.
    assert model.lm_head.weight is model.transformer.wte.weight and "lm_head.weight" not in params
    assert groups.adamw_decay == ["transformer.wte.weight", "transformer.wpe.weight"]
    assert all(".ln_" in n or n.startswith("transformer.ln_f") or n.endswith(".bias") for n in groups.adamw_no_decay)
    assert all(params[n].ndim == 1 for n in groups.adamw_no_decay)


def test_an_untied_head_goes_to_adamw():
    from transformers import GPT2Config, GPT2LMHeadModel

    model = GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=16, n_positions=8, vocab_size=32,
                                       tie_word_embeddings=False))
    groups = group_parameters(model)
    assert "lm_head.weight" in groups.adamw_decay and "lm_head.weight" not in groups.muon


def test_frozen_parameters_are_left_out():
    model = scratch_model("tiny", vocab_size=400, n_positions=32)
    model.transformer.wpe.weight.requires_grad_(False)
    groups = group_parameters(model)
    assert "transformer.wpe.weight" not in groups.muon + groups.adamw_decay + groups.adamw_no_decay


def test_conv1d_weights_get_the_rate_of_the_same_linear_layer():
    # Keller's rule scales a matrix's rate by sqrt(max(1, out / in)); Conv1D stores (in, out), torch assumes (out, in).
    assert muon_lr_scale(torch.Size([128, 384]), transposed=True) == pytest.approx(3 ** 0.5)  # c_attn: out = 3 in
    assert muon_lr_scale(torch.Size([512, 128]), transposed=True) == pytest.approx(0.5)  # c_proj: cancels torch's 2
    assert muon_lr_scale(torch.Size([128, 128]), transposed=True) == 1.0
    assert muon_lr_scale(torch.Size([384, 128]), transposed=False) == 1.0


def test_the_combined_optimizer_steps_both_and_round_trips_its_state():
    torch.manual_seed(0)
    model = scratch_model("tiny", vocab_size=64, n_positions=16)
    opt = build_muon_optimizer(model, lr=1e-3, muon_lr=0.02, weight_decay=0.1)
    assert opt.param_groups[0]["lr"] == 1e-3  # AdamW first: the logged learning rate is --lr's
    [muon_decay] = {g["weight_decay"] for g in opt.param_groups[2:]}  # one value (a set of approx cannot hash)
    assert muon_decay == pytest.approx(0.1 * 1e-3 / 0.02)
    x = torch.randint(0, 64, (2, 16))

    def step(o):
        model(input_ids=x, labels=x).loss.backward()
        o.step()
        o.zero_grad(set_to_none=True)

    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    step(opt)
    assert all(not torch.equal(before[n], p) for n, p in model.named_parameters())  # every group moved
    saved = opt.state_dict()
    again = build_muon_optimizer(model, lr=1e-3, muon_lr=0.02, weight_decay=0.1)
    again.load_state_dict(saved)
    w = model.transformer.h[0].mlp.c_fc.weight
    assert torch.equal(again.state[w]["momentum_buffer"], opt.state[w]["momentum_buffer"])
    # A scheduler's rates reach the inner optimizers after a reload (they share the group dicts).
    for g in again.param_groups:
        g["lr"] = 0.0
    state = {n: p.detach().clone() for n, p in model.named_parameters()}
    step(again)
    assert all(torch.equal(state[n], p) for n, p in model.named_parameters())


# --------------------------------------------------------------------------- schedule and settings


def test_wsd_is_flat_then_decays_linearly_over_the_last_fifth():
    assert lr_multiplier(0, 0.0, 9, "wsd") == pytest.approx(0.1)  # the same warm-up as the others
    assert lr_multiplier(100, 0.0, 9, "wsd") == 1.0
    assert lr_multiplier(100, 0.5, 9, "wsd") == 1.0
    assert lr_multiplier(100, 0.8, 9, "wsd") == pytest.approx(1.0)
    assert lr_multiplier(100, 0.9, 9, "wsd") == pytest.approx(0.5)
    assert lr_multiplier(100, 1.0, 9, "wsd") == pytest.approx(0.0)


@pytest.mark.parametrize("kw,match", [
    (dict(optimizer="muon", scratch=None, model="gpt2", tokenizer=None), "Muon is for training from scratch"),
    (dict(optimizer="sgd"), "Unknown optimizer 'sgd'"),
    (dict(optimizer="adamw", muon_lr=0.02), "--muon-lr applies only with --optimizer muon"),
    (dict(scratch=None, model="gpt2", tokenizer=None, muon_lr=0.02), "--muon-lr applies only with --optimizer muon"),
    (dict(optimizer="muon", muon_lr=0.0), "Muon's learning rate must be a positive number"),
    (dict(optimizer="muon", muon_lr=float("nan")), "Muon's learning rate must be a positive number"),
    (dict(schedule="step"), "use linear, cosine, constant or wsd"),
])
def test_bad_combinations_are_refused(play_file, tmp_path, kw, match):
    with pytest.raises(PlaygroundError, match=match) as e:
        fast(play_file, tmp_path / "o", **kw)
    assert str(e.value).count(". ") == 0 and str(e.value).endswith(".")  # one sentence
    assert not (tmp_path / "o").exists()


def test_muon_is_the_default_from_scratch_and_adamw_for_fine_tuning(play_file, tmp_path):
    scratch = fast(play_file, tmp_path / "m").resolved(1024)
    assert scratch.optimizer == "muon" and scratch.muon_lr == SCRATCH_DEFAULTS["tiny"].muon_lr == 0.04
    assert scratch.lr == 2e-3  # the AdamW groups keep tiny's default rate
    finetune = TrainConfig(corpus=[str(play_file)], output=str(tmp_path / "f"), model="gpt2").resolved(1024)
    assert finetune.optimizer == "adamw" and finetune.muon_lr is None
    adamw = fast(play_file, tmp_path / "a", optimizer="adamw").resolved(1024)
    assert adamw.optimizer == "adamw" and adamw.muon_lr is None


def test_cli_flags_reach_the_config_and_train_command_writes_them(play_file, tmp_path):
    from playground.cli import build_parser
    from playground.cli.train import config_from_args

    argv = ["train", "--corpus", str(play_file), "--scratch", "tiny", "--output", str(tmp_path / "o"),
            "--optimizer", "muon", "--muon-lr", "0.03", "--schedule", "wsd"]
    cfg = config_from_args(build_parser().parse_args(argv))
    assert (cfg.optimizer, cfg.muon_lr, cfg.schedule) == ("muon", 0.03, "wsd")
    command = runs.train_command(cfg.to_dict(), here=False)
    assert "--optimizer muon" in command and "--muon-lr 0.03" in command and "--schedule wsd" in command
    again = config_from_args(build_parser().parse_args(shlex.split(command)[1:]))
    assert again.to_dict() == cfg.to_dict()
    plain = config_from_args(build_parser().parse_args(argv[:7]))
    assert plain.optimizer is None and "--optimizer" not in runs.train_command(plain.to_dict())
    assert "--optimizer muon" in runs.train_command(plain.resolved(1024).to_dict())  # a saved run's settings


# Every flag `python -m playground train` has had (README, "Command line"): none may go missing or change name.
TRAIN_FLAGS = {
    "--corpus", "--model", "--scratch", "--output", "--tokenizer", "--val-file", "--text-field", "--block-size",
    "--stride", "--line-by-line", "--batch-size", "--grad-accum", "--lr", "--schedule", "--optimizer", "--muon-lr",
    "--warmup", "--weight-decay", "--max-grad-norm", "--epochs", "--max-steps", "--max-minutes", "--eval-every",
    "--val-fraction", "--seed", "--precision", "--compile", "--dropout", "--lora", "--lora-r", "--lora-alpha", "--resume",
    "--sample-prompt", "--sample-tokens", "--drop-blank-lines", "--strip-page-numbers", "--collapse-spaces",
    "--dedupe-lines", "--report-to", "--dataset", "--dataset-config", "--dataset-split", "--dataset-max-chars",
    "--threads",
}


def test_every_setting_is_a_flag_with_its_docstring_as_help():
    from dataclasses import fields

    from playground.config_fields import flags
    from playground.corpus_files import Cleaning

    settings = {(f.name,) for f in fields(TrainConfig) if f.name != "cleaning"}
    settings |= {("cleaning", f.name) for f in fields(Cleaning)}
    assert {f.path for f in flags()} == settings
    assert {f.flag for f in flags()} == TRAIN_FLAGS
    assert all(f.help for f in flags()), [f.flag for f in flags() if not f.help]


def _parse(argv):
    from playground.cli import build_parser
    from playground.cli.train import config_from_args

    return config_from_args(build_parser().parse_args(argv))


def test_the_flags_defaults_are_the_configs(tmp_path):
    cfg = _parse(["train", "--corpus", "c.txt", "--scratch", "tiny", "--output", str(tmp_path / "o")])
    assert cfg == TrainConfig(corpus=["c.txt"], output=str(tmp_path / "o"), scratch="tiny")


@pytest.mark.parametrize("resume", [False, True])
def test_train_command_round_trips_every_setting(tmp_path, resume):
    from playground.corpus_files import Cleaning

    everything = TrainConfig(
        corpus=["a.txt", "b b.jsonl"], output=str(tmp_path / "o"), scratch="tiny", tokenizer="bpe:300",
        val_files=["v.txt", "w.txt"], text_field="body", cleaning=Cleaning(True, True, True, True), block_size=64,
        stride=32, line_by_line=True, batch_size=4, grad_accum=2, lr=1e-3, schedule="wsd", optimizer="muon",
        muon_lr=0.03, warmup=5, weight_decay=0.05, max_grad_norm=0.5, epochs=2.5, max_steps=100, max_minutes=1.5,
        eval_every=7, val_fraction=0.2, seed=7, precision="fp32", sample_prompt="To be, or 'not'", sample_tokens=12,
        dropout=0.1, threads=1,
    )
    lora = TrainConfig(corpus=["a.txt"], output=str(tmp_path / "l"), model="gpt2", lora=True, lora_r=4,
                       lora_alpha=8, optimizer="adamw", resume=True)
    for cfg in (everything, lora, everything.resolved(1024)):
        argv = shlex.split(runs.train_command(cfg.to_dict(), resume=resume, here=False))
        assert argv[:2] == ["gpt2-playground", "train"]
        again = _parse(argv[1:])
        assert again.to_dict() == cfg.to_dict() | {"resume": resume}  # --resume only when asked for


# --------------------------------------------------------------------------- a real run


def test_a_muon_run_learns_and_saves_a_standard_gpt2_folder(play_file, tmp_path):
    from transformers import pipeline

    out = tmp_path / "muon"
    job = TrainingJob(fast(play_file, out, schedule="wsd"))  # muon: the from-scratch default
    final = job.run()
    evals = [r for r in read_metrics(out) if "val_loss" in r]
    assert [r["step"] for r in evals] == [0, 10, 20]
    assert evals[-1]["val_loss"] < evals[0]["val_loss"] - 0.5
    assert final["step"] == 20 and torch.isfinite(torch.tensor(final["val_loss"]))
    info = json.loads((out / "playground.json").read_text())
    assert info["settings"]["optimizer"] == "muon" and info["settings"]["muon_lr"] == SCRATCH_DEFAULTS["tiny"].muon_lr
    assert json.loads((out / "config.json").read_text())["model_type"] == "gpt2"
    gen = pipeline("text-generation", model=str(out), device="cpu")
    text = gen("FIRST WITCH:", max_new_tokens=5, do_sample=False)[0]["generated_text"]
    assert text.startswith("FIRST WITCH:") and len(text) > len("FIRST WITCH:")


def test_a_muon_run_resumes_with_its_optimizer_state(play_file, tmp_path):
    out = tmp_path / "muon"
    TrainingJob(fast(play_file, out, optimizer="muon", max_steps=10, eval_every=10)).run()
    final = TrainingJob(fast(play_file, out, optimizer="muon", max_steps=20, eval_every=10, resume=True)).run()
    assert final["step"] == 20
    assert [r["step"] for r in read_metrics(out) if "val_loss" in r] == [0, 10, 20]


@pytest.mark.parametrize("optimizer", ["adamw", "muon"])
def test_training_uses_sdpa_attention_and_fused_adamw_only_on_cuda(play_file, tmp_path, optimizer):
    from playground.optim import MuonWithAdamW

    from playground.trainer import build_trainer

    job = TrainingJob(fast(play_file, tmp_path / "o", optimizer=optimizer))
    run = job.prepare()
    trainer = build_trainer(job, run)
    assert run.model.config._attn_implementation == "sdpa"
    assert trainer.args.optim == ("adamw_torch_fused" if torch.cuda.is_available() else "adamw_torch")
    opt = trainer.create_optimizer()
    assert isinstance(opt, MuonWithAdamW) == (optimizer == "muon")
    if optimizer == "adamw":
        assert all(g.get("fused") == (True if torch.cuda.is_available() else None) for g in opt.param_groups)
    assert trainer.args.torch_compile is False  # an option: compiling costs a minute before the first step


def test_compile_is_an_option_that_reaches_the_trainer(play_file, tmp_path):
    from playground.cli import build_parser
    from playground.cli.train import config_from_args
    from playground.trainer import build_trainer

    argv = ["train", "--corpus", str(play_file), "--scratch", "tiny", "--output", str(tmp_path / "o"), "--compile"]
    cfg = config_from_args(build_parser().parse_args(argv))
    assert cfg.compile is True and "--compile" in runs.train_command(cfg.to_dict())
    job = TrainingJob(fast(play_file, tmp_path / "c", compile=True))
    trainer = build_trainer(job, job.prepare())
    assert trainer.args.torch_compile is True
