"""Issue 9: inputs that used to end in a traceback (or in a silent wrong answer) now end in one sentence.

Engine level first (a PlaygroundError naming what was wrong and what to do), then the command line
(the same sentence on stderr, exit status 2, nothing half-written).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
import torch

import playground.corpus_files as corpus_mod
from playground.cli import main, printable
from playground.corpus import ExampleSettings
from playground.corpus_files import load_corpus, read_text_file
from playground.decoding import histogram, lab
from playground.errors import PlaygroundError
from playground.evaluation import perplexity
from playground.compare import compare
from playground.generation import generate
from playground.knobs import DecodingSettings
from playground.models import NON_FINITE_OUTPUT, load_model
from playground.train_config import MAX_STEPS, TrainConfig

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))


def one_sentence(err: str) -> str:
    """stderr of a refused CLI call: exactly one line, no traceback."""
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


# --------------------------------------------------------------------------- corpus files


def test_nested_json_records_are_read(tmp_path):
    f = tmp_path / "nested.json"
    f.write_text(json.dumps({"data": [{"text": "Fair is foul"}, {"text": "and foul is fair"}]}), encoding="utf-8")
    assert load_corpus([f]).documents["text"] == ["Fair is foul", "and foul is fair"]


def test_json_without_a_list_of_records_is_one_sentence(tmp_path):
    f = tmp_path / "meta.json"
    f.write_text(json.dumps({"count": 2, "items": [1, 2]}), encoding="utf-8")
    with pytest.raises(PlaygroundError, match="holds no list of records"):
        load_corpus([f])
    f.write_text('[{"text": "a"}, {"text": "b"', encoding="utf-8")
    with pytest.raises(PlaygroundError, match=r"not valid JSON \(Expecting .* at line 1, column \d+\)"):
        load_corpus([f])


def test_malformed_jsonl_names_the_line(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"text": "a"}\n\n{"text": "b"\n{"text": "c"}\n', encoding="utf-8")
    with pytest.raises(PlaygroundError, match=r"^Line 3 of 'bad.jsonl' is not valid JSON \(.* at column 13\); fix or remove that line\.$"):
        load_corpus([f])
    f.write_text('{"text": "a"}\n["not", "an", "object"]\n', encoding="utf-8")
    with pytest.raises(PlaygroundError, match="Line 2 of 'bad.jsonl' is a JSON list, not an object"):
        load_corpus([f])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_read(tmp_path, encoding):
    text = "Fair is foul, and foul is fair:\nHover through the fog — ünd filthy air.\n"
    f = tmp_path / "play.txt"
    bom = {"utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    f.write_bytes(bom + text.encode(encoding))
    assert read_text_file(f) == text
    assert load_corpus([f]).documents["text"] == [text]


def test_utf16_jsonl_with_a_bom_is_read(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_bytes('{"text": "To be"}\n{"text": "or not"}\n'.encode("utf-16"))
    assert load_corpus([f]).documents["text"] == ["To be", "or not"]


def test_utf16_without_a_bom_is_named_not_called_binary(tmp_path):
    f = tmp_path / "le.txt"
    f.write_bytes("Fair is foul, and foul is fair.\n".encode("utf-16-le"))
    with pytest.raises(PlaygroundError, match="looks like UTF-16 text without a byte-order mark; re-save it as UTF-8"):
        load_corpus([f])


def test_a_folder_is_called_a_folder(tmp_path):
    with pytest.raises(PlaygroundError, match=r"is a folder, not a file; pass the files inside it"):
        load_corpus([tmp_path])
    with pytest.raises(PlaygroundError, match="is a folder"):
        read_text_file(tmp_path)


def test_blank_records_without_cleaning_do_not_blame_cleaning(tmp_path):
    f = tmp_path / "blank.jsonl"
    f.write_text('{"text": "  "}\n{"text": ""}\n', encoding="utf-8")
    with pytest.raises(PlaygroundError, match="^The corpus holds no text: every record in it is blank; add some text.$"):
        load_corpus([f])


def test_a_huge_binary_file_is_refused_from_its_head(tmp_path):
    f = tmp_path / "huge.bin"
    with f.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n\x00\x00")
        out.truncate(1 << 30)  # 1 GB, sparse: nothing is really written
    small = tmp_path / "small.bin"
    small.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(PlaygroundError, match="looks binary"):
        load_corpus([small])  # what the first call imports is not the file's memory: imported before measuring
    tracemalloc.start()
    try:
        with pytest.raises(PlaygroundError, match="looks binary"):
            load_corpus([f])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * corpus_mod.HEAD_BYTES  # only the head was read


def test_the_rest_of_a_file_is_checked_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_mod, "HEAD_BYTES", 16)
    monkeypatch.setattr(corpus_mod, "CHUNK_BYTES", 8)
    f = tmp_path / "late.txt"
    f.write_bytes(b"Fair is foul, and foul is fair: " + b"caf\xe9 au lait")  # past the head, in a later chunk
    with pytest.raises(PlaygroundError, match=r"not valid UTF-8 \(byte 35\)"):
        load_corpus([f])
    f.write_bytes(b" " * 40 + b"\n" * 10)
    with pytest.raises(PlaygroundError, match="is empty"):
        load_corpus([f])
    f.write_bytes(b" " * 40 + b"Fair")  # text after a blank head is found
    assert load_corpus([f]).documents["text"] == [" " * 40 + "Fair"]


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize("kw,match", [
    (dict(epochs=float("inf")), "Epochs must be a number above 0 and at most"),
    (dict(epochs=float("nan")), "Epochs must be a number above 0 and at most"),
    (dict(max_steps=10**19), f"Max steps must be a whole number from 1 to {MAX_STEPS:,}"),
    (dict(seed=-1), r"seed must be a whole number from 0 to 4294967295 \(2\*\*32 - 1\), not -1"),
    (dict(seed=2**32), "seed must be a whole number from 0 to 4294967295"),
])
def test_train_config_refuses(kw, match, tmp_path):
    with pytest.raises(PlaygroundError, match=match):
        TrainConfig(corpus=["c.txt"], output=str(tmp_path / "o"), scratch="tiny", **kw)


def test_largest_values_are_accepted(tmp_path):
    TrainConfig(corpus=["c.txt"], output=str(tmp_path / "o"), scratch="tiny", seed=2**32 - 1, max_steps=MAX_STEPS, epochs=10_000)
    assert DecodingSettings(seed=2**32 - 1).seed == 2**32 - 1


@pytest.mark.parametrize("seed", [-1, 2**32, 2**63])
def test_decoding_seeds_outside_32_bits_are_refused(seed):
    with pytest.raises(PlaygroundError, match="seed must be a whole number from 0 to 4294967295"):
        DecodingSettings(seed=seed)
    with pytest.raises(PlaygroundError, match="seed must be a whole number"):
        ExampleSettings(seed=seed)
    with pytest.raises(PlaygroundError, match="seed must be a whole number"):
        histogram(torch.tensor([0.5, 0.5]), 10, seed, tokenizer=None)


def test_compare_refuses_zero_new_tokens(peaky_model):
    model, tok = peaky_model
    with pytest.raises(PlaygroundError, match="max new tokens must be between 1 and 512, not 0"):
        compare(model, tok, "Fair", max_new_tokens=0, seed=0)


# --------------------------------------------------------------------------- broken models


@pytest.fixture
def truncated_model_dir(tiny_model_dir, tmp_path) -> Path:
    folder = shutil.copytree(tiny_model_dir, tmp_path / "truncated")
    weights = folder / "model.safetensors"
    os.truncate(weights, weights.stat().st_size // 2)
    return folder


@pytest.fixture(scope="module")
def nan_model_dir(tiny_model_dir, tmp_path_factory) -> Path:
    from transformers import AutoModelForCausalLM

    folder = shutil.copytree(tiny_model_dir, tmp_path_factory.mktemp("nan") / "nan-model")
    model = AutoModelForCausalLM.from_pretrained(folder)
    with torch.no_grad():
        model.transformer.h[0].mlp.c_fc.weight[0, 0] = float("nan")  # one NaN is enough to poison every output
    model.save_pretrained(folder)
    return folder


@pytest.fixture
def nan_model(tiny_model_dir):
    """A healthy model loaded, then broken in memory (as a diverged run would leave it)."""
    model, tok = load_model(str(tiny_model_dir))
    with torch.no_grad():
        model.transformer.h[0].mlp.c_fc.weight[0, 0] = float("nan")
    return model, tok


def test_a_truncated_weights_file_is_called_damaged(truncated_model_dir):
    with pytest.raises(PlaygroundError, match="weights file of the model .* is damaged or incomplete .*; download or save the model again"):
        load_model(str(truncated_model_dir))


def test_a_model_with_nan_weights_is_refused_at_load(nan_model_dir):
    with pytest.raises(PlaygroundError, match=r"has non-finite weights \(NaN or infinity\)"):
        load_model(str(nan_model_dir))


@pytest.mark.parametrize("settings", [DecodingSettings(max_new_tokens=5, seed=1),
                                      DecodingSettings(max_new_tokens=5, temperature=0.0),
                                      DecodingSettings(max_new_tokens=5, temperature=0.0, num_beams=2)])
def test_generate_refuses_non_finite_outputs(nan_model, settings):
    model, tok = nan_model
    with pytest.raises(PlaygroundError, match="produces non-finite values"):
        generate(model, tok, "Fair is foul", settings)


def test_lab_and_eval_refuse_non_finite_outputs(nan_model, play_text):
    model, tok = nan_model
    with pytest.raises(PlaygroundError) as e:
        lab(model, tok, "Fair is foul", DecodingSettings(seed=0), samples=10)
    assert str(e.value) == NON_FINITE_OUTPUT
    with pytest.raises(PlaygroundError, match="produces non-finite values"):
        perplexity(model, tok, play_text[:500])


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("argv,match", [
    (["train", "--corpus", "{data}", "--scratch", "tiny", "--output", "{tmp}/o", "--epochs", "inf"], "Epochs must be"),
    (["train", "--corpus", "{data}", "--scratch", "tiny", "--output", "{tmp}/o", "--epochs", "nan"], "Epochs must be"),
    (["train", "--corpus", "{data}", "--scratch", "tiny", "--output", "{tmp}/o", "--seed", "-1"], "seed must be a whole number"),
    (["train", "--corpus", "{data}", "--scratch", "tiny", "--output", "{tmp}/o", "--seed", "4294967296"], "seed must be"),
    (["train", "--corpus", "{data}", "--scratch", "tiny", "--output", "{tmp}/o", "--max-steps", str(10**19)], "Max steps must be"),
    (["train", "--corpus", "{tmp}", "--scratch", "tiny", "--output", "{tmp}/o"], "is a folder, not a file"),
    (["train", "--corpus", "{tmp}/nested.json", "--scratch", "tiny", "--output", "{tmp}/o"], "holds no list of records"),
    (["train", "--corpus", "{tmp}/bad.jsonl", "--scratch", "tiny", "--output", "{tmp}/o"], "Line 2 of 'bad.jsonl'"),
    (["train", "--corpus", "{data}", "--model", "{truncated}", "--output", "{tmp}/o"], "damaged or incomplete"),
    (["eval", "--model", "{truncated}", "--text-file", "{data}"], "damaged or incomplete"),
    (["generate", "--model", "{truncated}", "--prompt", "x"], "damaged or incomplete"),
    (["generate", "--model", "{nan}", "--prompt", "x"], "non-finite weights"),
    (["lab", "--model", "{nan}", "--prompt", "x"], "non-finite weights"),
    (["eval", "--model", "{nan}", "--text-file", "{data}"], "non-finite weights"),
    (["generate", "--model", "{tiny}", "--prompt", "x", "--seed", "-1"], "seed must be a whole number"),
    (["compare", "--model", "{tiny}", "--prompt", "x", "--max-new-tokens", "0"], "max new tokens must be between 1 and 512, not 0"),
    (["generate", "--model", "{tiny}", "--prompt-file", "{tmp}/missing.txt"], "does not exist"),
])
def test_cli_bad_input_is_one_sentence_and_exit_2(capsys, tmp_path, play_file, tiny_model_dir, truncated_model_dir,
                                                 nan_model_dir, argv, match):
    (tmp_path / "nested.json").write_text(json.dumps({"data": {"text": "x"}}), encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"text": "a"}\n{"text": \n', encoding="utf-8")
    paths = dict(data=play_file, tmp=tmp_path, tiny=tiny_model_dir, truncated=truncated_model_dir, nan=nan_model_dir)
    assert main([a.format(**paths) for a in argv]) == 2
    err = one_sentence(capsys.readouterr().err)
    assert match in err
    assert not (tmp_path / "o").exists()  # nothing half-written


@pytest.mark.parametrize("case", ["nan_eval", "bad_jsonl"])
def test_cli_exit_status_in_a_real_process(case, nan_model_dir, play_file, tmp_path):
    # eval used to print "loss nan" and exit 0; a bad JSONL line also printed datasets' own log line
    if case == "nan_eval":
        argv, match = ["eval", "--model", str(nan_model_dir), "--text-file", str(play_file)], "non-finite"
    else:
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"text": "a"}\n{"text": "b"\n', encoding="utf-8")
        argv, match = ["train", "--corpus", str(bad), "--scratch", "tiny", "--output", str(tmp_path / "o")], "Line 2 of 'bad.jsonl'"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PLAYGROUND_CACHE": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "playground", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and r.stdout == "" and match in one_sentence(r.stderr)
    assert not (tmp_path / "o").exists()


def test_prompt_file_passes_a_prompt_too_long_for_the_command_line(capsys, tmp_path, peaky_model_dir, play_text):
    f = tmp_path / "prompt.txt"
    f.write_text((play_text * 4)[:150_000] + "\n", encoding="utf-8")  # above Linux's 128 KB limit for one argument
    assert main(["generate", "--model", str(peaky_model_dir), "--prompt-file", str(f), "--max-new-tokens", "3", "--seed", "0"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("…") and len(out) < 2000  # the echo is the prompt's end, not 150 KB
    assert "only its last" in err
    for cmd in (["lab", "--samples", "10"], ["compare", "--max-new-tokens", "2"]):
        assert main([cmd[0], "--model", str(peaky_model_dir), "--prompt-file", str(f), "--seed", "0", "--json", *cmd[1:]]) == 0
        json.loads(capsys.readouterr().out)


def test_prompt_file_and_prompt_exclude_each_other(capsys, tmp_path, peaky_model_dir):
    with pytest.raises(SystemExit) as e:
        main(["generate", "--model", str(peaky_model_dir), "--prompt", "x", "--prompt-file", str(tmp_path / "p.txt")])
    assert e.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_control_characters_are_escaped_on_the_terminal(capsys, tmp_path, peaky_model_dir):
    prompt = "ROMEO:\x1b[2J\x1b]0;owned\x07 soft\rX\u202e"
    for argv in (["generate", "--prompt", prompt], ["compare", "--prompt", prompt],
                 ["generate", "--prompt", prompt, "--num-return-sequences", "2"]):
        assert main([argv[0], "--model", str(peaky_model_dir), *argv[1:], "--max-new-tokens", "3", "--seed", "0"]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\u202e" not in out
        assert "ROMEO:\\x1b[2J\\x1b]0;owned\\x07 soft\\rX\\u202e" in out
    assert printable("line\n\ttab") == "line\n\ttab"
