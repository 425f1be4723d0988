"""Issue 19: the hostile suite. Bad input of every kind, tried as a careless or hostile user would, through
train, eval, generate, lab and compare: each ends in exit status 2 with one sentence, and changes nothing.

Every case is a row of CASES: a command line with {placeholders} (the workspace's paths), a piece of the
sentence it must end in, and optionally a `setup` that lays out the files the case needs. Each runs in a
fresh workspace (a corpus, a user's folders full of notes, copies of a trained run when asked) beside
module-wide model folders (a healthy tiny model and damaged ones). Before and after, every file and folder
there is fingerprinted (listing, size, mtime, mode, SHA-256): any change fails the case, and so does any new
file outside the paths a case declares it may write (`writes`).

How a row runs is its `via`: "cli" calls playground.cli.main in this process (fast: no interpreter start),
"process" runs `python -m playground` for real. The app's API can join as rows of its own: add a runner to
RUNNERS that calls a named endpoint (gradio_client) and returns an Outcome (status 2 for an inline error
message), and rows with that `via` whose `argv` holds the endpoint and its values.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from playground import output_lock
from playground.cli import main
from playground.runs import LOCK_FILE, METRICS_FILE, RUN_FILE, RUN_FORMAT, read_metrics, read_status, write_status

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ("train", "--corpus", "{corpus}", "--scratch", "tiny", "--tokenizer", "bpe:300", "--block-size", "16",
         "--batch-size", "4", "--output", "{ws}/out")
RESUME = ("train", "--corpus", "{corpus}", "--scratch", "tiny", "--tokenizer", "bpe:300", "--block-size", "16",
          "--batch-size", "4", "--output", "{run}", "--resume")
GEN = ("generate", "--model", "{model}", "--prompt", "Fair is foul")
LAB = ("lab", "--model", "{model}", "--prompt", "Fair is foul")
COMPARE = ("compare", "--model", "{model}", "--prompt", "Fair is foul")
EVAL = ("eval", "--model", "{model}", "--text-file", "{corpus}")


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    says: str  # a piece of the one sentence the case must end in
    setup: Callable[[Path], None] | None = None  # lays out what the case needs in its workspace
    via: str = "cli"  # how it runs: a key of RUNNERS
    writes: tuple[str, ...] = ()  # workspace paths it may create (a run that starts, then fails, keeps its folder)
    trains: bool = False  # it trains before failing: progress lines may come before the sentence


@dataclass(frozen=True)
class Outcome:
    status: int  # exit status (an API runner: 2 for an inline error)
    err: str  # what the user reads: stderr, or the API's message
    out: str = ""  # stdout, or the API's other outputs


# --------------------------------------------------------------------------- setups


def write(rel: str, data: str | bytes) -> Callable[[Path], None]:
    def setup(ws: Path) -> None:
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return setup


def both(*setups) -> Callable[[Path], None]:
    def setup(ws: Path) -> None:
        for s in setups:
            s(ws)
    return setup


def run_copy(ws: Path) -> None:
    """ws/run: a copy of the module's finished run (done, a checkpoint at step 2)."""
    shutil.copytree(FINISHED, ws / "run", symlinks=True)


def run_with(rel: str, data: str | bytes) -> Callable[[Path], None]:
    return both(run_copy, write(f"run/{rel}", data))


def model_copy(name: str, change: Callable[[Path], None]) -> Callable[[Path], None]:
    """ws/m: a copy of the module's model, changed by `change`."""
    def setup(ws: Path) -> None:
        shutil.copytree(MODELS / "model", ws / "m")
        change(ws / "m")
    setup.__name__ = name
    return setup


def config_with(**fields) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text())
        (folder / "config.json").write_text(json.dumps(config | fields))
    return model_copy("config", change)


def symlink(rel: str, target: str) -> Callable[[Path], None]:
    def setup(ws: Path) -> None:
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(ws / target if not target.startswith("/") else target, ws / rel)
    return setup


def locked_by_sleeper(rel: str) -> Callable[[Path], None]:
    """`rel`'s lock held by a live process of another program (a `sleep`, killed when the module ends)."""
    def setup(ws: Path) -> None:
        sleeper = subprocess.Popen(["sleep", "300"])
        SLEEPERS.append(sleeper)
        (ws / rel / LOCK_FILE).write_text(json.dumps({"pid": sleeper.pid, "token": "another-process"}))
    return setup


SLEEPERS: list[subprocess.Popen] = []
MODELS: Path  # module-wide model folders (set by the `models` fixture)
FINISHED: Path  # a finished run (set by the `finished_run` fixture)

DEEP = "[" * 100_000 + "]" * 100_000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
TEXT = "Fair is foul, and foul is fair:\nHover through the fog and filthy air.\n"

# --------------------------------------------------------------------------- the table


def numbers(command: tuple, flag: str, values: tuple, says: str, name: str) -> list[Case]:
    return [Case(f"{name}-{flag[2:]}={v or 'blank'}", (*command, f"{flag}={v}"), says) for v in values]  # = : "-inf" is a value


BAD = ("nan", "inf", "-inf", "1e309", "abc")
HUGE_INT = "9" * 40
CASES: list[Case] = [
    # ---- numbers: train (refused by TrainConfig, before any file is read)
    *numbers(TRAIN, "--lr", (*BAD, "0", "-1"), "Learning rate must be a positive number", "train"),
    *numbers(TRAIN, "--muon-lr", ("nan", "0", "-3"), "Muon's learning rate must be a positive number", "train"),
    *numbers(TRAIN, "--batch-size", ("0", "-1", "2.5", "nan", HUGE_INT), "Batch size must be a whole number from 1", "train"),
    *numbers(TRAIN, "--grad-accum", ("0", "1000000000", "inf", "abc"), "Gradient accumulation must be a whole number from 1 to 10,000", "train"),
    *numbers(TRAIN, "--block-size", ("4", "-16", "1e309", "nan"), "Block size must be a whole number from 8", "train"),
    *numbers(TRAIN, "--stride", ("0", "-1", "x"), "Stride must be a whole number from 1", "train"),
    *numbers(TRAIN, "--warmup", ("-1", "nan", "1e12"), "Warm-up steps must be a whole number from 0", "train"),
    *numbers(TRAIN, "--weight-decay", ("inf", "-0.1", "nan"), "Weight decay must be a finite number of at least 0", "train"),
    *numbers(TRAIN, "--max-grad-norm", ("-1", "nan", "inf"), "Gradient clipping norm must be a finite number of at least 0", "train"),
    *numbers(TRAIN, "--epochs", ("0", "-1", "inf", "nan", "1e6"), "Epochs must be a number above 0 and at most 10,000", "train"),
    *numbers(TRAIN, "--max-steps", ("0", "-5", "1e19", "2.5", HUGE_INT), "Max steps must be a whole number from 1 to 10,000,000", "train"),
    *numbers(TRAIN, "--max-minutes", ("inf", "0", "-1", "nan", "1e9"), "The time budget in minutes must be a number above 0 and at most 525,600", "train"),
    *numbers(TRAIN, "--eval-every", ("0", "-1", "nan"), "Evaluate-every must be a whole number from 1", "train"),
    *numbers(TRAIN, "--val-fraction", ("0", "0.6", "nan", "-0.1"), "Validation fraction must be a number above 0 and at most 0.5", "train"),
    *numbers(TRAIN, "--seed", ("-1", "4294967296", "abc", "1e309"), "The seed must be a whole number from 0 to 4294967295", "train"),
    *numbers(TRAIN, "--dropout", ("1", "-0.1", "nan"), "Dropout must be a number of at least 0 and below 1", "train"),
    *numbers(TRAIN, "--sample-tokens", ("0", "-1", "513"), "Sample tokens must be a whole number from 1 to 512", "train"),
    Case("train-lr-blank", (*TRAIN, "--lr="), "Learning rate is blank; enter a number."),
    Case("train-grad-accum-blank", (*TRAIN, "--grad-accum", ""), "Gradient accumulation is blank; enter a number."),
    Case("train-max-minutes-inf-with-steps", (*TRAIN, "--max-minutes", "inf", "--max-steps", "10"), "The time budget in minutes"),
    Case("train-lora-r-0", ("train", "--corpus", "{corpus}", "--model", "{model}", "--lora", "--lora-r", "0", "--output", "{ws}/out"),
         "LoRA rank must be a whole number from 1"),
    Case("train-sample-prompt-1mb", (*TRAIN, "--sample-prompt", "x" * 1_000_000), "The sample prompt must be text of at most 1,000"),
    # ---- numbers: generate, lab, compare, eval (refused before the model loads)
    *numbers(GEN, "--max-new-tokens", ("0", "-1", "nan", "513", HUGE_INT), "max new tokens must be", "gen"),
    *numbers(GEN, "--temperature", ("nan", "inf", "-1", "abc"), "emperature must be", "gen"),
    *numbers(GEN, "--top-k", ("-1", "2.5", "nan"), "top", "gen"),
    *numbers(GEN, "--top-p", ("0", "1.5", "nan", "inf"), "top", "gen"),
    *numbers(GEN, "--min-p", ("-0.1", "2", "nan"), "min", "gen"),
    *numbers(GEN, "--typical-p", ("0", "nan"), "typical", "gen"),
    *numbers(GEN, "--repetition-penalty", ("0", "-1", "inf"), "epetition penalty must be", "gen"),
    *numbers(GEN, "--no-repeat-ngram", ("-1", "nan"), "no", "gen"),
    *numbers(GEN, "--num-beams", ("0", "9", "nan"), "beams must be", "gen"),
    *numbers(GEN, "--num-return-sequences", ("0", "100"), "returned sequences must be", "gen"),
    *numbers(GEN, "--seed", ("-1", "4294967296", "1e309"), "eed must be a whole number", "gen"),
    Case("gen-temperature-blank", (*GEN, "--temperature="), "temperature is blank; enter a number."),
    Case("gen-beams-while-sampling", (*GEN, "--num-beams", "2", "--temperature", "1"), "Beam search is deterministic"),
    Case("gen-greedy-several", (*GEN, "--temperature", "0", "--num-return-sequences", "2"), "Greedy decoding always gives"),
    Case("gen-empty-stop", (*GEN, "--stop", ""), "Stop texts must be non-empty strings."),
    *numbers(LAB, "--top-n", ("0", "nan", "1e6"), "top-n must be a whole number from 1 to 1,000", "lab"),
    *numbers(LAB, "--samples", ("0", "-5", "1000000000", "inf"), "The number of samples must be a whole number from 1 to 100,000", "lab"),
    *numbers(LAB, "--temperature", ("nan", "-2"), "emperature must be", "lab"),
    *numbers(COMPARE, "--max-new-tokens", ("0", "1e309", "-3"), "max new tokens must be", "compare"),
    *numbers(COMPARE, "--seed", ("-1", "abc"), "eed must be a whole number", "compare"),
    *numbers(EVAL, "--stride", ("0", "-1", "nan", "abc"), "Stride must be a whole number of at least 1", "eval"),
    Case("eval-stride-above-context", (*EVAL, "--stride", "100000"), "Stride must be between 1 and the model's context (64)"),
    # ---- command lines argparse refuses (now in one line too)
    Case("train-no-corpus", ("train", "--scratch", "tiny", "--output", "{ws}/out"), "No corpus given; pass at least one --corpus FILE or a --dataset"),
    Case("train-bad-schedule", (*TRAIN, "--schedule", "sideways"), "Argument --schedule: invalid choice: 'sideways'"),
    Case("train-unknown-flag", (*TRAIN, "--learning-rate", "1"), "Unrecognized arguments: --learning-rate 1"),
    Case("train-no-output", ("train", "--corpus", "{corpus}", "--scratch", "tiny"), "The following arguments are required: --output"),
    Case("gen-no-prompt", ("generate", "--model", "{model}"), "One of the arguments --prompt --prompt-file is required"),
    # ---- corpus shapes
    Case("corpus-empty", (*TRAIN[:2], "{ws}/e.txt", *TRAIN[3:]), "'e.txt' is empty", write("e.txt", "")),
    Case("corpus-blank", (*TRAIN[:2], "{ws}/e.txt", *TRAIN[3:]), "'e.txt' is empty", write("e.txt", " \n\t\n" * 100)),
    Case("corpus-bom-only", (*TRAIN[:2], "{ws}/e.txt", *TRAIN[3:]), "'e.txt' is empty", write("e.txt", b"\xef\xbb\xbf")),
    Case("corpus-utf16-bom-only", (*TRAIN[:2], "{ws}/e.txt", *TRAIN[3:]), "'e.txt' is empty", write("e.txt", b"\xff\xfe")),
    Case("corpus-binary", (*TRAIN[:2], "{ws}/p.png", *TRAIN[3:]), "'p.png' looks binary", write("p.png", PNG)),
    Case("corpus-nul-bytes", (*TRAIN[:2], "{ws}/n.txt", *TRAIN[3:]), "'n.txt' looks binary", write("n.txt", TEXT + "\x00" + TEXT)),
    Case("corpus-utf16-no-bom", (*TRAIN[:2], "{ws}/u.txt", *TRAIN[3:]), "looks like UTF-16 text without a byte-order mark",
         write("u.txt", TEXT.encode("utf-16-le"))),
    Case("corpus-latin1", (*TRAIN[:2], "{ws}/l.txt", *TRAIN[3:]), "'l.txt' is not valid UTF-8 (byte 3)", write("l.txt", "caf\xe9".encode("latin-1") + b" au lait\n")),
    Case("corpus-cut-character", (*TRAIN[:2], "{ws}/c.txt", *TRAIN[3:]), "ends in the middle of a character", write("c.txt", TEXT.encode() + b"\xe2\x80")),
    Case("corpus-utf32-bad", (*TRAIN[:2], "{ws}/w.txt", *TRAIN[3:]), "is not valid UTF-32", write("w.txt", b"\xff\xfe\x00\x00" + b"\xff\xff\xff\xff")),
    Case("corpus-folder", (*TRAIN[:2], "{ws}/victims", *TRAIN[3:]), "is a folder, not a file"),
    Case("corpus-missing", (*TRAIN[:2], "{ws}/nothing.txt", *TRAIN[3:]), "does not exist"),
    Case("corpus-json-deep", (*TRAIN[:2], "{ws}/d.json", *TRAIN[3:]), "'d.json' is nested too deeply to read", write("d.json", DEEP)),
    Case("corpus-jsonl-deep", (*TRAIN[:2], "{ws}/d.jsonl", *TRAIN[3:]), "Line 2 of 'd.jsonl' is nested too deeply",
         write("d.jsonl", '{"text": "a"}\n' + DEEP + "\n")),
    Case("corpus-json-scalars", (*TRAIN[:2], "{ws}/s.json", *TRAIN[3:]), "must be a list of objects", write("s.json", "[1, 2, 3]")),
    Case("corpus-json-number", (*TRAIN[:2], "{ws}/s.json", *TRAIN[3:]), "holds no list of records", write("s.json", "42")),
    Case("corpus-json-broken", (*TRAIN[:2], "{ws}/b.json", *TRAIN[3:]), "'b.json' is not valid JSON", write("b.json", '[{"text": "a"}, {"text"')),
    Case("corpus-jsonl-list-line", (*TRAIN[:2], "{ws}/l.jsonl", *TRAIN[3:]), "Line 2 of 'l.jsonl' is a JSON list",
         write("l.jsonl", '{"text": "a"}\n[1, 2]\n')),
    Case("corpus-jsonl-huge-bad-line", (*TRAIN[:2], "{ws}/h.jsonl", *TRAIN[3:]), "Line 1 of 'h.jsonl' is not valid JSON",
         write("h.jsonl", '{"text": "' + "fair is foul " * 200_000 + "\n")),
    Case("corpus-jsonl-blank-records", (*TRAIN[:2], "{ws}/b.jsonl", *TRAIN[3:]), "every record in it is blank",
         write("b.jsonl", '{"text": " "}\n{"text": ""}\n')),
    Case("corpus-csv-no-text-column", (*TRAIN[:2], "{ws}/t.csv", *TRAIN[3:]), "'t.csv' has no text column; name one of id, label",
         write("t.csv", "id,label\n1,spam\n2,ham\n3,spam\n")),
    Case("corpus-csv-numbers", (*TRAIN[:2], "{ws}/t.csv", *TRAIN[3:]), "'t.csv' has no text column", write("t.csv", "a,b\n1,2\n3,4\n")),
    Case("corpus-csv-missing-field", (*TRAIN[:2], "{ws}/t.csv", *TRAIN[3:], "--text-field", "body"), "'t.csv' has no column 'body'",
         write("t.csv", "text\nFair is foul\n")),
    Case("corpus-csv-bom-no-text", (*TRAIN[:2], "{ws}/t.csv", *TRAIN[3:]), "has no text column",
         write("t.csv", "\ufeffid,label\n1,a\n2,b\n")),
    Case("corpus-too-short", (*TRAIN[:2], "{ws}/s.txt", *TRAIN[3:]), "too few for a train and a validation block", write("s.txt", "Fair is foul.\n")),
    Case("corpus-lines-one-line", (*TRAIN[:2], "{ws}/s.txt", *TRAIN[3:], "--line-by-line"), "needs at least two non-blank lines",
         write("s.txt", "Fair is foul.\n\n\n")),
    Case("corpus-val-file-binary", (*TRAIN, "--val-file", "{ws}/p.png"), "'p.png' looks binary", write("p.png", PNG)),
    Case("corpus-cleaned-away", (*TRAIN[:2], "{ws}/pages.txt", *TRAIN[3:], "--strip-page-numbers", "--drop-blank-lines"),
         "The corpus is empty after cleaning", write("pages.txt", "1\n\n2\n- 3 -\nPage 4\n")),
    Case("corpus-bpe-vocab-too-small", (*TRAIN[:6], "bpe:100", *TRAIN[7:]), "A BPE vocabulary needs at least 258 tokens"),
    # ---- model-folder damage
    Case("model-no-config", (*GEN[:2], "{ws}/m", *GEN[3:]), "holds no model (no config.json)",
         model_copy("no-config", lambda m: (m / "config.json").unlink())),
    Case("model-config-not-json", (*GEN[:2], "{ws}/m", *GEN[3:]), "config.json of the model '{ws}/m' is not a JSON object",
         model_copy("bad-json", lambda m: (m / "config.json").write_text("{nope"))),
    Case("model-config-a-list", (*LAB[:2], "{ws}/m", *LAB[3:]), "is not a JSON object of settings",
         model_copy("list", lambda m: (m / "config.json").write_text("[]"))),
    Case("model-config-deep", (*EVAL[:2], "{ws}/m", *EVAL[3:]), "is not a JSON object of settings",
         model_copy("deep", lambda m: (m / "config.json").write_text(DEEP))),
    Case("model-vocab-null-generate", (*GEN[:2], "{ws}/m", *GEN[3:]), "has vocab_size null, not a positive whole number", config_with(vocab_size=None)),
    Case("model-vocab-null-train", ("train", "--corpus", "{corpus}", "--model", "{ws}/m", "--output", "{ws}/out"),
         "has vocab_size null", config_with(vocab_size=None)),
    Case("model-layers-nested-list", (*GEN[:2], "{ws}/m", *GEN[3:]), "has n_layer [[2]]", config_with(n_layer=[[2]])),
    Case("model-layers-nested-list-train", ("train", "--corpus", "{corpus}", "--model", "{ws}/m", "--output", "{ws}/out"),
         "has n_layer [[2]]", config_with(n_layer=[[2]])),
    Case("model-positions-text", (*COMPARE[:2], "{ws}/m", *COMPARE[3:]), 'has n_positions "x"', config_with(n_positions="x")),
    Case("model-embd-zero", (*EVAL[:2], "{ws}/m", *EVAL[3:]), "has n_embd 0", config_with(n_embd=0)),
    Case("model-heads-true", (*GEN[:2], "{ws}/m", *GEN[3:]), "has n_head true", config_with(n_head=True)),
    Case("model-more-layers-than-weights", (*GEN[:2], "{ws}/m", *GEN[3:]), "lacks 12 of the weights its config.json describes",
         config_with(n_layer=3)),
    Case("model-wider-than-weights", (*GEN[:2], "{ws}/m", *GEN[3:]), "do not have the shapes its config.json describes",
         config_with(n_positions=4096)),
    Case("model-no-weights", (*GEN[:2], "{ws}/m", *GEN[3:]), "Could not load the model",
         model_copy("no-weights", lambda m: (m / "model.safetensors").unlink())),
    Case("model-truncated-weights", (*LAB[:2], "{ws}/m", *LAB[3:]), "is damaged or incomplete",
         model_copy("cut", lambda m: os.truncate(m / "model.safetensors", (m / "model.safetensors").stat().st_size // 2))),
    Case("model-garbage-weights", (*EVAL[:2], "{ws}/m", *EVAL[3:]), "is damaged or incomplete",
         model_copy("garbage", lambda m: (m / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}garbage"))),
    Case("model-nan-weights", (*GEN[:2], "{nan_model}", *GEN[3:]), "has non-finite weights"),
    Case("model-nan-weights-eval", (*EVAL[:2], "{nan_model}", *EVAL[3:]), "has non-finite weights"),
    Case("model-no-tokenizer", (*GEN[:2], "{ws}/m", *GEN[3:]), "has 50,257 tokens, more than the model's 300",
         model_copy("no-tokenizer", lambda m: [p.unlink() for p in m.glob("tokenizer*")])),
    Case("model-no-tokenizer-lab", (*LAB[:2], "{ws}/m", *LAB[3:]), "put the tokenizer files of the run that made it",
         model_copy("no-tokenizer", lambda m: [p.unlink() for p in m.glob("tokenizer*")])),
    Case("model-garbage-tokenizer", (*GEN[:2], "{ws}/m", *GEN[3:]), "The tokenizer files in",
         model_copy("bad-tokenizer", lambda m: (m / "tokenizer.json").write_text("{not json"))),
    Case("model-empty-name", ("generate", "--model", "", "--prompt", "x"), "No model named"),
    Case("model-blank-name-eval", ("eval", "--model", "  ", "--text-file", "{corpus}"), "No model named"),
    Case("model-unknown-name", ("compare", "--model", "gpt5", "--prompt", "x"), "Unknown model 'gpt5'"),
    Case("model-a-file", (*GEN[:2], "{corpus}", *GEN[3:]), "Unknown model"),
    Case("model-a-user-folder", (*GEN[:2], "{ws}/victims/notes", *GEN[3:]), "holds no model (no config.json)"),
    # ---- what eval and generate read
    Case("eval-one-character", (*EVAL[:4], "{ws}/one.txt"), "is only 1 token long", write("one.txt", "a")),
    Case("eval-empty-text", (*EVAL[:4], "{ws}/e.txt"), "'e.txt' is empty", write("e.txt", "\n\n")),
    Case("eval-binary-text", (*EVAL[:4], "{ws}/p.png"), "looks binary", write("p.png", PNG)),
    Case("eval-folder", (*EVAL[:4], "{ws}/victims"), "is a folder, not a file"),
    Case("gen-prompt-file-missing", (*GEN[:3], "--prompt-file", "{ws}/nothing.txt"), "does not exist"),
    Case("gen-prompt-file-binary", (*GEN[:3], "--prompt-file", "{ws}/p.png"), "looks binary", write("p.png", PNG)),
    Case("lab-prompt-file-folder", (*LAB[:3], "--prompt-file", "{ws}/victims"), "is a folder, not a file"),
    # ---- paths: a user's folders are never trained into
    Case("path-dotdot-through-missing-folder", (*TRAIN[:-1], "{ws}/OUT/x/../../victims/notes"),
         "'{ws}/victims/notes' is not empty and is not a training run of the playground"),
    Case("path-symlink-to-user-folder", (*TRAIN[:-1], "{ws}/link"), "'{ws}/victims/notes' is not empty", symlink("link", "victims/notes")),
    Case("path-symlink-loop", (*TRAIN[:-1], "{ws}/loop/out"), "is a symlink loop", both(symlink("loop", "loop2"), symlink("loop2", "loop"))),
    Case("path-a-file", (*TRAIN[:-1], "{ws}/victims/notes/notes.txt"), "is a file; choose a folder"),
    Case("path-the-corpus", (*TRAIN[:-1], "{corpus}"), "is a file; choose a folder"),
    Case("path-blank", (*TRAIN[:-1], " "), "No output folder given"),
    Case("path-lone-run-json", (*TRAIN[:-1], "{ws}/victims/lone"), "'{ws}/victims/lone' is not empty and is not a training run",
         write("victims/lone/run.json", '{"mine": true, "status": "done"}')),
    Case("path-lone-run-json-resume", (*TRAIN[:-1], "{ws}/victims/lone", "--resume"), "is not a training run",
         write("victims/lone/run.json", '{"status": "running", "pid": 1}')),
    Case("path-lone-metrics", (*TRAIN[:-1], "{ws}/victims/lone"), "is not a training run",
         write("victims/lone/metrics.jsonl", '{"step": 0}\n')),
    Case("path-lone-leftover-names", (*TRAIN[:-1], "{ws}/victims/lone"), "is not a training run",
         both(write("victims/lone/run.json", "[]"), write("victims/lone/metrics.jsonl", "x"), write("victims/lone/checkpoint-1/a", "b"))),
    Case("path-users-fake-checkpoint", (*TRAIN[:-1], "{ws}/victims/lone", "--resume"), "is not a training run",
         write("victims/lone/checkpoint-3/trainer_state.json", '{"global_step": 3}')),
    Case("path-fine-tune-into-its-model", ("train", "--corpus", "{corpus}", "--model", "{ws}/m", "--output", "{ws}/m"), "is not empty",
         model_copy("model", lambda m: None)),
    Case("path-locked-by-a-live-process", (*TRAIN[:-1], "{ws}/victims/locked"), "Another training (process",
         both(write("victims/locked/run.json", json.dumps({"status": "running", "format": RUN_FORMAT})),
              locked_by_sleeper("victims/locked"))),
    # ---- resume mismatches (a copy of a finished run at step 2; nothing of it may change)
    Case("resume-before-its-checkpoint", (*RESUME, "--max-steps", "1"), "last checkpoint is at step 2, so it cannot train to step 1", run_copy),
    Case("resume-to-its-checkpoint", (*RESUME, "--max-steps", "2"), "pass a --max-steps above 2", run_copy),
    Case("resume-another-block-size", (*RESUME[:8], "32", *RESUME[9:], "--max-steps", "4"),
         "was trained with block size 16, not 32", run_copy),
    Case("resume-another-tokenizer", (*RESUME[:6], "bpe:400", *RESUME[7:], "--max-steps", "4"), "was trained with tokenizer bpe:300, not bpe:400", run_copy),
    Case("resume-gpt2-tokenizer", (*RESUME[:6], "gpt2", *RESUME[7:], "--max-steps", "4"), "was trained with tokenizer bpe:300, not gpt2", run_copy),
    Case("resume-another-size", (*RESUME[:4], "mini", *RESUME[5:], "--max-steps", "4"), "was trained with scratch tiny, not mini", run_copy),
    Case("resume-bad-corpus", (*RESUME[:2], "{ws}/d.json", *RESUME[3:], "--max-steps", "4"), "nested too deeply",
         both(run_copy, write("d.json", DEEP))),
    Case("resume-binary-corpus", (*RESUME[:2], "{ws}/p.png", *RESUME[3:], "--max-steps", "4"), "looks binary",
         both(run_copy, write("p.png", PNG))),
    Case("resume-missing-corpus", (*RESUME[:2], "{ws}/gone.txt", *RESUME[3:], "--max-steps", "4"), "does not exist", run_copy),
    Case("resume-bad-number", (*RESUME, "--lr", "nan"), "Learning rate must be", run_copy),
    Case("resume-without-resume", (*RESUME[:-1], "--max-steps", "4"), "holds a run with a checkpoint at step 2; pass --resume", run_copy),
    Case("resume-fake-checkpoint", (*RESUME, "--max-steps", "9"), "'checkpoint-8' in '{ws}/run' is not a checkpoint that can be resumed",
         run_with("checkpoint-8/trainer_state.json", "{}")),
    Case("resume-fake-checkpoint-state", (*RESUME, "--max-steps", "9"), "its trainer_state.json is unreadable",
         run_with("checkpoint-8/trainer_state.json", '{"global_step": "eight"}')),
    Case("resume-checkpoint-garbage-weights", (*RESUME, "--max-steps", "9"), "its weights file model.safetensors is missing or damaged",
         both(run_with("checkpoint-8/trainer_state.json", '{"global_step": 8}'), write("run/checkpoint-8/model.safetensors", b"\x00" * 64))),
    Case("resume-checkpoint-without-weights", (*RESUME, "--max-steps", "9"), "is missing or damaged",
         run_with("checkpoint-8/trainer_state.json", '{"global_step": 8}')),
    Case("resume-unmarked-run-json", (*RESUME, "--max-steps", "4"), "is not a training run of the playground",
         run_with("run.json", '{"status": "done"}')),
    Case("resume-locked", (*RESUME, "--max-steps", "4"), "Another training (process", both(run_copy, locked_by_sleeper("run"))),
    # ---- a run that starts and diverges: one sentence, its own new folder only
    Case("train-lr-1e30-diverges", (*TRAIN, "--lr", "1e30", "--max-steps", "2", "--eval-every", "1", "--sample-tokens", "4"),
         "Training diverged at step 1", writes=("out",), trains=True),
    # ---- a handful as real processes: the interpreter's own exit status and stderr
    Case("process-dotdot-output", (*TRAIN[:-1], "{ws}/OUT/x/../../victims/notes"), "is not empty and is not a training run",
         via="process"),
    Case("process-model-no-tokenizer", (*GEN[:2], "{ws}/m", *GEN[3:]), "more than the model's 300",
         model_copy("no-tokenizer", lambda m: [p.unlink() for p in m.glob("tokenizer*")]), via="process"),
]


# --------------------------------------------------------------------------- running a case


def run_cli(argv: list[str], ws: Path) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as e:  # argparse
            status = e.code
    return Outcome(status, err.getvalue(), out.getvalue())


def run_process(argv: list[str], ws: Path) -> Outcome:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "playground", *argv], cwd=ws, env=env, capture_output=True, text=True,
                       timeout=300)
    return Outcome(r.returncode, r.stderr, r.stdout)


RUNNERS: dict[str, Callable[[list[str], Path], Outcome]] = {"cli": run_cli, "process": run_process}

CLASS_NAME = re.compile(r"Traceback|<class |\b[A-Z]\w+(?:Error|Exception)\b")


def check_one_sentence(case: Case, outcome: Outcome, ws: Path) -> None:
    assert outcome.status == 2, f"exit status {outcome.status}\n{outcome.err}"
    lines = outcome.err.rstrip("\n").split("\n")
    if not case.trains:
        assert len(lines) == 1, f"more than one line on stderr:\n{outcome.err}"
    sentence = lines[-1]
    assert sentence.startswith("error: ") and sentence.endswith("."), sentence
    assert sum(line.startswith("error: ") for line in lines) == 1, outcome.err
    assert not CLASS_NAME.search(outcome.err), outcome.err
    assert case.says.format(ws=ws) in sentence, sentence
    assert outcome.out == "", outcome.out


# --------------------------------------------------------------------------- guarding the files


_HASHES: dict[tuple, str] = {}


def fingerprint(*roots: Path) -> dict[str, tuple]:
    """Every entry under `roots`: a folder's listing and mode, a file's size, mtime, mode and SHA-256, a link's target."""
    prints = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            st = os.lstat(here)
            prints[str(here)] = ("dir", st.st_mode, st.st_mtime_ns, tuple(sorted(dirs + files)))
            for name in sorted(dirs + files):
                path = here / name
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    prints[str(path)] = ("link", os.readlink(path))
                elif stat.S_ISREG(st.st_mode):
                    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
                    if key not in _HASHES:  # a file whose metadata stayed the same is not read twice
                        _HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
                    prints[str(path)] = ("file", st.st_mode, st.st_size, st.st_mtime_ns, _HASHES[key])
            dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
    return prints


def changes(before: dict, after: dict, allowed: tuple[Path, ...]) -> list[str]:
    def free(path: str) -> bool:
        return any(path == str(a) or path.startswith(str(a) + os.sep) for a in allowed)

    found = [f"changed: {p}" for p in before if p in after and before[p] != after[p]
             and not (free(p) or before[p][0] == "dir" and set(before[p][3]) <= set(after[p][3])
                      and all(free(str(Path(p) / n)) for n in set(after[p][3]) - set(before[p][3])))]
    found += [f"removed: {p}" for p in before if p not in after]
    found += [f"new: {p}" for p in after if p not in before and not free(p)]
    return found


def user_folders(ws: Path) -> None:
    """What every workspace holds: the corpus and a user's own folders, which no command may touch."""
    ws.mkdir(parents=True, exist_ok=True)
    (ws / "corpus.txt").write_text(CORPUS, encoding="utf-8")
    notes = ws / "victims" / "notes"
    (notes / "drafts").mkdir(parents=True)
    (notes / "notes.txt").write_text("Remember: nothing here is a run.\n")
    (notes / "drafts" / "chapter1.md").write_text("# One\nIt was a dark and stormy night.\n")
    (ws / "victims" / "empty-looking").mkdir()


# --------------------------------------------------------------------------- fixtures


CORPUS = ""


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory, play_text):
    global CORPUS
    CORPUS = play_text[:6000]
    old = os.environ.get("PLAYGROUND_CACHE")
    os.environ["PLAYGROUND_CACHE"] = str(tmp_path_factory.mktemp("hostile-cache"))
    yield
    if old is None:
        os.environ.pop("PLAYGROUND_CACHE")
    else:
        os.environ["PLAYGROUND_CACHE"] = old
    for sleeper in SLEEPERS:
        sleeper.kill()
        sleeper.wait()


@pytest.fixture(scope="module")
def models(tmp_path_factory, play_text) -> Path:
    """MODELS/model: a tiny GPT-2 (2 layers, 64 wide, context 64) with a 300-token BPE of its own;
    MODELS/nan: the same with a NaN weight."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from playground.tokenization import train_bpe_tokenizer

    global MODELS
    MODELS = tmp_path_factory.mktemp("hostile-models")
    tokenizer = train_bpe_tokenizer([play_text[:20_000]], 300)
    torch.manual_seed(0)
    config = GPT2Config(n_layer=2, n_head=2, n_embd=64, n_positions=64, vocab_size=len(tokenizer),
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    model = GPT2LMHeadModel(config)
    for name in ("model", "nan"):
        if name == "nan":
            with torch.no_grad():
                model.transformer.h[0].mlp.c_fc.weight[0, 0] = float("nan")
        model.save_pretrained(MODELS / name)
        tokenizer.save_pretrained(MODELS / name)
    assert len(tokenizer) == 300
    return MODELS


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """FINISHED: a from-scratch run trained to its end at step 2 (a checkpoint there), as TRAIN describes it."""
    global FINISHED
    ws = tmp_path_factory.mktemp("hostile-run")
    user_folders(ws)
    out = io.StringIO()
    with contextlib.redirect_stderr(out):
        assert main([a.format(ws=ws, corpus=ws / "corpus.txt") for a in TRAIN] + ["--max-steps", "2", "--eval-every", "2",
                                                                             "--sample-tokens", "2"]) == 0, out.getvalue()
    FINISHED = ws / "out"
    assert read_status(FINISHED)["status"] == "done" and (FINISHED / "checkpoint-2").is_dir()
    return FINISHED


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_input_ends_in_one_sentence_and_changes_nothing(case, tmp_path, models, finished_run):
    ws = tmp_path.resolve() / "ws"  # resolved: the sentences name resolved paths
    user_folders(ws)
    if case.setup:
        case.setup(ws)
    paths = dict(ws=ws, corpus=ws / "corpus.txt", model=models / "model", nan_model=models / "nan", run=ws / "run")
    argv = [a.format(**paths) for a in case.argv]
    before = fingerprint(ws, models, finished_run)
    outcome = RUNNERS[case.via](argv, ws)
    after = fingerprint(ws, models, finished_run)
    check_one_sentence(case, outcome, ws)
    assert changes(before, after, tuple(ws / w for w in case.writes)) == []


def test_the_table_is_wide_enough():
    commands = {c.argv[0] for c in CASES}
    assert len(CASES) >= 150 and commands == {"train", "eval", "generate", "lab", "compare"}
    assert len({c.name for c in CASES}) == len(CASES)
    assert sum(c.via == "process" for c in CASES) <= 5  # real processes cost seconds each; keep them a handful


# --------------------------------------------------------------------------- two trainings, one folder


def test_a_second_training_into_a_running_ones_folder_is_refused_until_it_ends(tmp_path, capsys):
    """Data-loss case 4: the second training is refused in one sentence while the first runs (a real process),
    the first loses nothing, and once it is gone its leftover lock does not stand in the way."""
    ws = tmp_path.resolve() / "ws"
    user_folders(ws)
    out = ws / "out"
    argv = [a.format(ws=ws, corpus=ws / "corpus.txt") for a in TRAIN] + ["--max-steps", "100000", "--eval-every", "100000",
                                                                         "--sample-tokens", "2"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    log = tmp_path / "first.log"
    with open(log, "w") as stderr:
        first = subprocess.Popen([sys.executable, "-m", "playground", *argv], cwd=ws, env=env,
                                 stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 240
        while not read_metrics(out) and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)  # its first record (step 0's evaluation): it is training, and holds the folder
        assert first.poll() is None, log.read_text()
        for extra in ([], ["--resume"]):
            assert main([*argv, *extra]) == 2
            err = capsys.readouterr().err
            assert err == f"error: Another training (process {first.pid}) is writing to '{out}' right now; wait for it " \
                          "to finish, or choose another output folder.\n", err
        alias = [*argv[:argv.index("--output") + 1], str(ws / "OUT" / ".." / "out"), *argv[argv.index("--output") + 2:]]
        assert main(alias) == 2 and "Another training" in capsys.readouterr().err
        assert not (out / "previous-metrics.jsonl").exists() and (out / METRICS_FILE).exists()
        first.send_signal(signal.SIGINT)  # Stop: the first saves its model and ends as it should
        first.wait(timeout=240)
    finally:
        first.kill()
    assert first.returncode == 0, log.read_text()
    assert read_status(out)["status"] == "stopped" and not (out / LOCK_FILE).exists()
    evaluations = [r["step"] for r in read_metrics(out) if "val_loss" in r]
    assert evaluations[0] == 0 and evaluations == sorted(set(evaluations)) and len(evaluations) == 2  # none lost
    # A lock left by a dead process (killed with the lock held) does not block the next run.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / LOCK_FILE).write_text(json.dumps({"pid": dead.pid, "token": "gone"}))
    assert output_lock.holder(out) is None
    from playground.train_plan import where_to_start

    assert where_to_start(out, resume=True).resume_from is not None


def test_a_lock_of_this_process_blocks_a_second_job_in_it(tmp_path):
    """The app runs jobs in threads of one process: the process id alone cannot tell them apart."""
    from playground.errors import PlaygroundError
    from playground.train_config import TrainConfig
    from playground.train_plan import where_to_start
    from playground.training import TrainingJob

    out = tmp_path / "out"
    assert output_lock.acquire(out) is True
    try:
        assert output_lock.holder(out) == os.getpid()
        with pytest.raises(PlaygroundError, match=rf"Another training \(process {os.getpid()}\)"):
            where_to_start(out, resume=False)
        with pytest.raises(PlaygroundError, match="Another training"):
            output_lock.acquire(out)
        assert where_to_start(out, resume=False, locked=True).resume_from is None  # the holder judges it freely
        # A second job of this process refused: the first's lock stays where it was.
        config = TrainConfig(corpus=["c.txt"], output=str(out), scratch="tiny")
        with pytest.raises(PlaygroundError, match="Another training"):
            TrainingJob(config).run()
        assert output_lock.holder(out) == os.getpid() and (out / LOCK_FILE).exists()
    finally:
        output_lock.release(out)
    assert not (out / LOCK_FILE).exists() and output_lock.holder(out) is None
    # A lock with this process's id but another process's token: left by an earlier process that had the id.
    (out / LOCK_FILE).write_text(json.dumps({"pid": os.getpid(), "token": "an-earlier-process"}))
    assert output_lock.holder(out) is None
    write_status(out, status="failed")
    assert output_lock.acquire(out) is False
    output_lock.release(out)
    assert [p.name for p in out.iterdir()] == [RUN_FILE]
