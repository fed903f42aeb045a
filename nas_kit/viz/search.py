"""Pictures of search progress.

``plot_history``        one search: every evaluation's reward (dots) and the best so far (a line)
``plot_strategy_curves`` many runs of several strategies: mean best-so-far accuracy against evaluations,
                        with a band of +-1 standard error (Real et al. 2019, Fig. 3)
``plot_cost_vs_error``  the papers' search cost against their error (nas_kit.published_results), one colour
                        per strategy in every panel (nas_kit.viz.colors)
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from nas_kit.results import summary
from nas_kit.viz.colors import color_of


def plot_history(history, ax=None, title=None, label="reward"):
    """Rewards of one search in the order evaluated, failed candidates as crosses on the x axis."""
    ax = ax or plt.gca()
    rewards = history.rewards()
    k = np.arange(1, len(rewards) + 1)
    ok = ~np.isnan(rewards)
    ax.plot(k[ok], rewards[ok], ".", color="grey", alpha=0.6, label=label)
    ax.plot(k, history.best_so_far(), color="C3", label="best so far")
    if (~ok).any():
        ax.plot(k[~ok], np.full((~ok).sum(), np.nanmin(rewards) if ok.any() else 0), "x", color="k", label="failed")
    ax.set_xlabel("evaluations")
    ax.set_ylabel(label)
    ax.set_title(title or "")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_strategy_curves(curves: dict, ax=None, title=None, ylabel="best validation accuracy so far", start=1):
    """``curves`` {name: (runs, evaluations)} from ``nas_kit.strategies.comparison.compare``: the mean
    and a +-1 standard-error band per strategy, from evaluation ``start`` on."""
    ax = ax or plt.gca()
    for i, (name, c) in enumerate(curves.items()):
        s = summary(c)
        k = np.arange(1, c.shape[1] + 1)[start - 1:]
        mean, sem = s["mean"][start - 1:], s["sem"][start - 1:]
        ax.plot(k, mean, color=f"C{i}", label=f"{name} ({c.shape[0]} runs)")
        ax.fill_between(k, mean - sem, mean + sem, color=f"C{i}", alpha=0.2)
    ax.set_xlabel("evaluations")
    ax.set_ylabel(ylabel)
    ax.set_title(title or "")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_cost_vs_error(results, ax=None, title=None, ylabel="test error (%)"):
    """The papers' search cost (GPU-days, log scale) against their error: one point per
    ``nas_kit.published_results.Result``, coloured by search strategy (``nas_kit.viz.colors``, the same in every
    panel), with its standard deviation where given. A label goes left of its point when the point is in the
    right sixth of the axis or has a point (or error bar) under the label's run to its right, so that no label
    leaves the axes or covers another."""
    ax = ax or plt.gca()
    strategies = list(dict.fromkeys(r.strategy for r in results))
    x = np.log10([r.gpu_days for r in results])
    y = np.array([r.value for r in results])
    span_x, span_y = x.max() - x.min(), (y.max() - y.min()) or 1.0
    for i, r in enumerate(results):
        ax.errorbar(r.gpu_days, r.value, yerr=r.spread or 0, fmt="o", color=color_of(r.strategy), capsize=3)
        reach = 0.25 * len(r.method) / 16 * span_x            # about how far the label runs, in decades
        crowded = any(0 < x[j] - x[i] < reach and abs(y[j] - y[i]) < 0.06 * span_y + (results[j].spread or 0)
                      for j in range(len(x)))
        left = crowded or x[i] > x.min() + 0.85 * span_x
        ax.annotate(r.method, (r.gpu_days, r.value), fontsize=7, xytext=(-4 if left else 4, 3),
                    textcoords="offset points", ha="right" if left else "left")
    ax.set_xscale("log")
    ax.set_xlim(10 ** (x.min() - 0.45 * span_x), 10 ** (x.max() + 0.25 * span_x))
    ax.set_ylim(y.min() - 0.08 * span_y, y.max() + 0.1 * span_y)
    ax.set_xlabel("search cost (GPU-days, log scale)")
    ax.set_ylabel(ylabel)
    ax.set_title(title or "")
    for s in strategies:
        ax.plot([], [], "o", color=color_of(s), label=s)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax
