from playground.tokenization import gpt2_tokenizer, parse_tokenizer_spec, train_bpe_tokenizer, load_tokenizer
from playground.errors import PlaygroundError
import pytest


def test_gpt2_tokenizer_gives_the_real_ids():
    tok = gpt2_tokenizer()
    assert len(tok) == 50257
    assert tok("Hello, I'm a language model,").input_ids == [15496, 11, 314, 1101, 257, 3303, 2746, 11]
    assert tok.eos_token_id == 50256


def test_bpe_trained_on_corpus_roundtrips(play_text, tmp_path):
    tok = train_bpe_tokenizer([play_text], vocab_size=600)
    assert 300 < len(tok) <= 600
    assert tok.convert_tokens_to_ids("<|endoftext|>") == 0
    ids = tok("Fair is foul, and foul is fair:").input_ids
    assert tok.decode(ids) == "Fair is foul, and foul is fair:"
    # Trained on the corpus, it needs fewer tokens for the corpus than raw bytes would.
    assert len(tok(play_text[:2000]).input_ids) < 2000 / 2
    tok.save_pretrained(tmp_path)
    again = load_tokenizer(tmp_path)
    assert again(play_text[:500]).input_ids == tok(play_text[:500]).input_ids


def test_tokenizer_spec():
    assert parse_tokenizer_spec("gpt2") is None
    assert parse_tokenizer_spec("bpe:4000") == 4000
    with pytest.raises(PlaygroundError, match="Unknown tokenizer"):
        parse_tokenizer_spec("sentencepiece")


def test_corpus_bpe_is_what_tokenizers_byte_level_bpe_trains(play_text):
    """train_new_from_iterator on an empty byte-level pipeline gives exactly `tokenizers`' ByteLevelBPETokenizer."""
    from tokenizers import ByteLevelBPETokenizer

    reference = ByteLevelBPETokenizer()
    reference.train_from_iterator([play_text], vocab_size=600, min_frequency=2, special_tokens=["<|endoftext|>"],
                                  show_progress=False)
    tok = train_bpe_tokenizer([play_text], vocab_size=600)
    assert tok.get_vocab() == reference.get_vocab()
    assert tok(play_text[:3000]).input_ids == reference.encode(play_text[:3000]).ids
    assert (tok.bos_token, tok.eos_token, tok.pad_token, tok.model_max_length) == ("<|endoftext|>",) * 3 + (1024,)
