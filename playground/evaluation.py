"""Perplexity of a model on a text by the strided sliding window.

Following the Hugging Face guide "Perplexity of fixed-length models": windows of the model's context
length start every `stride` tokens, and each window scores only the tokens the previous window did not,
so every token is scored exactly once, with up to `context - stride` tokens of history. The text is
preceded by `<|endoftext|>` so its first token is scored too.

Loss is in nats per token; nats per character (total NLL / characters) compares models whose
tokenizers differ.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch

from playground.errors import PlaygroundError
from playground.models import NON_FINITE_OUTPUT
from playground.values import number

MIN_TOKENS = 2  # one token's "perplexity" is the chance of one guess: no measure of a model


@dataclass
class EvalResult:
    loss: float  # mean NLL, nats/token
    perplexity: float
    tokens: int
    characters: int
    nats_per_char: float
    surprisal: list[tuple[str, float]] = field(default_factory=list)  # (token text, nats), in text order

    def to_dict(self, with_surprisal: bool = False) -> dict:
        d = asdict(self)
        if not with_surprisal:
            d.pop("surprisal")
        return d


@torch.no_grad()
def token_nlls(model, input_ids: torch.Tensor, stride: int | None = None) -> torch.Tensor:
    """NLL (nats) of input_ids[1:] given what precedes them, by strided windows of the model's context. Shape (len-1,)."""
    ids = input_ids.view(-1)
    context = model.config.n_positions
    stride = max(1, context // 2) if stride is None else number("Stride", stride, integer=True)
    if not 1 <= stride <= context:  # 0 is refused too, never taken for "the default"
        raise PlaygroundError(f"Stride must be between 1 and the model's context ({context}), not {stride}.")
    device = next(model.parameters()).device
    n = ids.numel()
    nll = torch.empty(n - 1, dtype=torch.float32)
    scored = 1  # position of the next token to score (token 0 is the <|endoftext|> context)
    begin = 0
    while scored < n:
        end = min(begin + context, n)
        window = ids[begin:end].to(device).unsqueeze(0)
        logits = model(window, attention_mask=torch.ones_like(window)).logits[0].float()  # (T, V)
        logp = torch.log_softmax(logits[:-1], dim=-1)  # predicts window[1:]
        targets = window[0, 1:]
        per_tok = -logp.gather(1, targets.unsqueeze(1)).squeeze(1).cpu()  # NLL of ids[begin+1 : end]
        new_from = scored - (begin + 1)  # skip tokens an earlier window already scored
        nll[scored - 1 : end - 1] = per_tok[new_from:]
        scored = end
        if end == n:
            break
        begin += stride
        # the next window must reach past what is scored; with stride <= context it always does
    return nll


def perplexity(model, tokenizer, text: str, stride: int | None = None) -> EvalResult:
    """Loss, perplexity, nats/char and per-token surprisal of `text` under `model`."""
    if not text.strip():
        raise PlaygroundError("The text to evaluate is empty; paste or upload some text.")
    ids = tokenizer(text, add_special_tokens=False, verbose=False).input_ids
    if len(ids) < MIN_TOKENS:
        raise PlaygroundError(f"The text to evaluate is only {len(ids)} token long; a perplexity needs at least "
                              f"{MIN_TOKENS} tokens, so paste or upload a longer text.")
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    ids = torch.tensor([bos, *ids])
    was_training = model.training
    model.eval()
    try:
        nll = token_nlls(model, ids, stride)
    finally:
        model.train(was_training)
    if not torch.isfinite(nll).all():  # never report "loss nan": the model, not the text, is broken
        raise PlaygroundError(NON_FINITE_OUTPUT)
    total = float(nll.sum())
    loss = total / nll.numel()
    tokens = tokenizer.convert_ids_to_tokens(ids[1:].tolist())
    pieces = [tokenizer.convert_tokens_to_string([t]) for t in tokens]
    return EvalResult(
        loss=loss,
        perplexity=math.exp(min(loss, 700.0)),
        tokens=int(nll.numel()),
        characters=len(text),
        nats_per_char=total / len(text),
        surprisal=list(zip(pieces, nll.tolist())),
    )
