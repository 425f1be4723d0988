import math

import pytest
import torch

from playground.errors import PlaygroundError
from playground.evaluation import perplexity
from playground.models import load_model


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    return load_model(str(tiny_model_dir), device="cpu")


def test_short_text_equals_one_forward_pass(tiny):
    model, tok = tiny
    text = "When shall we three meet again\nIn thunder, lightning, or in rain?"
    res = perplexity(model, tok, text)
    ids = torch.tensor([[tok.eos_token_id, *tok(text).input_ids]])
    with torch.no_grad():
        ref = model(ids, labels=ids).loss.item()  # transformers shifts labels: scores tokens 1..n
    assert res.loss == pytest.approx(ref, rel=1e-5)
    assert res.tokens == ids.shape[1] - 1
    assert res.perplexity == pytest.approx(math.exp(ref), rel=1e-5)
    assert res.nats_per_char == pytest.approx(ref * res.tokens / len(text), rel=1e-5)
    assert "".join(t for t, _ in res.surprisal) == text


def _reference_sliding_window(model, ids, context, stride):
    """The loop of the Hugging Face guide "Perplexity of fixed-length models", summing per-token NLL."""
    total, count, prev_end = 0.0, 0, 0
    n = ids.size(1)
    for begin in range(0, n, stride):
        end = min(begin + context, n)
        trg_len = end - max(prev_end, begin + 1) if begin == 0 else end - prev_end
        window = ids[:, begin:end]
        labels = window.clone()
        labels[:, :-trg_len] = -100
        with torch.no_grad():
            loss = model(window, labels=labels).loss.item()
        scored = int((labels[:, 1:] != -100).sum())
        total += loss * scored
        count += scored
        prev_end = end
        if end == n:
            break
    return total / count, count


def test_long_text_equals_the_reference_loop(tiny, play_text):
    model, tok = tiny
    text = play_text[:3000]
    res = perplexity(model, tok, text, stride=64)
    ids = torch.tensor([[tok.eos_token_id, *tok(text).input_ids]])
    assert ids.shape[1] > 3 * model.config.n_positions  # really several windows
    ref, count = _reference_sliding_window(model, ids, model.config.n_positions, 64)
    assert res.tokens == count
    assert res.loss == pytest.approx(ref, rel=1e-4)


def test_bad_inputs(tiny):
    model, tok = tiny
    with pytest.raises(PlaygroundError, match="empty"):
        perplexity(model, tok, "  \n")
    with pytest.raises(PlaygroundError, match="Stride"):
        perplexity(model, tok, "Some words to score here.", stride=10_000)
