"""`generate`, `lab` and `compare` on the command line: exact JSON shapes, readable output, bad input."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.cli import main
from playground.cli.generate import add_knob_arguments
from playground.knobs import DecodingSettings

ROOT = Path(__file__).resolve().parent.parent


def run_json(capsys, *argv):
    assert main(list(argv) + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_settings_field_has_a_flag():
    import argparse

    parser = argparse.ArgumentParser()
    add_knob_arguments(parser)
    dests = sorted(a.dest for a in parser._actions if a.dest != "help")
    assert dests == sorted(f.name for f in dataclasses.fields(DecodingSettings))


def test_generate_json_shape(capsys, peaky_model_dir):
    out = run_json(capsys, "generate", "--model", str(peaky_model_dir), "--prompt", "Fair is foul", "--max-new-tokens", "4",
                   "--top-k", "5", "--num-return-sequences", "2", "--seed", "1")
    assert set(out) == {"sequences"} and len(out["sequences"]) == 2
    seq = out["sequences"][0]
    assert set(seq) == {"text", "token_ids", "steps"} and len(seq["steps"]) == len(seq["token_ids"]) == 4
    step = seq["steps"][0]
    assert set(step) == {"token", "id", "prob", "raw_prob", "entropy", "top"}
    assert set(step["top"][0]) == {"token", "id", "prob"} and len(step["top"]) <= 5


def test_generate_is_reproducible_with_a_seed(capsys, peaky_model_dir):
    args = ("generate", "--model", str(peaky_model_dir), "--prompt", "Fair", "--max-new-tokens", "5", "--seed", "3")
    assert run_json(capsys, *args) == run_json(capsys, *args)


def test_generate_streams_readable_text(capsys, peaky_model_dir):
    assert main(["generate", "--model", str(peaky_model_dir), "--prompt", "Fair is foul", "--max-new-tokens", "6"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Fair is foul") and captured.out.endswith("\n")
    assert captured.err.strip().startswith("seed ")  # no --seed: the fresh one is printed so the run can be repeated


def test_generate_beams_print_every_sequence(capsys, peaky_model_dir):
    assert main(["generate", "--model", str(peaky_model_dir), "--prompt", "Fair", "--num-beams", "3",
                 "--num-return-sequences", "2", "--max-new-tokens", "4"]) == 0
    out = capsys.readouterr().out
    assert "--- sequence 1 ---" in out and "--- sequence 2 ---" in out


def test_lab_json_shape(capsys, peaky_model_dir):
    out = run_json(capsys, "lab", "--model", str(peaky_model_dir), "--prompt", "Fair is foul", "--top-k", "5",
                   "--top-p", "0.9", "--top-n", "4", "--samples", "2000", "--seed", "2")
    assert set(out) == {"stages", "final", "histogram"}
    assert [s["name"] for s in out["stages"]] == ["raw", "repetition_penalty", "no_repeat_ngram", "temperature",
                                                   "top_k", "top_p", "min_p", "typical", "final"]
    assert all(set(s) == {"name", "kept", "top"} for s in out["stages"])
    assert out["stages"][4]["kept"] == 5 and len(out["final"]) <= 4
    assert [t["prob"] for t in out["final"]] == sorted((t["prob"] for t in out["final"]), reverse=True)
    assert set(out["histogram"]) == {"draws", "counts"} and out["histogram"]["draws"] == 2000
    assert set(out["histogram"]["counts"][0]) == {"token", "id", "count", "expected"}
    assert sum(c["count"] for c in out["histogram"]["counts"]) == 2000  # top-k 5 leaves nothing unlisted


def test_lab_readable(capsys, peaky_model_dir):
    assert main(["lab", "--model", str(peaky_model_dir), "--prompt", "Fair", "--top-k", "3", "--samples", "100", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "top_k: 3 tokens kept" in out and "100 draws (seed 0)" in out


def test_compare_json_shape(capsys, peaky_model_dir):
    out = run_json(capsys, "compare", "--model", str(peaky_model_dir), "--prompt", "Fair is foul", "--max-new-tokens", "5", "--seed", "0")
    assert [s["name"] for s in out["strategies"]] == ["greedy", "beam 4", "top-k 50", "top-p 0.9", "temperature 0.7", "temperature 1.3"]
    keys = {"name", "settings", "text", "mean_logprob", "perplexity", "distinct_1", "distinct_2", "repeat_3gram_rate", "length"}
    assert all(set(s) == keys for s in out["strategies"])
    assert out["strategies"][1]["settings"]["num_beams"] == 4 and out["strategies"][0]["length"] == 5


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--temperature", "-1"], "Temperature must be 0"),
        (["--top-p", "0"], "top-p must be above 0"),
        (["--top-p", "1.5"], "top-p must be above 0"),
        (["--top-k", "-3"], "top-k must be 0"),
        (["--repetition-penalty", "0"], "Repetition penalty must be above 0"),
        (["--max-new-tokens", "100000"], "max new tokens must be between"),
        (["--num-beams", "4", "--temperature", "0.8"], "Beam search is deterministic"),
        (["--num-beams", "2", "--num-return-sequences", "3"], "at most one sequence per beam"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(capsys, peaky_model_dir, flags, message):
    assert main(["generate", "--model", str(peaky_model_dir), "--prompt", "x", *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_model_and_bad_lab_input(capsys, tmp_path, peaky_model_dir):
    assert main(["lab", "--model", str(tmp_path / "nowhere"), "--prompt", "x"]) == 2
    assert "Unknown model" in capsys.readouterr().err
    assert main(["lab", "--model", str(peaky_model_dir), "--prompt", "x", "--samples", "200000"]) == 2
    assert "samples must be a whole number from 1 to 100,000" in capsys.readouterr().err


def test_real_subprocess(peaky_model_dir):
    # `python -m playground` end to end: stdout is exactly one JSON object (progress bars go to stderr).
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    ok = subprocess.run([sys.executable, "-m", "playground", "generate", "--model", str(peaky_model_dir), "--prompt", "Fair",
                         "--max-new-tokens", "3", "--seed", "1", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and len(json.loads(ok.stdout)["sequences"][0]["token_ids"]) == 3
