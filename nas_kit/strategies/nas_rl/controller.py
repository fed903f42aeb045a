"""The NAS-RL controller (Zoph & Le 2017, "Neural Architecture Search with Reinforcement Learning",
sections 3.1-3.3); REINFORCE on it is ``nas_kit.strategies.nas_rl.strategy``.

The controller is an autoregressive LSTM (2 layers of 35 hidden units, section 4.1). At every
step it emits one decision with a softmax head for that decision's type; the embedding of the
sampled decision is the next step's input. Sequences:

* NAS-RL CNN space, per layer i (Fig. 2 and 4):
      anchor point  -> for each earlier layer j a sigmoid  P(j -> i) = sigmoid(v^T tanh(W_prev h_j + W_curr h_i))
      filter height, filter width, [stride height, stride width], number of filters
  h_j is the controller's hidden state at layer j's anchor point. After the anchor, the next
  input is the mean of the chosen anchors' states, sum_j a_j h_j / (1 + sum_j a_j), as in the
  ENAS controller code (melodyguan/enas, general_controller.py); the paper leaves it open.
* ENAS macro space, per layer: op, then anchor point (skips), the same attention.
* cell spaces (NASNet, Zoph et al. 2018, section 3), per node: input 1, input 2, op 1, op 2;
  the normal cell then the reduction cell (one cell for a shared space such as PNAS).
* the mini-benchmark space (NAS-Bench-201-style cells): one op per edge, six edges.

The weights are initialised uniformly in [-0.08, 0.08] (section 4.1). Which sequence the controller
writes is looked up by the space's registry key (``DECISIONS``).
"""
from __future__ import annotations

import random

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.spaces import BenchSpace, DARTSSpace, ENASMacroSpace, ENASMicroSpace, NASNetSpace, NASRLSpace, PNASSpace
from nas_kit.spaces.base import as_rng
from nas_kit.spaces.bench import EDGES
from nas_kit.spaces.nas_rl import FILTER_SIZES, NUM_FILTERS, Layer

# The decisions the controller takes for each space it writes, by the space's key: a cell's inputs and ops,
# a NAS-RL layer's filters and anchor point, an ENAS-macro layer's op and skips, a benchmark cell's edge ops.
DECISIONS = {**dict.fromkeys((ENASMicroSpace.key, DARTSSpace.key, PNASSpace.key, NASNetSpace.key), "cell"),
             NASRLSpace.key: "layers", ENASMacroSpace.key: "macro", BenchSpace.key: "edges"}


def _vocabulary(space, kind) -> dict:
    """{decision type: number of choices} of the controller's softmax heads for one kind of space."""
    if kind == "cell":
        return {"input": space.nodes + 1, "op": len(space.cell_ops)}
    if kind == "layers":
        vocab = {"filter_height": len(FILTER_SIZES), "filter_width": len(FILTER_SIZES), "filters": len(NUM_FILTERS)}
        return {**vocab, "stride_height": len(space.strides), "stride_width": len(space.strides)} \
            if space.predict_stride else vocab
    return {"op": len(space.ops)}


class Controller(nn.Module):
    """An LSTM that writes an architecture of ``space`` one decision at a time.

    ``layers`` (NAS-RL and ENAS-macro spaces only) is the depth of the networks it samples now;
    the curriculum raises it up to ``space.layers``.
    """

    def __init__(self, space, hidden_size=35, num_layers=2, init_range=0.08, layers=None):
        super().__init__()
        if space.key not in DECISIONS:
            raise ValueError(f"the NAS-RL controller writes cell, NAS-RL, ENAS-macro and mini-benchmark architectures, "
                             f"not those of the {space.name} space.")
        self.space = space
        self.space_name = space.key               # its name in the registry (for the explorer)
        self.kind = DECISIONS[space.key]
        vocab = _vocabulary(space, self.kind)
        self.layers = getattr(space, "layers", None) if layers is None else layers
        H = hidden_size
        self.go = nn.Parameter(torch.empty(H))                       # the first input
        self.lstm = nn.LSTM(H, H, num_layers)
        self.embed = nn.ModuleDict({t: nn.Embedding(n, H) for t, n in vocab.items()})
        self.heads = nn.ModuleDict({t: nn.Linear(H, n) for t, n in vocab.items()})
        if self.kind in ("layers", "macro"):                        # anchor-point attention
            self.w_prev = nn.Linear(H, H, bias=False)
            self.w_curr = nn.Linear(H, H, bias=False)
            self.v = nn.Linear(H, 1, bias=False)
        for p in self.parameters():
            nn.init.uniform_(p, -init_range, init_range)

    def __setstate__(self, state):
        """A controller pickled before issue 13 (a search checkpoint) named its NAS-RL layer decisions after
        the space; they are the 'layers' decisions now."""
        super().__setstate__(state)
        if self.kind == NASRLSpace.key:
            self.kind = "layers"

    # ------------------------------------------------------------ the sequence of decisions
    def _plan(self, layers):
        """Steps: ('anchor', i) or (decision type, number of valid choices, differs from previous)."""
        if self.kind == "cell":
            s = self.space
            for _ in range(1 if s.shared else 2):
                for j in range(s.nodes):
                    yield from (("input", j + 2, False), ("input", j + 2, s.distinct_inputs),
                                ("op", len(s.cell_ops), False), ("op", len(s.cell_ops), False))
        elif self.kind == "edges":
            yield from (("op", len(self.space.ops), False) for _ in EDGES)
        elif self.kind == "layers":
            for i in range(layers):
                yield ("anchor", i)
                yield from ((t, self.heads[t].out_features, False)
                            for t in ("filter_height", "filter_width", "stride_height", "stride_width", "filters")
                            if t in self.heads)
        else:
            for i in range(layers):
                yield ("op", len(self.space.ops), False)
                yield ("anchor", i)

    def _to_arch(self, actions):
        it = iter(actions)
        if self.kind == "cell":
            s = self.space
            cells = []
            for _ in range(1 if s.shared else 2):
                cell = []
                for _ in range(s.nodes):
                    in1, in2, op1, op2 = (next(it) for _ in range(4))
                    cell += [(s.cell_ops[op1], in1), (s.cell_ops[op2], in2)]
                cells.append(cell)
            return s._genotype(cells[0], list(cells[-1]))
        if self.kind == "edges":
            return tuple(self.space.ops[a] for a in it)
        if self.kind == "layers":
            arch = []
            while True:
                inputs = next(it, None)
                if inputs is None:
                    return arch
                fh, fw = FILTER_SIZES[next(it)], FILTER_SIZES[next(it)]
                sh, sw = (self.space.strides[next(it)], self.space.strides[next(it)]) if "stride_height" in self.heads \
                    else (1, 1)
                arch.append(Layer(fh, fw, NUM_FILTERS[next(it)], sh, sw, inputs))
        return [(self.space.ops[op], skips) for op, skips in zip(it, it)]

    def _to_actions(self, arch):
        if self.kind == "cell":
            s = self.space
            actions = []
            for cell in ([arch.normal] if s.shared else [arch.normal, arch.reduce]):
                for (op1, in1), (op2, in2) in zip(cell[0::2], cell[1::2]):
                    actions += [in1, in2, s.cell_ops.index(op1), s.cell_ops.index(op2)]
            return actions
        if self.kind == "edges":
            return [self.space.ops.index(op) for op in arch]
        if self.kind == "layers":
            actions = []
            for l in arch:
                actions += [tuple(l.inputs), FILTER_SIZES.index(l.filter_height), FILTER_SIZES.index(l.filter_width)]
                if "stride_height" in self.heads:
                    actions += [self.space.strides.index(l.stride_height), self.space.strides.index(l.stride_width)]
                actions.append(NUM_FILTERS.index(l.filters))
            return actions
        return [a for op, skips in arch for a in (self.space.ops.index(op), tuple(skips))]

    @property
    def has_depth(self) -> bool:
        """Whether the sampled networks have a depth the curriculum can change (NAS-RL and ENAS-macro spaces)."""
        return self.kind in ("layers", "macro")

    def _check(self, arch):
        if not self.has_depth:
            self.space.validate(arch)
        else:
            depth_space = type(self.space)(**self._space_kwargs(len(arch)))
            depth_space.validate(arch)

    def _space_kwargs(self, layers):
        kw = {"layers": layers}
        if self.kind == "layers":
            kw["predict_stride"] = self.space.predict_stride
        return kw

    def space_at(self, layers=None):
        """The space of the architectures sampled now (NAS-RL/macro: of depth ``layers``)."""
        if not self.has_depth:
            return self.space
        return type(self.space)(**self._space_kwargs(self.layers if layers is None else layers))

    # ------------------------------------------------------------ one pass
    def _run(self, forced=None, rng=None, temperature=1.0, layers=None):
        """Sample (forced=None) or score a fixed list of actions; returns (actions, log P, entropy)."""
        H = self.go.numel()
        x, state = self.go.view(1, 1, H), None
        anchors, actions, log_probs, entropies = [], [], [], []
        forced_it = iter(forced) if forced is not None else None
        for step in self._plan(self.layers if layers is None else layers):
            out, state = self.lstm(x, state)
            h = out.view(H)
            if step[0] == "anchor":
                i = step[1]
                if i == 0:
                    chosen, x = (), torch.zeros(H)
                    if forced_it is not None:
                        next(forced_it)
                else:
                    prev = torch.stack(anchors)                                       # (i, H)
                    logits = self.v(torch.tanh(self.w_prev(prev) + self.w_curr(h))).view(i) / temperature
                    if forced_it is not None:
                        chosen = tuple(next(forced_it))
                    else:
                        p = torch.sigmoid(logits).tolist()
                        chosen = tuple(j for j in range(i) if rng.random() < p[j])
                    bits = torch.zeros(i)
                    bits[list(chosen)] = 1.0
                    log_probs.append(-F.binary_cross_entropy_with_logits(logits, bits, reduction="sum"))
                    entropies.append(F.binary_cross_entropy_with_logits(logits, torch.sigmoid(logits), reduction="sum"))
                    x = (bits @ prev) / (1.0 + bits.sum())
                anchors.append(h)
                actions.append(chosen)
            else:
                kind, n, differs = step
                logits = self.heads[kind](h)[:n] / temperature
                if differs:                       # DARTS: the two inputs of a node are distinct
                    logits = logits.masked_fill(torch.arange(n) == actions[-1], float("-inf"))
                logp = F.log_softmax(logits, dim=0)
                p = logp.exp()
                if forced_it is not None:
                    a = int(next(forced_it))
                else:
                    u, cum, a = rng.random(), 0.0, None
                    for k, pk in enumerate(p.tolist()):
                        cum += pk
                        if pk > 0:
                            a = k
                            if u < cum:
                                break
                log_probs.append(logp[a])
                entropies.append(-(p * logp.masked_fill(p == 0, 0.0)).sum())
                actions.append(a)
                x = self.embed[kind](torch.tensor(a))
            x = x.view(1, 1, H)
        zero = torch.zeros(())
        return actions, sum(log_probs, zero), sum(entropies, zero)

    # ------------------------------------------------------------ the public interface
    def sample(self, rng: int | random.Random | None = None, temperature: float = 1.0):
        """An architecture drawn from the controller's distribution (no gradients)."""
        with torch.no_grad():
            actions, _, _ = self._run(rng=as_rng(rng), temperature=temperature)
        return self._to_arch(actions)

    def log_prob(self, arch, temperature: float = 1.0) -> torch.Tensor:
        """log P(arch) = sum_t log P(a_t | a_<t), differentiable in the controller's parameters."""
        self._check(arch)
        layers = len(arch) if self.has_depth else None
        return self._run(forced=self._to_actions(arch), temperature=temperature, layers=layers)[1]

    def entropy(self, arch, temperature: float = 1.0) -> torch.Tensor:
        """Sum over the steps of arch's sequence of the entropy of that step's distribution."""
        self._check(arch)
        layers = len(arch) if self.has_depth else None
        return self._run(forced=self._to_actions(arch), temperature=temperature, layers=layers)[2]
