"""Attention, logit lens, surprisal and the beam tree against transformers' own outputs, on tiny GPT-2s."""

from __future__ import annotations

import copy

import pytest
import torch
from transformers import AutoModelForCausalLM

from playground.errors import PlaygroundError
from playground.evaluation import perplexity
from playground.internals import MAX_TOKENS, beam_tree, eager_twin, inspect, node_path
from playground.models import load_model

TEXT = "MACBETH:\nTo-morrow, and to-morrow, and to-morrow,\nCreeps in this petty pace from day to day"


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    return load_model(str(tiny_model_dir))


@pytest.fixture(scope="module")
def eager_reference(tiny_model_dir):
    """The same tiny model loaded independently with eager attention: the reference for every number."""
    return AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), attn_implementation="eager").eval()


def test_attention_equals_output_attentions_of_an_eager_model(tiny, eager_reference):
    model, tok = tiny
    assert model.config._attn_implementation == "sdpa"  # SDPA returns no weights: the twin must be eager
    result = inspect(model, tok, TEXT)
    ids = torch.tensor([result.ids])
    with torch.no_grad():
        ref = eager_reference(ids, output_attentions=True)
    want = torch.stack([a[0] for a in ref.attentions])
    assert result.attentions.shape == want.shape == (2, 2, len(result.ids), len(result.ids))
    torch.testing.assert_close(result.attentions, want, atol=1e-5, rtol=1e-4)
    rows = torch.tensor(result.attention(1, 0))
    torch.testing.assert_close(rows.sum(-1), torch.ones(len(result.ids)))
    assert torch.triu(rows, diagonal=1).abs().max() == 0  # causal: no token looks ahead
    torch.testing.assert_close(torch.tensor(result.attention(0)), want[0].mean(0), atol=1e-5, rtol=1e-4)


def test_the_shared_model_keeps_its_attention_and_shares_its_weights(tiny):
    model, tok = tiny
    inspect(model, tok, "The king")
    twin = eager_twin(model)
    assert model.config._attn_implementation == "sdpa" and twin.config._attn_implementation == "eager"
    assert twin is eager_twin(model)  # built once
    assert twin.transformer.wte.weight.data_ptr() == model.transformer.wte.weight.data_ptr()
    assert twin.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr()  # still tied, no copy


def test_logit_lens_reads_each_blocks_output_through_ln_f_and_the_head(tiny, eager_reference):
    model, tok = tiny
    result = inspect(model, tok, TEXT, lens_top=3)
    ids = torch.tensor([result.ids])
    # Capture every block's output with hooks: independent of output_hidden_states' conventions.
    blocks = []
    hooks = [b.register_forward_hook(lambda _m, _i, out: blocks.append(out[0] if isinstance(out, tuple) else out))
             for b in eager_reference.transformer.h]
    with torch.no_grad():
        ref = eager_reference(ids, output_hidden_states=True)
        embeddings = eager_reference.transformer.wte(ids) + eager_reference.transformer.wpe(torch.arange(ids.shape[1]))
        streams = [embeddings[0]] + [b[0] for b in blocks]
        lens = [torch.softmax(eager_reference.lm_head(eager_reference.transformer.ln_f(h)), -1) for h in streams]
    for h in hooks:
        h.remove()
    assert len(result.lens) == 1 + 2  # the embeddings, then after each of the 2 blocks
    # output_hidden_states: the embeddings and every block's output but the last, which comes after ln_f.
    assert len(ref.hidden_states) == len(streams)
    for mine, theirs in zip(streams[:-1], ref.hidden_states[:-1]):
        torch.testing.assert_close(mine, theirs[0], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(eager_reference.transformer.ln_f(streams[-1]), ref.hidden_states[-1][0], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(lens[-1], torch.softmax(ref.logits[0], -1), atol=1e-5, rtol=1e-4)
    for layer, probs in enumerate(lens):
        values, top = probs.topk(3, dim=-1)
        for pos, cell in enumerate(result.lens[layer]):
            assert [t.id for t in cell.top] == top[pos].tolist()
            assert [t.prob for t in cell.top] == pytest.approx(values[pos].tolist(), abs=1e-5)
            if pos + 1 < len(result.ids):
                assert cell.next_prob == pytest.approx(float(probs[pos, result.ids[pos + 1]]), abs=1e-5)
            else:
                assert cell.next_prob is None


def test_surprisal_is_minus_log_p_of_each_token_given_the_ones_before(tiny, eager_reference):
    model, tok = tiny
    result = inspect(model, tok, TEXT)
    with torch.no_grad():
        logits = eager_reference(torch.tensor([result.ids])).logits[0]
    want = -torch.log_softmax(logits[:-1], -1).gather(1, torch.tensor(result.ids[1:])[:, None])[:, 0]
    assert result.surprisal[0] is None
    assert result.surprisal[1:] == pytest.approx(want.tolist(), abs=1e-4)
    # The Evaluate tab scores the same tokens after an <|endoftext|>; a whole window sees the same history.
    scored = perplexity(model, tok, TEXT).surprisal
    assert [t for t, _ in scored] == result.tokens


def test_long_texts_are_capped_and_say_so(tiny, play_text):
    model, tok = tiny
    result = inspect(model, tok, play_text[:2000])
    assert len(result.ids) == len(result.tokens) == MAX_TOKENS
    assert "only its first 64" in result.notice
    assert inspect(model, tok, "").tokens == ["<|endoftext|>"]
    with pytest.raises(PlaygroundError, match="Layer must be between 1 and 2"):
        result.attention(2, 0)


@pytest.mark.parametrize("beams", [2, 4])
def test_beam_tree_final_beams_are_generates_beams(peaky_model, beams):
    model, tok = peaky_model
    tree = beam_tree(model, tok, "The king", beams, 7)
    ids = torch.tensor([tree.prompt_ids])
    out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, num_beams=beams,
                         num_return_sequences=beams, max_new_tokens=7, pad_token_id=tok.eos_token_id,
                         output_scores=True, return_dict_in_generate=True)
    assert [f.token_ids for f in tree.finals] == [row[ids.shape[1]:].tolist() for row in out.sequences]
    assert [f.score for f in tree.finals] == pytest.approx(out.sequences_scores.tolist(), abs=1e-5)
    # Every final beam is a path from the root; its cumulative log-prob is the sum along the path.
    for f in tree.finals:
        path = [tree.nodes[i] for i in node_path(tree, f.node)]
        assert [n.token_id for n in path[1:]] == f.token_ids
        assert sum(n.logprob for n in path[1:]) == pytest.approx(path[-1].cum_logprob, abs=1e-4)
        assert f.score == pytest.approx(path[-1].cum_logprob / len(f.token_ids), abs=1e-5)
    # Each step weighs 2 × beams candidates; the best `beams` unfinished ones continue, the rest are pruned with a reason.
    for step in range(1, 7):
        at = [n for n in tree.nodes if n.step == step]
        assert len(at) == 2 * beams
        assert sum(n.status == "running" for n in at) == beams
        assert all(n.reason for n in at)
        assert all("only the" in n.reason for n in at if n.status == "pruned")


def test_beam_tree_follows_early_finished_beams(peaky_model):
    # Make a frequent token the end-of-text token: beams then finish at different lengths.
    model, tok = peaky_model
    tok = copy.deepcopy(tok)
    tok.eos_token = "K"
    tree = beam_tree(model, tok, "The king", 3, 8)
    ids = torch.tensor([tree.prompt_ids])
    out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, num_beams=3, num_return_sequences=3,
                         max_new_tokens=8, eos_token_id=tok.eos_token_id, pad_token_id=tok.eos_token_id,
                         output_scores=True, return_dict_in_generate=True)
    lengths = [len(f.token_ids) for f in tree.finals]
    assert min(lengths) < 8  # one beam ended early ...
    for f, row in zip(tree.finals, out.sequences):
        assert f.token_ids == row[ids.shape[1]:][: len(f.token_ids)].tolist()
    assert [f.score for f in tree.finals] == pytest.approx(out.sequences_scores.tolist(), abs=1e-5)
    assert any("end-of-text" in n.reason for n in tree.nodes)


def test_beam_tree_limits(peaky_model):
    model, tok = peaky_model
    with pytest.raises(PlaygroundError, match="2 to 4 beams"):
        beam_tree(model, tok, "The", 5, 3)
    with pytest.raises(PlaygroundError, match="1 to 10 steps"):
        beam_tree(model, tok, "The", 2, 11)
