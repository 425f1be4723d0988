"""The plan of a run (playground.train_plan): where it starts and what it will do, without training anything."""

import json

import pytest

from playground.errors import PlaygroundError
from playground.runs import RUN_FORMAT, write_status
from playground.train_config import TrainConfig
from playground.train_plan import (
    UNBOUNDED_STEPS, Start, eval_subset, fit_batch, lr_multiplier, plan_run, where_to_start,
)


def settings(**kw) -> TrainConfig:
    """Resolved tiny from-scratch settings: block 32, batch 8."""
    values = dict(corpus=["c.txt"], output="out", scratch="tiny", block_size=32, batch_size=8, seed=0) | kw
    return TrainConfig(**values).resolved(1024)


# --------------------------------------------------------------------------- steps, cadence, tokens


def test_one_epoch_by_default_with_ten_evaluations():
    plan = plan_run(settings(), train_examples=1000)
    assert plan.steps_per_epoch == 125 and plan.max_steps == 125  # ceil(1000 / 8)
    assert plan.eval_every == 12 and plan.time_budget is None
    assert plan.tokens_per_step == 8 * 32 and plan.trainer_steps == 125
    assert plan.evaluate_first and plan.logging_steps == 1


def test_tokens_per_step_count_accumulation_and_every_process():
    plan = plan_run(settings(grad_accum=4), train_examples=1000, world_size=2)
    assert plan.tokens_per_step == 8 * 4 * 2 * 32
    assert plan.steps_per_epoch == 16  # ceil(1000 / 64)


def test_epochs_and_max_steps():
    assert plan_run(settings(epochs=2.5), train_examples=80).max_steps == 25
    assert plan_run(settings(max_steps=7, epochs=3), train_examples=80).max_steps == 7  # steps win
    assert plan_run(settings(max_steps=7), train_examples=80).eval_every == 1
    assert plan_run(settings(max_steps=7, eval_every=3), train_examples=80).eval_every == 3


def test_a_time_budget_alone_runs_until_the_clock_and_evaluates_by_it():
    plan = plan_run(settings(max_minutes=2), train_examples=80)
    assert plan.max_steps is None and plan.trainer_steps == UNBOUNDED_STEPS and plan.eval_every is None
    assert plan.time_budget == 120 and plan.logging_steps == 5
    assert not plan.eval_due(step=3, since_last_eval=11.9) and plan.eval_due(step=3, since_last_eval=12.0)
    assert not plan.time_up(119.9) and plan.time_up(120.0)
    assert plan.progress(step=10**6, elapsed=30) == 0.25  # steps do not count without a step bound


def test_progress_is_the_larger_of_steps_and_time_and_gives_the_eta():
    plan = plan_run(settings(max_steps=100, max_minutes=10), train_examples=80)
    assert plan.progress(step=50, elapsed=60) == 0.5
    assert plan.progress(step=10, elapsed=300) == 0.5
    assert plan.progress(step=100, elapsed=6000) == 1.0
    assert plan.eta(step=50, elapsed=60) == 60.0 and plan.eta(step=0, elapsed=0) is None


def test_steps_cadence_evaluates_on_multiples_but_not_at_zero():
    plan = plan_run(settings(max_steps=60, eval_every=20), train_examples=80)
    assert [s for s in range(61) if plan.eval_due(s, since_last_eval=0.0)] == [20, 40, 60]


def test_the_schedule_is_lr_multiplier_with_the_settings_warmup():
    plan = plan_run(settings(max_steps=100, warmup=9, schedule="wsd"), train_examples=80)
    assert plan.warmup == 9
    assert [plan.lr_factor(s, p) for s, p in [(0, 0.0), (50, 0.5), (99, 0.9)]] == \
           [lr_multiplier(s, p, 9, "wsd") for s, p in [(0, 0.0), (50, 0.5), (99, 0.9)]]


def test_a_resumed_run_does_not_evaluate_step_zero_again():
    assert not plan_run(settings(max_steps=30), train_examples=80, resume_step=20).evaluate_first


def test_a_resume_at_or_past_the_planned_end_is_refused():
    with pytest.raises(PlaygroundError, match="last checkpoint is at step 4, so it cannot train to step 2; pass a --max-steps above 4"):
        plan_run(settings(max_steps=2), train_examples=80, resume_step=4)
    with pytest.raises(PlaygroundError, match="cannot train to step 10"):  # one epoch of 80 examples, batch 8
        plan_run(settings(), train_examples=80, resume_step=10)
    assert plan_run(settings(max_minutes=1), train_examples=80, resume_step=10).max_steps is None  # time alone: on


def test_plan_needs_resolved_settings():
    with pytest.raises(ValueError, match="resolved"):
        plan_run(TrainConfig(corpus=["c.txt"], output="out", scratch="tiny"), train_examples=80)


def test_a_default_batch_shrinks_to_the_corpus_an_asked_one_is_refused():
    cfg = settings(batch_size=None)
    assert fit_batch(cfg, asked=None, train_examples=5).batch_size == 5
    assert fit_batch(cfg, asked=None, train_examples=10**6) is cfg
    with pytest.raises(PlaygroundError, match="Batch size 8 is more than the corpus's 5 training examples"):
        fit_batch(settings(), asked=8, train_examples=5)


def test_a_step_needing_more_examples_than_the_corpus_is_refused():
    # Trainer would gather a billion forward passes from an epoch of a few: a hang, not a step.
    with pytest.raises(PlaygroundError, match="A step of 1000 accumulated batches of 8 needs 8,000 examples, more than "
                                              "the corpus's 80; choose a gradient accumulation of at most 10"):
        fit_batch(settings(grad_accum=1000), asked=8, train_examples=80)
    assert fit_batch(settings(grad_accum=4, batch_size=None), asked=None, train_examples=80).batch_size == 20
    with pytest.raises(PlaygroundError, match="needs 96 examples, more than the corpus's 80; choose a gradient accumulation of at most 1,"):
        fit_batch(settings(grad_accum=2), asked=8, train_examples=80, world_size=6)  # every process takes a batch


def test_evaluations_score_an_evenly_spread_subset():
    assert eval_subset(100, block_size=32) is None  # 1 024 examples would fit
    subset = eval_subset(5000, block_size=256)  # at most 32 768 tokens: 128 examples
    assert len(subset) == 128 and subset[0] == 0 and subset[-1] < 5000 and subset == sorted(set(subset))
    assert len(eval_subset(1000, block_size=8192)) == 16  # never fewer than 16


# --------------------------------------------------------------------------- where a run starts


def _listing(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_mtime_ns) for p in folder.rglob("*"))


def _checkpoint(folder, step):
    (folder / f"checkpoint-{step}").mkdir(parents=True)
    (folder / f"checkpoint-{step}" / "trainer_state.json").write_text("{}")
    if not (folder / "run.json").exists():
        write_status(folder, status="done")  # the playground's own run (its mark in run.json)


def test_a_new_or_empty_folder_starts_afresh(tmp_path):
    assert where_to_start(tmp_path / "new", resume=False) == Start()
    assert where_to_start(tmp_path, resume=False) == Start()
    assert "no checkpoint to resume" in where_to_start(tmp_path, resume=True).notice


def test_resume_continues_from_the_newest_complete_checkpoint(tmp_path):
    _checkpoint(tmp_path, 10)
    _checkpoint(tmp_path, 20)
    (tmp_path / "checkpoint-30").mkdir()  # half-written: no trainer_state.json
    before = _listing(tmp_path)
    start = where_to_start(tmp_path, resume=True)
    assert start.resume_from == tmp_path / "checkpoint-20" and start.resume_step == 20
    assert _listing(tmp_path) == before  # decided without touching the folder
    with pytest.raises(PlaygroundError, match="checkpoint at step 20; pass --resume"):
        where_to_start(tmp_path, resume=False)


def test_leftovers_of_a_crash_are_cleared_and_trained_into(tmp_path):
    (tmp_path / "checkpoint-5").mkdir()
    (tmp_path / "metrics.jsonl").write_text('{"step": 0}\n')
    (tmp_path / "run.json").write_text(json.dumps({"status": "running", "format": RUN_FORMAT}))
    before = _listing(tmp_path)
    start = where_to_start(tmp_path, resume=False)
    assert start.clear_leftovers and start.resume_from is None and "starts from the beginning" in start.notice
    assert _listing(tmp_path) == before


def test_a_folder_that_is_not_a_run_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(PlaygroundError, match="not empty"):
        where_to_start(tmp_path, resume=True)
    with pytest.raises(PlaygroundError, match="is a file"):
        where_to_start(tmp_path / "notes.txt", resume=False)


@pytest.mark.parametrize("files", [{"run.json": '{"status": "running"}'}, {"metrics.jsonl": '{"step": 0}\n'},
                                   {"run.json": "[]", "checkpoint-3/trainer_state.json": "{}"}])
def test_files_that_only_share_a_runs_names_are_not_a_run(tmp_path, files):
    """Issue 19: only the playground's mark in run.json makes a folder a run to clear or resume."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    for resume in (False, True):
        with pytest.raises(PlaygroundError, match="is not empty and is not a training run of the playground"):
            where_to_start(tmp_path, resume=resume)


def test_a_finished_run_without_a_checkpoint_cannot_be_resumed_or_overwritten(tmp_path):
    (tmp_path / "playground.json").write_text("{}")
    write_status(tmp_path, status="done")
    with pytest.raises(PlaygroundError, match="finished without a checkpoint"):
        where_to_start(tmp_path, resume=True)
    with pytest.raises(PlaygroundError, match="not empty"):
        where_to_start(tmp_path, resume=False)
