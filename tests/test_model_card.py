"""The model card (README.md) of a trained run, read back with huggingface_hub, and --report-to trackio.

One tiny run, trained through the CLI in this process, gives both: its card must describe what the run did,
and trackio's local database (TRACKIO_DIR, a temporary folder: tests/conftest.py) must hold its metrics.
"""

import json
import os
import zipfile

import pytest
from huggingface_hub import ModelCard

from playground.model_card import card_data, hub_base_model, model_card
from playground.runs import zip_run

STEPS = 6


@pytest.fixture(scope="module")
def trained(play_file, tmp_path_factory):
    """A 6-step from-scratch run reported to trackio: (output folder, the CLI's final JSON)."""
    import os

    from playground.cli import main

    tmp = tmp_path_factory.mktemp("card")
    os.environ["PLAYGROUND_CACHE"] = str(tmp / "cache")
    out = tmp / "macbeth-tiny"
    args = ["train", "--corpus", str(play_file), "--scratch", "tiny", "--tokenizer", "bpe:400", "--output", str(out),
            "--block-size", "32", "--batch-size", "8", "--max-steps", str(STEPS), "--eval-every", "3", "--seed", "0",
            "--report-to", "trackio"]
    import contextlib
    import io

    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(args) == 0
    return out, json.loads(stdout.getvalue())  # stdout holds only the JSON: trackio's messages went to stderr


def test_card_of_a_trained_run_reads_back_with_its_fields(trained, play_file):
    out, final = trained
    card = ModelCard.load(out / "README.md")
    data = card.data.to_dict()
    assert data["library_name"] == "transformers" and data["pipeline_tag"] == "text-generation"
    assert "base_model" not in data and "datasets" not in data and "license" not in data  # from scratch, from a file
    assert {"gpt2", "gpt2-playground", "from-scratch", "trackio"} <= set(data["tags"])
    info = json.loads((out / "playground.json").read_text())
    text = card.text
    assert "trained from scratch" in text and "from-scratch size 'tiny'" in text
    assert f"{info['parameters'] / 1e6:.2f} M parameters" in text
    assert "a byte-level BPE trained on the corpus (400 tokens)" in text
    assert f"| Steps | {STEPS} (" in text and f"on {info['device']} (" in text
    assert f"`{play_file.name}`" in text and str(play_file.parent) not in text  # file names, never paths
    assert str(out.parent) not in text and os.environ["TRACKIO_DIR"] not in text
    assert f"{info['corpus_stats']['characters']:,}" in text and f"{info['corpus_stats']['tokens']:,}" in text
    assert f"{info['corpus_stats']['train_examples']:,} training and" in text and "10% of the corpus held out" in text
    assert f"| Final validation loss | {final['val_loss']:.4f} nats/token |" in text
    assert f"| Final train loss | {final['train_loss']:.4f} nats/token |" in text
    assert f"| Validation perplexity | {final['val_perplexity']:.2f} |" in text
    command = (f"train --corpus {play_file.name} --output macbeth-tiny --scratch tiny --tokenizer bpe:400 --block-size 32"
               f" --batch-size 8")
    assert f"gpt2-playground {command}" in text and f"python -m playground {command}" in text
    assert f"--max-steps {STEPS} --eval-every 3" in text and "--report-to trackio" in text
    run = final["reported_to"].split("'")[3]  # the trackio run, named in the card without trackio's folder
    assert f"| Metrics also in | trackio project 'gpt2-playground', run '{run}' |" in text


def test_the_zip_carries_the_card(trained):
    out, _ = trained
    with zipfile.ZipFile(zip_run(out)) as z:
        card = z.read(f"{out.name}/README.md").decode()
    assert card == (out / "README.md").read_text()


def test_trackio_holds_the_runs_metrics(trained, trackio_dir):
    from trackio.sqlite_storage import SQLiteStorage

    out, final = trained
    assert final["reported_to"].startswith("trackio project 'gpt2-playground', run 'macbeth-tiny-")
    assert str(trackio_dir) in final["reported_to"]
    assert (trackio_dir / "gpt2-playground.db").exists()
    run = next(r for r in SQLiteStorage.get_runs("gpt2-playground") if r.startswith("macbeth-tiny-"))
    logs = SQLiteStorage.get_logs("gpt2-playground", run)
    train = [row["train/loss"] for row in logs if "train/loss" in row]
    val = [row["eval/loss"] for row in logs if "eval/loss" in row]
    # The same numbers as the playground's own metrics.jsonl, which stays as it was.
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert train == pytest.approx([r["train_loss"] for r in records if "train_loss" in r])
    assert val == pytest.approx([r["val_loss"] for r in records if "val_loss" in r])
    assert len(train) == STEPS


def test_card_of_a_fine_tune_names_its_hub_base_and_license():
    info = {"settings": {"model": "gpt2-medium", "corpus": ["/home/me/notes.txt"], "output": "/home/me/runs/notes",
                         "lora": True, "lora_r": 8, "block_size": 256, "batch_size": 4},
            "final_metrics": {"step": 10, "val_loss": 3.2, "val_perplexity": 24.5, "val_nats_per_char": 0.812345}}
    data = card_data(info).to_dict()
    assert data["base_model"] == "openai-community/gpt2-medium" and data["license"] == "mit"
    assert {"fine-tuned", "lora"} <= set(data["tags"])
    card = model_card(info, "notes", repo_id="me/notes")
    assert "fine-tuned from gpt2-medium" in card.text and "/home/me" not in card.text
    assert 'model="me/notes"' in card.text
    assert "| Validation nats per character | 0.8123 |" in card.text
    assert hub_base_model("gpt2") == "openai-community/gpt2" and hub_base_model("/tmp/my-model") is None
    assert hub_base_model("demo") is None and hub_base_model(None) is None


def test_a_tracker_that_is_not_installed_is_one_sentence_before_anything_starts(play_file, tmp_path, monkeypatch, capsys):
    from playground import tracking
    from playground.cli import main

    # wandb's package under a name that is surely absent, so the check is real on a machine that has wandb.
    monkeypatch.setitem(tracking._PACKAGES, "wandb", ("wandb_not_installed_here",))
    out = tmp_path / "o"
    assert main(["train", "--corpus", str(play_file), "--scratch", "tiny", "--output", str(out), "--report-to", "wandb"]) == 2
    err = capsys.readouterr().err
    assert "Reporting to wandb needs the wandb_not_installed_here package, which is not installed" in err
    assert err.count("\n") == 1 and not out.exists()


def test_card_of_a_hub_dataset_run_lists_the_dataset():
    info = {"settings": {"scratch": "tiny", "dataset": "roneneldan/TinyStories", "dataset_split": "train",
                         "dataset_max_chars": 1_000_000, "output": "stories"}}
    assert card_data(info).to_dict()["datasets"] == ["roneneldan/TinyStories"]
    text = model_card(info, "stories").text
    assert "[roneneldan/TinyStories](https://huggingface.co/datasets/roneneldan/TinyStories) (split 'train')" in text
    assert "--dataset roneneldan/TinyStories --dataset-max-chars 1000000" in text
