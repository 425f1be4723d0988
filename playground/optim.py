"""Muon for from-scratch runs: orthogonalised updates for the blocks' matrices, AdamW for everything else.

Muon (torch.optim.Muon, Keller Jordan 2024) replaces each 2-D weight's momentum by its nearest
orthogonal matrix (a few Newton-Schulz iterations), so every direction of the matrix moves by the same
amount. It suits the hidden matrices of the transformer blocks (attention and MLP weights) only: the
embeddings (wte — which GPT-2 also uses as its output head — and wpe), the layer norms and the biases
stay with AdamW, as in the Muon write-up and modded-nanogpt.

`group_parameters` is the pure split; `MuonWithAdamW` steps both optimizers as one `torch.optim.Optimizer`,
which is what Trainer, its checkpoints and the learning-rate scheduler expect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

MUON_MOMENTUM = 0.95


@dataclass(frozen=True)
class ParamGroups:
    """Parameter names by optimizer: every trainable parameter is in exactly one list."""

    muon: list[str]  # 2-D weights inside the transformer blocks
    adamw_decay: list[str]  # embeddings (and any other matrix outside the blocks): AdamW with weight decay
    adamw_no_decay: list[str]  # layer norms and biases: AdamW without weight decay


def group_parameters(model: nn.Module) -> ParamGroups:
    """Split `model`'s trainable parameters between Muon and AdamW (by name; tied weights counted once).

    Muon takes 2-D weights of non-embedding modules; embeddings (and a tied output head, which
    `named_parameters` lists once, as the embedding) go to AdamW with decay; 1-D parameters (layer
    norms, biases) to AdamW without decay.
    """
    embeddings = {id(m.weight) for m in model.modules() if isinstance(m, nn.Embedding)}
    out = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if out is not None:
        embeddings.add(id(out.weight))  # an untied head is a classifier over the vocabulary: AdamW too
    muon, decay, no_decay = [], [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim < 2:
            no_decay.append(name)
        elif p.ndim == 2 and id(p) not in embeddings:
            muon.append(name)
        else:
            decay.append(name)
    return ParamGroups(muon, decay, no_decay)


def muon_lr_scale(shape: torch.Size, transposed: bool) -> float:
    """Factor that gives a (in, out)-stored weight (GPT-2's Conv1D) the rate a (out, in) Linear would get.

    torch's Muon scales a matrix's rate by sqrt(max(1, rows / cols)) assuming rows are outputs (Keller's
    rule: wide outputs move more); GPT-2's Conv1D stores the transpose, so the factor is swapped back here.
    """
    if not transposed:
        return 1.0
    n_in, n_out = shape[0], shape[1]
    return math.sqrt(max(1.0, n_out / n_in)) / math.sqrt(max(1.0, n_in / n_out))


class MuonWithAdamW(torch.optim.Optimizer):
    """One optimizer over two: AdamW's groups first (so the logged learning rate is --lr's), then Muon's.

    Both inner optimizers share this optimizer's param_groups dicts and its state, so an LR scheduler,
    gradient clipping, `state_dict()` and `load_state_dict()` (checkpoints, --resume) see one optimizer.
    """

    def __init__(self, adamw_groups: list[dict], muon_groups: list[dict], *, lr: float, muon_lr: float,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, fused: bool = False):
        adamw = torch.optim.AdamW(adamw_groups, lr=lr, betas=betas, eps=eps, fused=fused or None)
        muon = torch.optim.Muon(muon_groups, lr=muon_lr, momentum=MUON_MOMENTUM, nesterov=True)
        super().__init__(adamw.param_groups + muon.param_groups, {"lr": lr})
        self._parts = (adamw, muon)
        self._n_adamw = len(adamw.param_groups)
        self._link()

    def _link(self) -> None:
        adamw, muon = self._parts
        adamw.param_groups, muon.param_groups = self.param_groups[:self._n_adamw], self.param_groups[self._n_adamw:]
        adamw.state = muon.state = self.state  # keyed by parameter: the two sets are disjoint

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for part in self._parts:
            part.step()
        return loss

    def load_state_dict(self, state_dict) -> None:
        super().load_state_dict(state_dict)  # makes new group dicts and a new state: share them again
        self._link()


def build_muon_optimizer(model: nn.Module, *, lr: float, muon_lr: float, weight_decay: float,
                         betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> MuonWithAdamW:
    """Muon (rate `muon_lr`) on the blocks' matrices, AdamW (rate `lr`) on embeddings, norms and biases.

    Both decay weights by the same fraction per step: Muon's decoupled decay is lr x weight_decay like
    AdamW's, so its coefficient is `weight_decay` x lr / muon_lr.
    """
    from transformers.pytorch_utils import Conv1D

    groups = group_parameters(model)
    params = dict(model.named_parameters())
    conv1d = {id(m.weight) for m in model.modules() if isinstance(m, Conv1D)}
    # One Muon group per distinct rate factor (GPT-2: c_attn/c_fc and the two c_proj shapes).
    by_scale: dict[float, list] = {}
    for name in groups.muon:
        p = params[name]
        by_scale.setdefault(muon_lr_scale(p.shape, id(p) in conv1d), []).append(p)
    muon_groups = [{"params": ps, "lr": muon_lr * s, "weight_decay": weight_decay * lr / muon_lr}
                   for s, ps in sorted(by_scale.items())]
    adamw_groups = [g for g in (
        {"params": [params[n] for n in groups.adamw_decay], "weight_decay": weight_decay},
        {"params": [params[n] for n in groups.adamw_no_decay], "weight_decay": 0.0},
    ) if g["params"]]
    fused = any(p.is_cuda for g in adamw_groups for p in g["params"])
    return MuonWithAdamW(adamw_groups, muon_groups, lr=lr, muon_lr=muon_lr, betas=betas, eps=eps, fused=fused)
