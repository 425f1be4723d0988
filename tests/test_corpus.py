import json

import numpy as np
import pytest

from playground.corpus import ExampleSettings, collator, prepare
from playground.corpus_files import Cleaning, clean_text, load_corpus, read_text_file
from playground.errors import PlaygroundError
from playground.tokenization import gpt2_tokenizer


@pytest.fixture(scope="module")
def tok():
    return gpt2_tokenizer()


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE", str(tmp_path / "cache"))


def test_cleaning_options():
    text = "Page 12\n\nHello   world\n\n  - 7 -\nHello   world\nBye"
    assert clean_text(text, Cleaning()) == text
    assert clean_text(text, Cleaning(drop_blank_lines=True)).split("\n") == ["Page 12", "Hello   world", "  - 7 -", "Hello   world", "Bye"]
    assert clean_text(text, Cleaning(strip_page_numbers=True, drop_blank_lines=True)).split("\n") == ["Hello   world", "Hello   world", "Bye"]
    out = clean_text(text, Cleaning(True, True, True, True), seen=set())
    assert out.split("\n") == ["Hello world", "Bye"]


def test_blocks_with_stride_and_leak_free_split(play_file, tok):
    corpus = load_corpus([play_file])
    stream_len = len(tok(corpus.text(), verbose=False).input_ids) + 1
    p = prepare(corpus, tok, ExampleSettings(block_size=64, stride=32, val_fraction=0.1, seed=3))
    train = np.array(p.train["input_ids"])
    val = np.array(p.val["input_ids"])
    assert train.shape[1] == val.shape[1] == 64
    # Overlapping windows: about twice the blocks of a no-overlap cut in the train part.
    assert len(train) > 1.6 * (stream_len * 0.9 // 64)
    assert 0.05 < len(val) / (len(val) + stream_len * 0.9 / 64) < 0.2
    # No train window shares a 64-token position with a validation window: rebuild positions.
    stream = np.concatenate([np.array(tok(corpus.text(), verbose=False).input_ids), [tok.eos_token_id]])
    def starts(blocks):
        found = set()
        for b in blocks:
            hits = np.where((np.lib.stride_tricks.sliding_window_view(stream, 64) == b).all(1))[0]
            found.update(hits.tolist())
        return found
    tr, va = starts(train[::7]), starts(val)
    for s in tr:
        assert all(not (s < v + 64 and v < s + 64) for v in va)
    assert p.stats.tokens == stream_len - 1
    assert p.stats.top_tokens[0][0] == "\n"


def test_split_is_deterministic_with_seed(play_file, tok):
    c = load_corpus([play_file])
    a = prepare(c, tok, ExampleSettings(block_size=64, seed=1), use_cache=False)
    b = prepare(c, tok, ExampleSettings(block_size=64, seed=1), use_cache=False)
    d = prepare(c, tok, ExampleSettings(block_size=64, seed=2), use_cache=False)
    assert a.val["input_ids"] == b.val["input_ids"]
    assert a.val["input_ids"] != d.val["input_ids"]


def test_cache_is_keyed_by_content_and_settings(play_file, tok, tmp_path, monkeypatch):
    import playground.corpus as corpus_mod

    calls = []
    real = corpus_mod._prepare
    monkeypatch.setattr(corpus_mod, "_prepare", lambda *a: calls.append(1) or real(*a))
    c = load_corpus([play_file])
    first = prepare(c, tok, ExampleSettings(block_size=64))
    again = prepare(load_corpus([play_file]), tok, ExampleSettings(block_size=64))
    assert len(calls) == 1 and again.train["input_ids"] == first.train["input_ids"]
    prepare(c, tok, ExampleSettings(block_size=32))
    assert len(calls) == 2


def test_line_by_line_pads_and_masks(play_file, tok):
    p = prepare(load_corpus([play_file]), tok, ExampleSettings(mode="lines", block_size=32))
    row = p.train[0]["input_ids"]
    assert row[0] == tok.bos_token_id and row[-1] == tok.eos_token_id
    batch = collator(tok, "lines")([p.train[i] for i in range(8)])
    mask = batch["attention_mask"].bool()
    assert (batch["labels"][~mask] == -100).all()
    assert (batch["labels"][mask] == batch["input_ids"][mask]).all()
    assert batch["input_ids"].shape[1] <= 32


def test_csv_jsonl_and_bom(tmp_path, tok):
    csv = tmp_path / "q.csv"
    csv.write_text("id,quote\n1,To be or not to be\n2,All the world's a stage\n3,The rest is silence\n", encoding="utf-8")
    jl = tmp_path / "q.jsonl"
    jl.write_text("\n".join(json.dumps({"text": t, "n": i}) for i, t in enumerate(["Once more unto the breach", "Brevity is the soul of wit"])), encoding="utf-8")
    bom = tmp_path / "b.txt"
    bom.write_bytes("\ufeffFair is foul".encode("utf-8"))
    with pytest.raises(PlaygroundError, match="'q.csv' has no text column; name one of id, quote as the text field"):
        load_corpus([csv])  # several columns and none called "text": never a guess (issue 19: it trained on labels)
    csv.write_text("quote\nTo be or not to be\nAll the world's a stage\nThe rest is silence\n", encoding="utf-8")
    c = load_corpus([csv, jl])  # a table of one column: that column
    assert c.documents["text"] == ["To be or not to be", "All the world's a stage", "The rest is silence",
                                   "Once more unto the breach", "Brevity is the soul of wit"]
    assert c.line_based
    assert load_corpus([bom]).documents["text"] == ["Fair is foul"]
    with pytest.raises(PlaygroundError, match="no column 'body'"):
        load_corpus([csv], text_field="body")


@pytest.mark.parametrize("content,match", [
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
    (b"caf\xe9 au lait", "not valid UTF-8"),
])
def test_bad_files(tmp_path, content, match):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(PlaygroundError, match=match):
        load_corpus([f])
    with pytest.raises(PlaygroundError, match=match):
        read_text_file(f)


def test_corpus_shorter_than_a_block(tmp_path, tok):
    """The advice names a block size the Data tab's slider takes (a multiple of 16) that gives two blocks, or,
    when even the smallest would not, says to add text."""
    f = tmp_path / "short.txt"
    f.write_text("Fair is foul, and foul is fair. " * 4, encoding="utf-8")  # 37 tokens: two blocks of 16
    with pytest.raises(PlaygroundError, match="choose a block size of at most 16, or add text"):
        prepare(load_corpus([f]), tok, ExampleSettings(block_size=128))
    prepare(load_corpus([f]), tok, ExampleSettings(block_size=16))  # the advice works
    f.write_text("Fair is foul, and foul is fair.", encoding="utf-8")  # 10 tokens
    with pytest.raises(PlaygroundError, match="only 10 tokens, too few for a train and a validation block of 16 tokens"):
        prepare(load_corpus([f]), tok, ExampleSettings(block_size=128))


def test_settings_validate():
    with pytest.raises(PlaygroundError, match="Validation fraction"):
        ExampleSettings(val_fraction=0.7)
    with pytest.raises(PlaygroundError, match="Stride"):
        ExampleSettings(block_size=64, stride=65)
    with pytest.raises(PlaygroundError, match="does not exist"):
        load_corpus(["/nonexistent/file.txt"])


def test_line_token_lengths(play_file, tok):
    from playground.corpus import line_token_lengths

    corpus = load_corpus([play_file])
    lengths = line_token_lengths(corpus, tok)
    lines = [ln for ln in corpus.text().split("\n") if ln.strip()]
    assert len(lengths) == len(lines) and lengths[0] == len(tok(lines[0]).input_ids)
    assert len(line_token_lengths(corpus, tok, limit=5)) == 5


def test_scored_text_counts_the_tokens_the_loss_scores_and_the_characters_they_spell(tmp_path, tok):
    from playground.corpus import scored_text

    lines = ["First Witch:", "When shall we three meet again", "In thunder, lightning, or in rain?", "Second Witch:"]
    val = tmp_path / "val.txt"
    val.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = load_corpus([val])
    # Line by line: each line's tokens and its closing <|endoftext|> are scored (not the opening one, nor the
    # padding the collator adds); the characters are the line's and the line break its <|endoftext|> stands for.
    lines_mode = prepare(corpus, tok, ExampleSettings(mode="lines", block_size=64), val_corpus=corpus)
    tokens, chars = scored_text(lines_mode.val, tok, "lines")
    assert tokens == sum(len(tok(ln).input_ids) + 1 for ln in lines)
    assert chars == sum(len(ln) + 1 for ln in lines) == len(val.read_text(encoding="utf-8"))
    # Blocks: every token but each block's first, and exactly the text those tokens decode to.
    blocks = prepare(corpus, tok, ExampleSettings(block_size=8), val_corpus=corpus)
    tokens, chars = scored_text(blocks.val, tok, "blocks")
    assert tokens == 7 * len(blocks.val)
    assert chars == sum(len(tok.decode(row[1:], skip_special_tokens=True)) for row in blocks.val["input_ids"])
    assert 0 < chars < len(val.read_text(encoding="utf-8"))
