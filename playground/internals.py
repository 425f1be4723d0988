"""Inside a GPT-2: attention weights, the logit lens, per-token surprisal, and the beam-search tree.

    inspect(model, tokenizer, text)                -> Internals   (one forward pass, ≤ MAX_TOKENS tokens)
    beam_tree(model, tokenizer, prompt, beams, steps) -> BeamTree (generate's own beam search, drawn as a tree)

Attention weights need the "eager" attention code: transformers 5 runs GPT-2 with SDPA by default, which
never materialises the weights (`output_attentions` then returns nothing). The model a tab shares with
the others is left alone; `eager_twin` builds a second module tree on the meta device and points it at
the same parameter tensors, so it costs no memory and no other tab changes speed or numbers.

The logit lens (nostalgebraist, 2020) reads the residual stream after each block as if it were the last:
softmax(lm_head(ln_f(h))). `output_hidden_states` returns the embeddings, then the output of every block
except the last, then the last block's output *after* ln_f (GPT2Model applies it before returning): that
one goes to the head as it is, and its lens row equals the model's own next-token distribution.

The beam tree is not a second beam search. It replays `generate`'s own (transformers 5.23,
`GenerationMixin._beam_search`) on the per-step scores `generate` returns: the same top-2B candidates,
the same choice of the B unfinished ones that continue, the same length-normalised finished list. It
then checks that its final beams are the sequences `generate` returned.
"""

from __future__ import annotations

import copy
import threading
import weakref
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:  # importing PreTrainedModel loads all of modeling_utils (seconds): type hints only
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

from playground.decoding import TokenProb, encode_prompt, generate_setup, generation_config, token_texts
from playground.errors import PlaygroundError
from playground.knobs import MAX_BEAM_STEPS, MAX_BEAMS, MAX_TOKENS, DecodingSettings

_NEG = -1.0e9  # generate's "impossible" score

_TWINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TWINS_LOCK = threading.Lock()


# --------------------------------------------------------------------------- eager attention


def eager_twin(model: PreTrainedModel) -> PreTrainedModel:
    """The same model (same parameter tensors) with eager attention, so it can return attention weights.

    Built once per model on the meta device and filled by reference (`assign=True`): no copy of the
    weights, and the shared model's own attention implementation is untouched.
    """
    if model.config._attn_implementation == "eager":
        return model
    with _TWINS_LOCK:
        twin = _TWINS.get(model)
        if twin is None:
            with torch.device("meta"):
                twin = type(model)(copy.deepcopy(model.config))
            twin.load_state_dict(model.state_dict(), assign=True, strict=True)
            twin.set_attn_implementation("eager")
            twin.eval()
            _TWINS[model] = twin
    return twin


def _final_norm_and_head(model: PreTrainedModel):
    body = getattr(model, "transformer", None)
    if body is None or not hasattr(body, "ln_f") or not hasattr(body, "h"):
        raise PlaygroundError(
            f"The Internals tab reads GPT-2's layout (transformer.h, transformer.ln_f); "
            f"this model is a {type(model).__name__}."
        )
    return body.ln_f, model.get_output_embeddings()


# --------------------------------------------------------------------------- attention, logit lens, surprisal


@dataclass
class LensCell:
    """What the residual stream after one block, at one position, predicts for the next token."""

    top: list[TokenProb]  # the lens distribution's likeliest tokens, highest first
    next_prob: float | None  # probability of the token that really comes next (None at the last position)


@dataclass
class Internals:
    ids: list[int]
    tokens: list[str]
    attentions: torch.Tensor = field(repr=False)  # (layers, heads, T, T) float32 on the CPU; rows are queries
    lens: list[list[LensCell]]  # (layers + 1) rows: the embeddings, then after each block; T cells each
    surprisal: list[float | None]  # nats, −ln p(token | tokens before it); None for the first token
    notice: str | None = None

    @property
    def layers(self) -> int:
        return self.attentions.shape[0]

    @property
    def heads(self) -> int:
        return self.attentions.shape[1]

    def attention(self, layer: int, head: int | None = None) -> list[list[float]]:
        """The (T, T) weights of one head (0-based), or their mean over the heads when `head` is None."""
        if not 0 <= layer < self.layers:
            raise PlaygroundError(f"Layer must be between 1 and {self.layers}, not {layer + 1}.")
        if head is not None and not 0 <= head < self.heads:
            raise PlaygroundError(f"Head must be between 1 and {self.heads}, not {head + 1}.")
        a = self.attentions[layer]
        return (a.mean(0) if head is None else a[head]).tolist()


@torch.inference_mode()
def inspect(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, text: str | list[int], *,
    max_tokens: int = MAX_TOKENS, lens_top: int = 3,
) -> Internals:
    """One forward pass over the first `max_tokens` tokens of `text`: every head's attention weights,
    the logit lens after every block, and each token's surprisal."""
    ln_f, head = _final_norm_and_head(model)
    limit = min(max_tokens, int(getattr(model.config, "n_positions", max_tokens)))
    ids = list(text) if isinstance(text, list) else tokenizer.encode(text, add_special_tokens=False)
    notice = None
    if not ids:
        ids, _ = encode_prompt(tokenizer, "", limit)  # an empty text starts from <|endoftext|>
    if len(ids) > limit:
        notice = f"The text is {len(ids)} tokens long; only its first {limit} are shown."
        ids = ids[:limit]
    x = torch.tensor([ids], device=model.device)
    out = eager_twin(model)(x, output_attentions=True, output_hidden_states=True)
    attentions = torch.stack([a[0] for a in out.attentions]).float().cpu()  # (L, H, T, T)

    nxt = torch.tensor(ids[1:], device=model.device)
    lens = []
    last = len(out.hidden_states) - 1
    for i, h in enumerate(out.hidden_states):
        # The last entry is already ln_f(h): GPT2Model applies it before returning (see the module docstring).
        probs = torch.softmax(head(h[0] if i == last else ln_f(h[0])).float(), -1)  # (T, V)
        values, top_ids = probs.topk(lens_top, dim=-1)
        next_p = probs[:-1].gather(1, nxt[:, None])[:, 0].tolist() + [None]
        flat_ids = top_ids.flatten().tolist()
        texts = token_texts(tokenizer, flat_ids)  # one batch per row: decoding cell by cell is the slow part
        cells = [TokenProb(t, i_, p) for t, i_, p in zip(texts, flat_ids, values.flatten().tolist())]
        lens.append([LensCell(cells[pos * lens_top:(pos + 1) * lens_top], next_p[pos]) for pos in range(len(ids))])
    logp = torch.log_softmax(out.logits[0, :-1].float(), -1)
    surprisal = [None] + (-logp.gather(1, nxt[:, None])[:, 0]).tolist()
    return Internals(ids, token_texts(tokenizer, ids), attentions, lens, surprisal, notice)


# --------------------------------------------------------------------------- beam-search tree


@dataclass
class BeamNode:
    id: int
    parent: int | None  # None for the root (the prompt)
    step: int  # 0 for the root, then 1 … steps
    token: str
    token_id: int | None
    logprob: float  # the token's (processed) log-probability given its beam
    cum_logprob: float  # the running sum, what beam search ranks by
    rank: int  # among the 2 × beams candidates of its step (1 = best); 0 for the root
    status: str = "pruned"  # root | running | finished | final | pruned | stopped
    reason: str = ""
    score: float | None = None  # length-normalised score, for finished hypotheses


@dataclass
class FinalBeam:
    node: int
    token_ids: list[int]
    text: str
    score: float  # cum_logprob / generated_length ** length_penalty, as generate's sequences_scores


@dataclass
class BeamTree:
    prompt_ids: list[int]
    num_beams: int
    steps: int
    length_penalty: float
    nodes: list[BeamNode]
    finals: list[FinalBeam]  # best first: generate's returned sequences, in order
    generated: torch.Tensor = field(repr=False)  # generate's sequences (num_beams, len), for checks
    sequences_scores: torch.Tensor = field(repr=False)
    notice: str | None = None


def _reason_pruned(rank: int, k: int, beams: int) -> str:
    return f"ranked {rank} of the {k} candidates; only the {beams} best unfinished ones continue"


@torch.inference_mode()
def beam_tree(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompt: str | list[int], num_beams: int = 3,
    steps: int = 6, *, repetition_penalty: float = 1.0, no_repeat_ngram_size: int = 0,
) -> BeamTree:
    """Beam search with `num_beams` ≤ 4 beams for ≤ 10 new tokens, with every hypothesis it weighed.

    Runs `generate` once (deterministic beam search, every beam returned with `output_scores`), then
    replays its bookkeeping on the returned scores to name each candidate's fate.
    """
    if not 2 <= int(num_beams) <= MAX_BEAMS:
        raise PlaygroundError(f"The beam tree shows 2 to {MAX_BEAMS} beams, not {num_beams}.")
    if not 1 <= int(steps) <= MAX_BEAM_STEPS:
        raise PlaygroundError(f"The beam tree shows 1 to {MAX_BEAM_STEPS} steps, not {steps}.")
    B, steps = int(num_beams), int(steps)
    settings = DecodingSettings(temperature=0, num_beams=B, num_return_sequences=B, max_new_tokens=steps,
                                repetition_penalty=repetition_penalty, no_repeat_ngram_size=no_repeat_ngram_size)
    limit = int(getattr(model.config, "n_positions", 1024)) - steps
    prompt_ids, notice = encode_prompt(tokenizer, prompt, limit)
    config = generation_config(settings, tokenizer)
    x = torch.tensor([prompt_ids], device=model.device)
    out = model.generate(x, attention_mask=torch.ones_like(x), generation_config=config)
    prepared, _ = generate_setup(model, config, len(prompt_ids))  # generate's own length penalty, early stopping, eos
    length_penalty = float(prepared.length_penalty if prepared.length_penalty is not None else 1.0)
    early_stopping = prepared.early_stopping if prepared.early_stopping is not None else False
    eos = prepared.eos_token_id
    eos_ids = set([eos] if isinstance(eos, int) else list(eos or []))
    tree = _replay(tokenizer, prompt_ids, out.scores, B, steps, length_penalty, early_stopping, eos_ids)
    tree.generated, tree.sequences_scores, tree.notice = out.sequences.cpu(), out.sequences_scores.cpu(), notice
    got = [f.token_ids for f in tree.finals]
    # generate pads a beam that finished early to the longest one's length
    want = [row[len(prompt_ids):][: len(f.token_ids)].tolist() for row, f in zip(tree.generated, tree.finals)]
    if got != want:
        raise RuntimeError("The beam tree disagrees with generate's beams: transformers changed its beam search.")
    return tree


def _replay(tokenizer, prompt_ids: list[int], scores: tuple[torch.Tensor, ...], B: int, steps: int,
            length_penalty: float, early_stopping, eos_ids: set[int]) -> BeamTree:
    """`_beam_search`'s steps c–g for one prompt, on its per-step processed log-probs (B, V)."""
    prompt_len = len(prompt_ids)
    max_length = prompt_len + steps
    K = max(2, 1 + len(eos_ids)) * B  # generate's beams_to_keep
    nodes = [BeamNode(0, None, 0, tokenizer.decode(prompt_ids), None, 0.0, 0.0, 0, "root", "the prompt")]
    running_scores = torch.full((1, B), _NEG)
    running_scores[0, 0] = 0.0  # at first every beam is the prompt: only beam 0 may expand
    running_nodes = [0] * B
    seqs = {0: []}
    finished_scores = torch.full((1, B), _NEG)
    finished_nodes: list[int | None] = [None] * B
    finished_flags = torch.zeros((1, B), dtype=torch.bool)
    unsatisfied = torch.ones((1, 1), dtype=torch.bool)
    top_mask = torch.arange(K) < B
    for t, step_scores in enumerate(scores):
        cur_len = prompt_len + t
        logp = step_scores.float().cpu()  # (B, V)
        V = logp.shape[-1]
        acc = (logp + running_scores[0, :, None]).reshape(1, -1)
        top_vals, top_idx = torch.topk(acc, k=K)
        beam_of, tok_of = (top_idx // V)[0].tolist(), (top_idx % V)[0].tolist()
        hits = torch.tensor([[tok in eos_ids or cur_len + 1 >= max_length for tok in tok_of]])
        cand = []
        for r, (b, tok) in enumerate(zip(beam_of, tok_of)):
            parent = running_nodes[b]
            value = float(top_vals[0, r])
            if value <= _NEG / 2:  # a copy of the prompt that generate never lets expand
                cand.append(None)
                continue
            node = BeamNode(len(nodes), parent, t + 1, token_texts(tokenizer, [tok])[0], tok, float(logp[b, tok]),
                            value, r + 1)
            nodes.append(node)
            seqs[node.id] = seqs[parent] + [tok]
            cand.append(node.id)
        # e. the B best candidates that did not just finish continue
        running_vals = top_vals + hits.float() * _NEG
        nxt = torch.topk(running_vals, k=B)[1][0].tolist()
        running_scores = running_vals[:, nxt]
        running_nodes = [cand[i] for i in nxt]
        for i in nxt:
            if cand[i] is not None and not hits[0, i]:
                nodes[cand[i]].status, nodes[cand[i]].reason = "running", f"ranked {i + 1} of {K}: one of the {B} beams that continue"
        # f. finished candidates among the top B join the finished list if they beat its worst member
        norm = top_vals / ((cur_len + 1 - prompt_len) ** length_penalty)
        norm = norm + (finished_flags.all(-1, keepdim=True) & (early_stopping is True)).float() * _NEG
        norm = norm + (~unsatisfied).float() * _NEG
        did = hits & top_mask[None, :]
        norm = norm + (~did).float() * _NEG
        merged = torch.cat((finished_scores, norm), dim=1)
        keep = torch.topk(merged, k=B)[1][0].tolist()
        merged_nodes = finished_nodes + cand
        merged_flags = torch.cat((finished_flags, did), dim=1)
        for i, (c, h) in enumerate(zip(cand, hits[0].tolist())):
            if c is None or nodes[c].status == "running":
                continue
            node = nodes[c]
            ended = f"ended with the end-of-text token {node.token!r}" if node.token_id in eos_ids else "reached the length limit"
            if did[0, i] and B + i in keep:
                node.status, node.score = "finished", float(norm[0, i])
                node.reason = f"{ended}; joins the finished beams with score {node.score:.3f}"
            elif h and not did[0, i]:
                node.reason = f"{ended}, but ranked {i + 1}, below the top {B}"
            elif h:
                node.reason = f"{ended}, but {B} finished beams already score higher"
            else:
                node.reason = _reason_pruned(i + 1, K, B)
        for i in range(B):  # finished beams pushed out by better ones (unflagged slots hold no beam)
            old = finished_nodes[i]
            if finished_flags[0, i] and i not in keep:
                nodes[old].status, nodes[old].reason = "pruned", "finished, then pushed out by better finished beams"
        finished_scores = merged[:, keep]
        finished_nodes = [merged_nodes[i] for i in keep]
        finished_flags = merged_flags[:, keep]
        # g. can a running beam still beat the worst finished one?
        cur_len += 1
        best_len = (max_length if early_stopping == "never" and length_penalty > 0 else cur_len) - prompt_len
        best_possible = running_scores[:, :1] / (best_len**length_penalty)
        worst = torch.where(finished_flags, finished_scores.min(dim=1, keepdim=True)[0], _NEG)
        unsatisfied = unsatisfied & (best_possible > worst).any(-1, keepdim=True)
    for n in running_nodes:
        if n is not None and nodes[n].status == "running":
            nodes[n].status = "stopped"
            nodes[n].reason = "still running when beam search stopped: it could no longer beat the finished beams"
    finals = []
    for rank, (n, done) in enumerate(zip(finished_nodes, finished_flags[0].tolist()), 1):
        if n is None or not done:
            continue
        nodes[n].status = "final"
        nodes[n].reason = f"final beam {rank}: score {nodes[n].score:.3f} = {nodes[n].cum_logprob:.3f} / {nodes[n].step}" + (
            f"^{length_penalty:g}" if length_penalty != 1 else "")
        ids = seqs[n]
        finals.append(FinalBeam(n, ids, tokenizer.decode(ids), float(nodes[n].score)))
    return BeamTree(prompt_ids, B, steps, length_penalty, nodes, finals, torch.empty(0), torch.empty(0))


def node_path(tree: BeamTree, node_id: int) -> list[int]:
    """Node ids from the root to `node_id`."""
    path = []
    while node_id is not None:
        path.append(node_id)
        node_id = tree.nodes[node_id].parent
    return path[::-1]

