"""The ENAS controller and its REINFORCE step (Pham et al. 2018, sections 2.1-2.4).

The controller is one LSTM layer of 100 hidden units that writes an architecture one decision
at a time; the decision just taken is the next step's input (the embedding of an op, or the
controller's state at the node chosen as input). Decisions, per space:

* ENAS RNN cell (section 2.1), node i = 1..N:  [input j < i]  then activation (4-way softmax)
* ENAS macro (section 2.3), layer i:  op (6-way), then for each earlier layer j a sigmoid
  P(j -> i) = sigmoid(v^T tanh(W_prev h_j + W_curr h_i)); the next input is the mean of the chosen
  anchors' states (melodyguan/enas general_controller.py)
* ENAS micro (section 2.4), normal then reduction cell, node j: input 1, input 2 (attention over
  the two cell inputs and earlier nodes), op 1, op 2 (5-way)

Input choices are pointer attention over the earlier nodes' states: logits_j = v^T tanh(W_prev h_j +
W_curr h), where h_j is the controller's state when node j was decided.  Every logit goes through
the temperature and the tanh constant of the ENAS code, ``logits = C tanh(logits / T)``; the ENAS
scripts use (T, C) = (5.0, 2.5) for PTB and C = 1.5 (macro) / 1.1 (micro) for CIFAR-10, op logits
further divided by ``op_tanh_reduce`` = 2.5 on CIFAR.

REINFORCE (section 2.2): the reward R (c / valid_ppl for PTB, validation accuracy for CIFAR-10)
plus the entropy bonus ``entropy_weight * H``, a moving-average baseline b <- decay b + (1-decay) R,
and the loss  -(R - b) log pi(m)  (+ skip_weight * KL(skip rate || skip_target) for the macro
space, section 2.3 / general_controller.py), minimised with Adam (lr 0.00035, section 3.1).
"""
from __future__ import annotations

import random

import torch
import torch.nn as nn
import torch.nn.functional as F

from nas_kit.spaces import ENASMacroSpace, ENASMicroSpace, ENASRNNSpace
from nas_kit.spaces.base import as_rng


# The architectures the controller writes, by the space's key: ENAS's recurrent cells, macro networks, micro cells.
KINDS = {ENASRNNSpace.key: "rnn", ENASMacroSpace.key: "macro", ENASMicroSpace.key: "micro"}


class ENASController(nn.Module):
    """An LSTM (100 units) that samples ENAS architectures; ``sample(rng, temperature)`` gives one (no gradients)."""

    def __init__(self, space, lstm_size=100, temperature=None, tanh_constant=None, op_tanh_reduce=1.0,
                 skip_target=0.4, init_range=0.1):
        super().__init__()
        if space.key not in KINDS:
            raise ValueError(f"the ENAS controller writes ENAS RNN, macro and micro architectures, not {space.name!r} ones.")
        self.space = space
        self.space_name = space.key                      # its name in the registry (for the explorer)
        self.kind = KINDS[space.key]
        n_ops = len(space.cell_ops if self.kind == "micro" else space.ops)
        self.temperature, self.tanh_constant, self.op_tanh_reduce = temperature, tanh_constant, op_tanh_reduce
        self.skip_target = skip_target
        H = lstm_size
        self.go = nn.Parameter(torch.empty(H))                       # the first input (g_emb in the ENAS code)
        self.lstm = nn.LSTMCell(H, H)
        self.op_embed = nn.Embedding(n_ops, H)                        # w_emb
        self.op_head = nn.Linear(H, n_ops, bias=False)                # w_soft
        self.w_prev = nn.Linear(H, H, bias=False)                     # w_attn_1
        self.w_curr = nn.Linear(H, H, bias=False)                     # w_attn_2
        self.v = nn.Linear(H, 1, bias=False)                          # v_attn
        for p in self.parameters():
            nn.init.uniform_(p, -init_range, init_range)

    # ------------------------------------------------------------ logits
    def _squash(self, logits, is_op):
        """ENAS's ``logits / T`` then ``C tanh(logits)`` (op logits: C / op_tanh_reduce)."""
        if self.temperature is not None:
            logits = logits / self.temperature
        if self.tanh_constant is not None:
            c = self.tanh_constant / (self.op_tanh_reduce if is_op else 1.0)
            logits = c * torch.tanh(logits)
        return logits

    def _attention(self, anchors_w, h):
        return self._squash(self.v(torch.tanh(anchors_w + self.w_curr(h))).view(-1), is_op=False)

    # ------------------------------------------------------------ one pass
    def _run(self, rng, temperature=1.0):
        """Sample one architecture; returns (arch, log pi, entropy, skip KL), all but arch differentiable.

        ``temperature`` divides the final logits (1.0: the policy itself); it is the explorer's slider.
        """
        H = self.go.numel()
        state = (torch.zeros(1, H), torch.zeros(1, H))
        x = self.go.view(1, H)
        anchors, anchors_w = [], []                                  # states h_j and W_prev h_j of decided nodes
        log_probs, entropies, kls = [], [], []

        def step(inp):
            nonlocal state
            state = self.lstm(inp, state)
            return state[0]

        def choose(logits):
            logits = logits / temperature
            logp = F.log_softmax(logits, dim=0)
            p = logp.exp()
            a = rng.choices(range(len(p)), weights=p.tolist())[0]
            log_probs.append(logp[a])
            entropies.append(-(p * logp).sum())
            return a

        def pick_input(h):
            j = choose(self._attention(torch.stack(anchors_w), h))
            return j, anchors[j].view(1, H)

        def pick_op(h):
            a = choose(self._squash(self.op_head(h).view(-1), is_op=True))
            return a, self.op_embed.weight[a].view(1, H)

        def add_anchor(h):
            anchors.append(h.view(H))
            anchors_w.append(self.w_prev(h).view(H))

        if self.kind == "rnn":
            cell = []
            for i in range(1, self.space.nodes + 1):
                j = 0
                if i > 1:
                    j, x = pick_input(step(x))
                    j += 1                                           # anchors[0] is node 1
                h = step(x)
                a, x = pick_op(h)
                add_anchor(h)
                cell.append((self.space.ops[a], j))
            arch = cell
        elif self.kind == "macro":
            arch = []
            for i in range(self.space.layers):
                a, x = pick_op(step(x))
                h = step(x)
                skips = ()
                if i > 0:
                    logits = self._attention(torch.stack(anchors_w), h) / temperature
                    p = torch.sigmoid(logits)
                    bits = torch.tensor([1.0 if rng.random() < pj else 0.0 for pj in p.tolist()])
                    log_probs.append(-F.binary_cross_entropy_with_logits(logits, bits, reduction="sum"))
                    entropies.append(F.binary_cross_entropy_with_logits(logits, p, reduction="sum"))
                    q = torch.tensor(self.skip_target)
                    kls.append((p * torch.log(p / q) + (1 - p) * torch.log((1 - p) / (1 - q))).sum())
                    skips = tuple(j for j in range(i) if bits[j] > 0)
                    x = (bits @ torch.stack(anchors)).view(1, H) / (1.0 + bits.sum())
                else:
                    x = torch.zeros(1, H)
                add_anchor(h)
                arch.append((self.space.ops[a], skips))
        else:
            s, cells = self.space, []
            for _ in range(2):                                       # normal cell, then reduction cell
                anchors.clear()
                anchors_w.clear()
                for _ in range(2):                                   # anchors of the two cell inputs
                    add_anchor(step(x))
                cell = []
                for _ in range(s.nodes):
                    in1, x = pick_input(step(x))
                    in2, x = pick_input(step(x))
                    op1, x = pick_op(step(x))
                    h = step(x)
                    op2, x = pick_op(h)
                    add_anchor(h)
                    cell += [(s.cell_ops[op1], in1), (s.cell_ops[op2], in2)]
                cells.append(cell)
            arch = s._genotype(cells[0], cells[1])
        zero = torch.zeros(())
        return arch, sum(log_probs, zero), sum(entropies, zero), sum(kls, zero)

    # ------------------------------------------------------------ the public interface
    def space_at(self):
        """The space of the architectures it samples (for the explorer)."""
        return self.space

    def sample(self, rng: int | random.Random | None = None, temperature: float = 1.0):
        """An architecture m ~ pi(m) (``temperature`` > 1 flattens, < 1 sharpens the policy); no gradients."""
        with torch.no_grad():
            return self._run(as_rng(rng), temperature)[0]

    def sample_with_log_prob(self, rng: int | random.Random | None = None):
        """(arch, log pi(arch), entropy, skip KL) with gradients, for the REINFORCE step."""
        return self._run(as_rng(rng))


class REINFORCE:
    """Adam on  -(R + entropy_weight H - b) log pi(m) + skip_weight KL,  b a moving average (ENAS section 2.2).

    ``aggregate`` architectures are sampled per step and their losses averaged (the ENAS scripts'
    ``controller_num_aggregate``); ``baseline`` starts at the first reward.
    """

    def __init__(self, controller: ENASController, lr=3.5e-4, baseline_decay=0.999, entropy_weight=1e-4,
                 skip_weight=0.0, aggregate=1):
        self.controller = controller
        self.optimizer = torch.optim.Adam(controller.parameters(), lr=lr)
        self.baseline_decay, self.entropy_weight, self.skip_weight = baseline_decay, entropy_weight, skip_weight
        self.aggregate = aggregate
        self.baseline = None

    def step(self, reward_fn, rng: random.Random) -> dict:
        """Sample ``aggregate`` architectures, reward each with ``reward_fn(arch)``, one Adam step; return stats."""
        self.optimizer.zero_grad()
        rewards, entropies, archs = [], [], []
        for _ in range(self.aggregate):
            arch, log_prob, entropy, kl = self.controller.sample_with_log_prob(rng)
            reward = float(reward_fn(arch)) + self.entropy_weight * float(entropy.detach())
            b = reward if self.baseline is None else self.baseline
            self.baseline = self.baseline_decay * b + (1 - self.baseline_decay) * reward
            loss = -(reward - self.baseline) * log_prob + self.skip_weight * kl
            (loss / self.aggregate).backward()
            rewards.append(reward)
            entropies.append(float(entropy.detach()))
            archs.append(arch)
        self.optimizer.step()
        return {"reward": sum(rewards) / len(rewards), "baseline": self.baseline,
                "entropy": sum(entropies) / len(entropies), "archs": archs}

    def state_dict(self):
        return {"optimizer": self.optimizer.state_dict(), "baseline": self.baseline}

    def load_state_dict(self, state):
        self.optimizer.load_state_dict(state["optimizer"])
        self.baseline = state["baseline"]
