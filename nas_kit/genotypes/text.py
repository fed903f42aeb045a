"""The DARTS repository's genotype text, both ways.

``to_darts_string`` writes ``Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5],
reduce=[...], reduce_concat=[...])`` as printed by quark0/darts, and ``parse_genotype`` reads
that text (and ``RNNGenotype(recurrent=[...], concat=range(1, 9))``, and the kit's
``MacroGenotype(layers=[('conv3x3', ()), ...])``) back, so genotypes
published by later DARTS variants can be pasted in.  The parser evaluates nothing: it
walks Python's syntax tree and accepts only literals and ``range``.
"""
import ast

from nas_kit.genotypes.forms import Genotype, MacroGenotype, RNNGenotype, form, validate


def to_darts_string(genotype):
    """The genotype as quark0/darts prints it (``repr`` of its namedtuple with plain lists)."""
    if form(genotype) == "recurrent":
        concat = list(genotype.concat)
        c = f"range({concat[0]}, {concat[-1] + 1})" if concat and concat == list(range(concat[0], concat[-1] + 1)) else repr(concat)
        return f"RNNGenotype(recurrent={[tuple(p) for p in genotype.recurrent]!r}, concat={c})"
    if form(genotype) == "macro":
        return f"MacroGenotype(layers={[(op, tuple(skips)) for op, skips in genotype.layers]!r})"
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
    classes = {"Genotype": Genotype, "RNNGenotype": RNNGenotype, "MacroGenotype": MacroGenotype}
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in classes):
        raise ValueError("the genotype text must be a call Genotype(normal=..., normal_concat=..., reduce=..., "
                         "reduce_concat=...), RNNGenotype(recurrent=..., concat=...) or MacroGenotype(layers=...).")
    cls = classes[tree.func.id]
    if len(tree.args) + len(tree.keywords) != len(cls._fields) or any(k.arg is None for k in tree.keywords):
        raise ValueError(f"{cls.__name__} needs exactly the fields {', '.join(cls._fields)}.")
    values = dict(zip(cls._fields, (_literal(a, cls.__name__) for a in tree.args)))
    for k in tree.keywords:
        if k.arg not in cls._fields or k.arg in values:
            raise ValueError(f"{cls.__name__} has no field {k.arg!r} (or it is given twice); its fields are {', '.join(cls._fields)}.")
        values[k.arg] = _literal(k.value, f"{cls.__name__}.{k.arg}")
    pair_fields = {RNNGenotype: ("recurrent",), MacroGenotype: ("layers",)}.get(cls, ("normal", "reduce"))
    for f in pair_fields:
        values[f] = [tuple(p) if isinstance(p, (list, tuple)) else p for p in values[f]]
    if cls is MacroGenotype:                      # a layer's skips as a tuple, as nas_kit.spaces.enas_macro has them
        values["layers"] = [(p[0], tuple(p[1])) if len(p) == 2 and isinstance(p[1], (list, tuple)) else p
                            for p in values["layers"]]
    genotype = cls(**values)
    validate(genotype)
    return genotype
