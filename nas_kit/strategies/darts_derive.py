"""Deriving the discrete architecture from alpha (Liu et al. 2019, section 2.4), and the
DARTS repository's genotype text, both ways.

CNN cell: for each intermediate node keep the two strongest incoming edges, an edge's
strength being its strongest non-zero op (softmax over the edge's ops); on each kept edge
take that op.  Recurrent cell: the same with one edge per node.  The zero op 'none' can
never be chosen (section 2.4: "zero operations are excluded").

``to_darts_string`` writes ``Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5],
reduce=[...], reduce_concat=[...])`` as printed by quark0/darts, and ``parse_genotype`` reads
that text (and ``RNNGenotype(recurrent=[...], concat=range(1, 9))``) back, so genotypes
published by later DARTS variants can be pasted in.  The parser evaluates nothing: it
walks Python's syntax tree and accepts only literals and ``range``.
"""
import ast

import torch
import torch.nn.functional as F

from nas_kit.genotypes import DARTS_PRIMITIVES, RNN_PRIMITIVES, Genotype, RNNGenotype
from nas_kit.models.cifar_network import validate_genotype
from nas_kit.models.recurrent import validate_rnn_genotype


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


# ---------------------------------------------------------------- DARTS text
def to_darts_string(genotype):
    """The genotype as quark0/darts prints it (``repr`` of its namedtuple with plain lists)."""
    if hasattr(genotype, "recurrent"):
        concat = list(genotype.concat)
        c = f"range({concat[0]}, {concat[-1] + 1})" if concat and concat == list(range(concat[0], concat[-1] + 1)) else repr(concat)
        return f"RNNGenotype(recurrent={[tuple(p) for p in genotype.recurrent]!r}, concat={c})"
    return (f"Genotype(normal={[tuple(p) for p in genotype.normal]!r}, normal_concat={list(genotype.normal_concat)!r}, "
            f"reduce={[tuple(p) for p in genotype.reduce]!r}, reduce_concat={list(genotype.reduce_concat)!r})")


def _literal(node, where):
    """A Python value from a syntax-tree node holding only lists, tuples, strings, ints and range(...)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -_literal(node.operand, where)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(e, where) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" and not node.keywords:
        return list(range(*[_literal(a, where) for a in node.args]))
    raise ValueError(f"{where} contains {ast.unparse(node)!r}; only lists of ('op', input) pairs, integers and range(...) are allowed.")


def parse_genotype(text):
    """Read ``Genotype(normal=..., normal_concat=..., reduce=..., reduce_concat=...)`` or
    ``RNNGenotype(recurrent=..., concat=...)`` text (the DARTS repository's form) into the kit's namedtuple."""
    if not isinstance(text, str):
        raise TypeError(f"parse_genotype needs the genotype's text, got a {type(text).__name__}.")
    source = text.strip()
    if "=" in source.split("(", 1)[0]:              # "DARTS_V2 = Genotype(...)" as in genotypes.py
        source = source.split("=", 1)[1].strip()
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise ValueError(f"the genotype text is not valid Python syntax: {text[:60]!r}...; expected Genotype(normal=[...], ...).") from None
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in ("Genotype", "RNNGenotype")):
        raise ValueError("the genotype text must be a call Genotype(normal=..., normal_concat=..., reduce=..., "
                         "reduce_concat=...) or RNNGenotype(recurrent=..., concat=...).")
    cls = Genotype if tree.func.id == "Genotype" else RNNGenotype
    if len(tree.args) + len(tree.keywords) != len(cls._fields) or any(k.arg is None for k in tree.keywords):
        raise ValueError(f"{cls.__name__} needs exactly the fields {', '.join(cls._fields)}.")
    values = dict(zip(cls._fields, (_literal(a, cls.__name__) for a in tree.args)))
    for k in tree.keywords:
        if k.arg not in cls._fields or k.arg in values:
            raise ValueError(f"{cls.__name__} has no field {k.arg!r} (or it is given twice); its fields are {', '.join(cls._fields)}.")
        values[k.arg] = _literal(k.value, f"{cls.__name__}.{k.arg}")
    pair_fields = ("recurrent",) if cls is RNNGenotype else ("normal", "reduce")
    for f in pair_fields:
        values[f] = [tuple(p) if isinstance(p, (list, tuple)) else p for p in values[f]]
    genotype = cls(**values)
    (validate_rnn_genotype if cls is RNNGenotype else validate_genotype)(genotype)
    return genotype
