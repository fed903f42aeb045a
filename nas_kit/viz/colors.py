"""One colour per search strategy, for every plot of the kit: the papers' strategy families
(``nas_kit.published_results``: RL, evolution, SMBO, RL+WS, random, gradient) and the kit's methods of the
same family (notebook 11's side-by-side) get the same colour, so a strategy looks alike in every panel."""
from __future__ import annotations

STRATEGY_COLORS = {"random": "black", "RL": "C0", "evolution": "C1", "SMBO": "C2", "RL+WS": "C3", "gradient": "C4",
                   "TPE": "C5", "GP-BO": "C6", "Hyperband": "C8", "BOHB": "C9"}
ALIASES = {"random search": "random", "REINFORCE (NAS-RL)": "RL", "aging evolution": "evolution",
           "PNAS (MLP predictor)": "SMBO", "ENAS (micro)": "RL+WS", "DARTS": "gradient"}


def color_of(strategy: str) -> str:
    """The colour of a strategy (a family or a method's label); one sentence for a name without one."""
    name = ALIASES.get(strategy, strategy)
    if name not in STRATEGY_COLORS:
        raise KeyError(f"no colour for the strategy {strategy!r}: add it to nas_kit.viz.colors.STRATEGY_COLORS.")
    return STRATEGY_COLORS[name]
