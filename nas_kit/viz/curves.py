"""Training curves of a run: loss, and accuracy or perplexity, per epoch.

    fig = plot_training_curves(results)                        # what a training function returns,
    fig = plot_training_curves(results["history"])             # its rows,
    fig = plot_training_curves(read_metrics("runs/v2"))        # or a run directory's metrics.csv
                                                               # (nas_kit.training.run_dir.read_metrics)

Columns are recognised by name: ``*_loss`` go to the left panel; ``*_acc`` (shown in %) or ``*_ppl``
(log scale) to the right one; ``epoch`` is the x axis.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator


def _rows(metrics):
    if isinstance(metrics, dict) and "history" in metrics:
        return list(metrics["history"])
    if isinstance(metrics, (list, tuple)):
        return list(metrics)
    raise TypeError(f"plot_training_curves draws rows of metrics, not a {type(metrics).__name__}: pass a training "
                    f"result, its 'history', or nas_kit.training.run_dir.read_metrics(run_dir).")


def _series(rows, key):
    return [r[key] if isinstance(r.get(key), (int, float)) else float("nan") for r in rows]


def plot_training_curves(metrics, title: str | None = None, figsize=(9, 3.2)):
    """A figure with the loss curves (left) and the accuracy or perplexity curves (right) of one run."""
    rows = _rows(metrics)
    if not rows or "epoch" not in rows[0]:
        raise ValueError("no epochs to plot: the metrics need an 'epoch' column and at least one row.")
    keys = list(dict.fromkeys(k for r in rows for k in r))
    losses = [k for k in keys if k.endswith("_loss")]
    accs = [k for k in keys if k.endswith("_acc")]
    ppls = [k for k in keys if k.endswith("_ppl") and not k.startswith("best_")]
    epochs = _series(rows, "epoch")
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize)
    for k in losses:
        left.plot(epochs, _series(rows, k), marker="o", markersize=3, label=k.replace("_", " "))
    left.set(xlabel="epoch", ylabel="loss", title="loss")
    for k in accs:
        right.plot(epochs, [100 * v for v in _series(rows, k)], marker="o", markersize=3, label=k.replace("_", " "))
    for k in ppls:
        right.plot(epochs, _series(rows, k), marker="o", markersize=3, label=k.replace("_", " "))
    if ppls and not accs:
        right.set_yscale("log")
        right.set(ylabel="perplexity", title="perplexity")
    else:
        right.set(ylabel="accuracy (%)", title="accuracy")
    right.set_xlabel("epoch")
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))     # epochs are whole numbers
        if ax.lines:
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
