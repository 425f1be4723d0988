"""transformers' Trainer as a run uses it: built from the prepared pieces and the plan, steered by LiveMetrics.

PlaygroundTrainer adds three things to Trainer: a learning rate that follows the run's progress (steps or
time budget), the Muon optimizer, and a diverging loss caught at the step it happens. LiveMetrics, a
TrainerCallback, records every log and evaluation, samples text at each evaluation and sets Trainer's
control flags (stop, evaluate, save); it reaches the job only through the job's public methods.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from transformers import Trainer, TrainerCallback, TrainingArguments

from playground import corpus as corpus_lib
from playground import tracking
from playground.models import pick_precision
from playground.optim import build_muon_optimizer
from playground.train_config import TrainConfig
from playground.train_plan import RunPlan

if TYPE_CHECKING:
    from playground.training import TrainingJob

# The sample at each evaluation: a little randomness, so a model that has learnt something shows it.
SAMPLE_KNOBS = dict(do_sample=True, top_k=40, top_p=1.0, temperature=0.8)


@dataclass
class Prepared:
    """What preparation produced: the pieces handed to the Trainer."""

    config: TrainConfig  # resolved: every default filled in
    plan: RunPlan
    model: torch.nn.Module
    tokenizer: object
    data: corpus_lib.PreparedCorpus
    corpus_hash: str
    sample_prompt: str
    base: str  # the catalog name, folder or scratch size trained from
    context: int  # the model's context length
    val_tokens: int = 0  # tokens the validation loss scores (corpus.scored_text)…
    val_characters: int = 0  # …and the characters they spell: the loss per token becomes the loss per character

    def per_character(self, val_loss: float) -> dict:
        """val_nats_per_char and val_bits_per_char for a validation loss in nats per token (none without characters)."""
        if not self.val_characters or not math.isfinite(val_loss):
            return {}
        nats = val_loss * self.val_tokens / self.val_characters
        return {"val_nats_per_char": nats, "val_bits_per_char": nats / math.log(2)}


class PlaygroundTrainer(Trainer):
    """Trainer whose scheduler follows the job's progress (steps or time budget, whichever ends first)."""

    lr_lambda: Callable[[int], float]
    on_nonfinite: Callable[[float], None]
    muon_lr: float | None = None  # set: the Muon + AdamW optimizer
    examples_per_val_token: float | None = None  # validation examples / the tokens their loss scores

    def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
        loss, logits, labels = super().prediction_step(model, inputs, prediction_loss_only, ignore_keys)
        if loss is not None and self.examples_per_val_token and "labels" in inputs:
            # Trainer averages each batch's mean loss weighted by its examples (loss.repeat(batch_size)), but padded
            # line-by-line batches score different numbers of tokens: weighted by its scored tokens instead, the
            # average over the examples is the loss per token of the whole validation set (no change for blocks,
            # whose examples all score block - 1 tokens), which val_nats_per_char needs.
            labels_ = inputs["labels"]
            scored = (labels_[..., 1:] != -100).sum()
            loss = loss * scored * self.examples_per_val_token / labels_.shape[0]
        return loss, logits, labels

    def training_step(self, model, inputs, num_items_in_batch=None):
        loss = super().training_step(model, inputs, num_items_in_batch)
        # A diverging run (too high a learning rate) turns the loss to nan/inf; Trainer would quietly
        # average it away in the logs and train on garbage, so it is caught here, at the step it happens.
        if not torch.isfinite(loss).all():
            self.on_nonfinite(float(loss.detach().float().mean()))
        return loss

    def create_optimizer(self, model=None):
        # --optimizer muon: Muon on the blocks' matrices, AdamW on the rest (playground.optim); else Trainer's AdamW.
        if self.optimizer is None and self.muon_lr is not None:
            self.optimizer = build_muon_optimizer(
                self.model if model is None else model, lr=self.args.learning_rate, muon_lr=self.muon_lr,
                weight_decay=self.args.weight_decay, betas=(self.args.adam_beta1, self.args.adam_beta2),
                eps=self.args.adam_epsilon,
            )
        return super().create_optimizer(model)

    def create_scheduler(self, num_training_steps: int, optimizer=None):
        if self.lr_scheduler is None:
            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer or self.optimizer, self.lr_lambda)
        return self.lr_scheduler


class LiveMetrics(TrainerCallback):
    """Records metrics and samples, and sets control flags for stop, time budget and evaluation timing."""

    def __init__(self, job: TrainingJob):
        self.job = job
        self._last_log = (0, time.monotonic())
        self._last_eval_time = time.monotonic()

    def on_train_begin(self, args, state, control, **kwargs):
        # A resumed run starts at its checkpoint's step: tokens/s counts from there, not from step 0.
        self._last_log = (state.global_step, time.monotonic())

    # Training logs: train loss, learning rate, grad norm, throughput, ETA.
    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        if "loss" not in logs or not state.is_world_process_zero:
            return
        job, tokens_per_step = self.job, self.job.plan.tokens_per_step
        now = time.monotonic()
        last_step, last_t = self._last_log
        steps = max(state.global_step - last_step, 0)
        self._last_log = (state.global_step, now)
        job.record({
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "train_loss": logs["loss"],
            "learning_rate": logs.get("learning_rate"),
            "grad_norm": logs.get("grad_norm"),
            "tokens_per_second": round(steps * tokens_per_step / max(now - last_t, 1e-9), 1),
            "tokens": state.global_step * tokens_per_step,
            "elapsed": round(job.elapsed(), 2),
            "eta": job.eta(state.global_step),
        })

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        self._last_eval_time = time.monotonic()
        if not metrics or "eval_loss" not in metrics or not state.is_world_process_zero:
            return
        job, loss = self.job, metrics["eval_loss"]
        if not math.isfinite(loss):
            # The last step left non-finite weights (its own loss, computed before the update, was finite):
            # the run has diverged. Nothing is sampled from those weights, and they are not checkpointed.
            job.diverge(state.global_step, loss)
            control.should_training_stop = True
            control.should_save = False
            return control
        sample = job.sample(kwargs.get("model"), kwargs.get("processing_class"))
        job.record({
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "val_loss": loss,
            "val_perplexity": math.exp(min(loss, 50.0)),
            **job.prepared.per_character(loss),
            "tokens": state.global_step * job.plan.tokens_per_step,
            "elapsed": round(job.elapsed(), 2),
            "sample": sample,
        })

    def on_step_end(self, args, state, control, **kwargs):
        job, plan = self.job, self.job.plan
        stop = job.stop_requested
        diverged = job.diverged is not None
        budget_over = plan.time_up(job.elapsed())
        evaluate = plan.eval_due(state.global_step, time.monotonic() - self._last_eval_time)
        progress = plan.progress(state.global_step, job.elapsed())
        if args.world_size > 1:
            # Every rank must take the same decisions (evaluation and stopping are collective) and use
            # the same learning rate, so the time-based values are agreed on with one all-reduce.
            flags = torch.tensor([float(stop or budget_over), float(evaluate), progress, float(diverged)])
            torch.distributed.all_reduce(flags, op=torch.distributed.ReduceOp.MAX)
            stop, budget_over, evaluate, progress = bool(flags[0]), False, bool(flags[1]), float(flags[2])
            diverged = bool(flags[3])
            if diverged:
                job.diverge(state.global_step, float("nan"))  # another rank saw it; the first report wins
        job.at_step(state.global_step, progress)
        if diverged:
            # The weights are nan from here on: stop at once, and neither evaluate nor checkpoint them.
            control.should_training_stop = True
            control.should_save = control.should_evaluate = False
        elif stop or budget_over:
            control.should_training_stop = True
            control.should_save = True  # a checkpoint to resume from
            control.should_evaluate = True
            job.ending(stopped=stop)
        elif evaluate:
            control.should_evaluate = True
            control.should_save = True
        return control


# --------------------------------------------------------------------------- building


def training_arguments(cfg: TrainConfig, plan: RunPlan, output: Path, run_name: str = "") -> TrainingArguments:
    """Trainer's arguments for resolved settings: evaluation and saving are LiveMetrics' decisions, not Trainer's."""
    precision = pick_precision(cfg.precision)
    return TrainingArguments(
        output_dir=str(output),
        per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        learning_rate=cfg.lr,
        weight_decay=cfg.weight_decay,
        max_grad_norm=cfg.max_grad_norm,
        max_steps=plan.trainer_steps,
        logging_steps=plan.logging_steps,
        eval_strategy="no",  # LiveMetrics decides when to evaluate (steps or time)
        save_strategy="no",  # …and when to checkpoint (with each evaluation and at the end)
        save_total_limit=1,
        seed=cfg.seed,
        data_seed=cfg.seed,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        torch_compile=cfg.compile,
        use_cpu=not torch.cuda.is_available() and not torch.backends.mps.is_available(),
        **tracking.trainer_arguments(cfg.report_to, run_name or output.name),  # Trainer's own callbacks report to the tracker
        disable_tqdm=True,
        logging_nan_inf_filter=False,  # a nan loss is a diverging run, not noise to average away
        dataloader_num_workers=0,
        prediction_loss_only=True,
        ddp_find_unused_parameters=False,
        # transformers >= 5 picks the fused kernel on every device; fused AdamW is a CUDA speed-up
        optim="adamw_torch_fused" if torch.cuda.is_available() else "adamw_torch",
    )


def build_trainer(job: TrainingJob, run: Prepared) -> PlaygroundTrainer:
    """The Trainer for a prepared run, reporting to `job` (its LiveMetrics, schedule and divergence check)."""
    from transformers.trainer_callback import PrinterCallback

    cfg = run.config
    trainer = PlaygroundTrainer(
        model=run.model,
        args=training_arguments(cfg, run.plan, job.output, job.run_name),
        train_dataset=run.data.train,
        eval_dataset=run.data.val,
        data_collator=corpus_lib.collator(run.tokenizer, run.data.mode),
        processing_class=run.tokenizer,
        callbacks=[LiveMetrics(job)],
    )
    trainer.remove_callback(PrinterCallback)  # LiveMetrics reports; no raw log dicts on stdout
    trainer.lr_lambda = lambda step: run.plan.lr_factor(step, job.progress)
    trainer.on_nonfinite = lambda loss: job.diverge(job.step + 1, loss)
    trainer.muon_lr = cfg.muon_lr if cfg.optimizer_or_default == "muon" else None
    trainer.examples_per_val_token = len(run.data.val) / run.val_tokens if run.val_tokens else None
    return trainer


def sample_text(model, tokenizer, prompt: str, context: int, tokens: int, seed: int) -> str:
    """A short sample from `prompt` (or from end-of-text), without disturbing the training RNG."""
    ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids if prompt else None
    if ids is None or ids.shape[1] == 0:
        ids = torch.tensor([[tokenizer.eos_token_id]])
    # Stay inside the model's context (a from-scratch model's context is its block size).
    ids = ids[:, -max(1, context // 2):]
    device = next(model.parameters()).device
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []), torch.no_grad():
        torch.manual_seed(seed)
        out = model.generate(
            input_ids=ids.to(device), attention_mask=torch.ones_like(ids).to(device),
            max_new_tokens=min(tokens, context - ids.shape[1]), pad_token_id=tokenizer.eos_token_id, **SAMPLE_KNOBS,
        )
    return tokenizer.decode(out[0], skip_special_tokens=False)


def with_lora(model, cfg: TrainConfig):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        task_type="CAUSAL_LM", r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.05,
        target_modules=["c_attn", "c_proj", "c_fc"], fan_in_fan_out=True,  # GPT-2 uses Conv1D layers
    )
    return get_peft_model(model, config)


def main_process_first(fn):
    """Run `fn` on the main process before the others (corpus cache, tokenizer training) under DDP."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and torch.distributed.is_available():
        from accelerate import PartialState

        with PartialState().main_process_first():
            return fn()
    return fn()
