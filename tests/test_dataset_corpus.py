"""A corpus from a `datasets` dataset, tested offline on a local folder of parquet files laid out as on the Hub
(data/train-….parquet, data/test-….parquet), which load_dataset reads as it reads a Hub dataset."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import ModelCard

from playground import dataset_corpus
from playground.corpus import ExampleSettings, prepare
from playground.corpus_files import Cleaning
from playground.dataset_corpus import DatasetSource, load_dataset_corpus
from playground.errors import PlaygroundError
from playground.limits import HostedLimits
from playground.train_config import TrainConfig


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def speeches(play_text) -> list[str]:
    return [s for s in play_text.split("\n\n") if s.strip()]


@pytest.fixture
def parquet_folder(tmp_path, speeches):
    """Macbeth's speeches as a dataset: an int column first, the text in 'speech', train and test splits."""
    folder = tmp_path / "macbeth-speeches"
    (folder / "data").mkdir(parents=True)
    cut = len(speeches) * 9 // 10
    for split, rows in (("train", speeches[:cut]), ("test", speeches[cut:])):
        table = pa.table({"id": list(range(len(rows))), "speech": rows})
        pq.write_table(table, folder / "data" / f"{split}-00000-of-00001.parquet")
    return folder


def test_a_local_dataset_reads_its_text_column_as_for_csv(parquet_folder, speeches):
    corpus = load_dataset_corpus(DatasetSource(str(parquet_folder)), progress=False)
    cut = len(speeches) * 9 // 10
    assert corpus.documents["text"] == speeches[:cut]  # 'speech': the first string column, not 'id'
    assert corpus.files == ["macbeth-speeches"] and corpus.line_based
    test = load_dataset_corpus(DatasetSource(str(parquet_folder), split="test"), progress=False)
    assert test.documents["text"] == speeches[cut:]


def test_the_character_cap_stops_reading_and_the_hash_follows_the_text(parquet_folder):
    whole = load_dataset_corpus(DatasetSource(str(parquet_folder)), progress=False)
    capped = load_dataset_corpus(DatasetSource(str(parquet_folder), max_chars=5_000), progress=False)
    assert capped.characters == 5_000 and "".join(capped.documents["text"]) == "".join(whole.documents["text"])[:5_000]
    again = load_dataset_corpus(DatasetSource(str(parquet_folder), max_chars=5_000), progress=False)
    assert again.content_hash == capped.content_hash != whole.content_hash
    cleaned = load_dataset_corpus(DatasetSource(str(parquet_folder), max_chars=5_000), Cleaning(collapse_spaces=True),
                                  progress=False)
    assert cleaned.content_hash != capped.content_hash


def test_the_corpus_pipeline_caches_and_counts_a_dataset(parquet_folder, tiny_model_dir):
    from playground.tokenization import load_tokenizer

    tokenizer = load_tokenizer(tiny_model_dir)
    corpus = load_dataset_corpus(DatasetSource(str(parquet_folder)), progress=False)
    settings = ExampleSettings(block_size=32, seed=0)
    first = prepare(corpus, tokenizer, settings)
    assert first.stats.files == 1 and first.stats.characters == corpus.characters and first.stats.tokens > 0
    again = prepare(load_dataset_corpus(DatasetSource(str(parquet_folder)), progress=False), tokenizer, settings)
    assert (again.stats.tokens, again.stats.train_examples) == (first.stats.tokens, first.stats.train_examples)
    assert again.train.cache_files  # loaded from the cache, found by the content hash


@pytest.mark.parametrize("kw,match", [
    (dict(text_field="nope"), "has no column 'nope'; its columns are: id, speech"),
    (dict(text_field="id"), "The column 'id' of the dataset 'macbeth-speeches' holds no text"),
    (dict(split="validation"), "Could not read the dataset 'macbeth-speeches'"),
    (dict(max_chars=0), "character cap must be a whole number of at least 1"),
])
def test_bad_dataset_requests_are_one_sentence(parquet_folder, kw, match):
    with pytest.raises(PlaygroundError, match=match):
        load_dataset_corpus(DatasetSource(str(parquet_folder), **kw), progress=False)


def test_offline_a_dataset_not_in_the_cache_is_one_sentence(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(PlaygroundError, match="Cannot read the dataset .someone/absent.: HF_HUB_OFFLINE .* is set and it "
                                              "is not in the local cache"):
        load_dataset_corpus(DatasetSource("someone/absent"), progress=False)


def test_an_unreachable_hub_is_one_sentence(monkeypatch):
    # A real connection attempt, to a port nothing listens on: refused at once, never a hang.
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(PlaygroundError, match="the Hugging Face Hub did not answer within 2 s and it is not in the local cache"):
        load_dataset_corpus(DatasetSource("someone/absent"), progress=False)


def test_a_hub_dataset_is_read_once_then_from_the_cache_offline(parquet_folder, monkeypatch):
    """The Hub's rows come from the parquet folder (load_dataset streaming it, for real); the second read, offline,
    finds the same text in the playground's cache."""
    streamed = []
    real_stream = dataset_corpus._stream

    def stream_from_the_folder(source, path, progress, streaming=True):
        streamed.append(path)
        return real_stream(source, str(parquet_folder), progress, streaming)

    monkeypatch.setattr(dataset_corpus, "_stream", stream_from_the_folder)
    monkeypatch.setattr(dataset_corpus, "datasets_offline", lambda: False)
    monkeypatch.setattr(dataset_corpus, "hub_reachable", lambda: True)
    source = DatasetSource("someone/macbeth-speeches", max_chars=8_000)
    online = load_dataset_corpus(source, progress=False)
    assert streamed == ["someone/macbeth-speeches"] and online.files == ["someone/macbeth-speeches"]
    monkeypatch.setattr(dataset_corpus, "datasets_offline", lambda: True)
    offline = load_dataset_corpus(source, progress=False)
    assert streamed == ["someone/macbeth-speeches"]  # not read again
    assert offline.documents["text"] == online.documents["text"] and offline.content_hash == online.content_hash


def test_train_config_takes_files_or_a_dataset(tmp_path):
    with pytest.raises(PlaygroundError, match="No corpus given; pass at least one --corpus FILE or a --dataset"):
        TrainConfig(output=str(tmp_path / "o"), scratch="tiny")
    with pytest.raises(PlaygroundError, match="not both"):
        TrainConfig(corpus=["c.txt"], dataset="someone/x", output=str(tmp_path / "o"), scratch="tiny")
    cfg = TrainConfig(dataset="someone/x", dataset_config="en", text_field="story", output="o", scratch="tiny")
    assert cfg.dataset_source == DatasetSource("someone/x", "en", "train", "story", cfg.dataset_max_chars)


def test_a_shared_host_reads_hub_datasets_only_and_capped(parquet_folder):
    limits = HostedLimits(max_dataset_chars=1_000_000)
    with pytest.raises(PlaygroundError, match="reads datasets from the Hugging Face Hub only"):
        limits.apply(TrainConfig(dataset=str(parquet_folder), output="o", scratch="tiny"))
    capped = limits.apply(TrainConfig(dataset="someone/x", output="o", scratch="tiny"))
    assert capped.dataset_max_chars == 1_000_000


def test_cli_trains_on_a_dataset_folder_and_the_card_names_it(parquet_folder, tmp_path, capsys):
    from playground.cli import main

    out = tmp_path / "on-a-dataset"
    assert main(["train", "--dataset", str(parquet_folder), "--dataset-split", "train", "--dataset-max-chars", "20000",
                 "--scratch", "tiny", "--tokenizer", "bpe:300", "--block-size", "32", "--batch-size", "8",
                 "--max-steps", "2", "--eval-every", "2", "--output", str(out)]) == 0
    final = json.loads(capsys.readouterr().out)
    info = json.loads((out / "playground.json").read_text())
    assert info["corpus_stats"]["characters"] == 20_000 and info["settings"]["dataset"] == str(parquet_folder)
    card = ModelCard.load(out / "README.md")
    assert "datasets" not in card.data.to_dict()  # a local folder is no Hub dataset
    assert "the local dataset 'macbeth-speeches' (split 'train')" in card.text and str(tmp_path) not in card.text
    assert "--dataset macbeth-speeches --dataset-max-chars 20000" in card.text
    assert f"| Final validation loss | {final['val_loss']:.4f} nats/token |" in card.text
