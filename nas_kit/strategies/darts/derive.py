"""Deriving the discrete architecture from alpha (Liu et al. 2019, section 2.4).

CNN cell: for each intermediate node keep the two strongest incoming edges, an edge's
strength being its strongest non-zero op (softmax over the edge's ops); on each kept edge
take that op.  Recurrent cell: the same with one edge per node.  The zero op 'none' can
never be chosen (section 2.4: "zero operations are excluded").  ``cnn_genotype`` and
``rnn_genotype`` derive the genotype of a supernet (``nas_kit.models.darts_search``,
``nas_kit.models.darts_rnn_search``) from its alphas.
"""
import torch
import torch.nn.functional as F

from nas_kit.genotypes import DARTS_PRIMITIVES, RNN_PRIMITIVES, Genotype, RNNGenotype


def _probs(alpha):
    alpha = torch.as_tensor(alpha).detach().float().cpu()
    return F.softmax(alpha, dim=-1)


def derive_cell(alpha, primitives=DARTS_PRIMITIVES, steps=4, edges_per_node=2, first_inputs=2):
    """(op, input) pairs from one alpha of shape (edges, ops); node i has ``first_inputs + i`` incoming edges."""
    W = _probs(alpha)
    primitives = list(primitives)
    expected = sum(first_inputs + i for i in range(steps))
    if W.dim() != 2 or W.shape != (expected, len(primitives)):
        raise ValueError(f"alpha has shape {tuple(W.shape)}, but {steps} nodes and {len(primitives)} ops need "
                         f"({expected}, {len(primitives)}).")
    allowed = [k for k, name in enumerate(primitives) if name != "none"]
    gene, start = [], 0
    for i in range(steps):
        n = first_inputs + i
        rows = W[start:start + n]
        strength = [max(float(rows[j, k]) for k in allowed) for j in range(n)]
        # strongest edges first; ties go to the earlier input, as Python's stable sort in the DARTS code
        edges = sorted(range(n), key=lambda j: -strength[j])[:edges_per_node]
        for j in edges:
            k_best = max(allowed, key=lambda k: float(rows[j, k]))
            gene.append((primitives[k_best], j))
        start += n
    return gene


def derive_cnn(alphas_normal, alphas_reduce, primitives=DARTS_PRIMITIVES, steps=4, multiplier=4):
    """The Genotype of a CNN search: two edges per node, every intermediate node concatenated."""
    concat = list(range(2 + steps - multiplier, steps + 2))
    return Genotype(normal=derive_cell(alphas_normal, primitives, steps), normal_concat=concat,
                    reduce=derive_cell(alphas_reduce, primitives, steps), reduce_concat=list(concat))


def derive_rnn(alpha, primitives=RNN_PRIMITIVES, steps=8):
    """The RNNGenotype of a recurrent search: node i+1 keeps its one strongest edge from nodes 0..i."""
    return RNNGenotype(recurrent=derive_cell(alpha, primitives, steps, edges_per_node=1, first_inputs=1),
                       concat=list(range(1, steps + 1)))



def cnn_genotype(model):
    """The cell pair a DARTS CNN supernet (``SearchNetwork``) encodes now: its alphas, derived."""
    return derive_cnn(model.alphas_normal, model.alphas_reduce, model.primitives, model.steps, model.multiplier)


def rnn_genotype(model):
    """The recurrent cell a DARTS recurrent supernet (``RNNModelSearch``) encodes now: its alpha, derived."""
    return derive_rnn(model.alphas, model.primitives, model.steps)
