"""Pictures of DARTS's architecture parameters (Liu et al. 2019, Fig. 1-2 in spirit).

``alpha_heatmap``   softmax(alpha) of every edge (rows) over the ops (columns), one cell type, with a red box
                    on each op the derived cell takes (section 2.4: 'none' never, the strongest edges of a node;
                    the search history's genotype of that epoch)
``alphas_figure``   the normal and reduction heatmaps of one epoch side by side
``alpha_slider``    an ipywidgets slider over the epochs of a search history (needs a live kernel)
``alpha_animation`` the same as an animated GIF (image/gif), which plays in a saved notebook, trusted or not
``op_weight_curve`` the mean weight of chosen ops (e.g. skip_connect) per epoch: the
                    "skip connections take over" failure of long searches
"""
import io
import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

FONT = 9                  # points: 12 px at the animation's 100 dpi
TAKEN = "red box: the op the derived cell takes ('none' never; the 2 strongest edges of each node)"


def edge_labels(steps, first_inputs=2):
    """Row labels 'input -> node' in the order of the alpha rows (CNN: inputs c_{k-2}, c_{k-1}; RNN: node 0)."""
    names = ["c_{k-2}", "c_{k-1}"] if first_inputs == 2 else ["0"]
    labels = []
    for i in range(steps):
        node = str(i) if first_inputs == 2 else str(i + 1)
        labels += [f"{names[j] if j < first_inputs else (j - 2 if first_inputs == 2 else j)} -> {node}"
                   for j in range(first_inputs + i)]
    return labels


def _tick(label):
    """An edge label as a tick shows it: c_{k-2} with its subscript (matplotlib's mathtext), an arrow."""
    return re.sub(r"(\w_\{[^}]*\})", r"$\1$", label).replace(" -> ", " → ")


def taken_cells(cell, steps, first_inputs=2):
    """(row, op) of every op a derived cell takes: ``cell`` the (op, input) pairs of a genotype, node by node
    (``Genotype.normal`` / ``.reduce``, ``RNNGenotype.recurrent``); node i's edges are rows
    sum_{t<i} (first_inputs + t) onwards, in input order, as in alpha."""
    per_node = len(cell) // steps
    starts = [sum(first_inputs + t for t in range(i)) for i in range(steps)]
    return [(starts[k // per_node] + j, op) for k, (op, j) in enumerate(cell)]


def _outline_taken(ax, taken, primitives):
    """A red box around each op the derived cell takes."""
    for r, op in taken:
        ax.add_patch(plt.Rectangle((list(primitives).index(op) - 0.5, r - 0.5), 1, 1, fill=False,
                                   edgecolor="red", lw=2))


def alpha_heatmap(probs, primitives, labels=None, ax=None, title=None, taken=()):
    """One heatmap: ``probs`` (edges, ops), each row a softmax; the (row, op) pairs ``taken`` (``taken_cells``:
    what the derived cell takes) are outlined."""
    probs = np.asarray(probs)
    ax = ax or plt.gca()
    im = ax.imshow(probs, cmap="viridis", vmin=0, vmax=max(0.3, float(probs.max())), aspect="auto")
    ax.set_xticks(range(len(primitives)), primitives, rotation=45, ha="right", fontsize=FONT)
    ax.set_yticks(range(probs.shape[0]), labels if labels is not None else range(probs.shape[0]), fontsize=FONT)
    _outline_taken(ax, taken, primitives)
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    return im


def alphas_figure(entry, primitives, steps, first_inputs=2):
    """The heatmaps of one history entry (one per alpha: normal and reduce, or the RNN's one)."""
    alphas, genotype = entry["alphas"], entry.get("genotype")
    names = ["normal cell", "reduction cell"] if len(alphas) == 2 else ["recurrent cell"]
    cells = [None] * len(alphas) if genotype is None else \
        [genotype.normal, genotype.reduce] if len(alphas) == 2 else [genotype.recurrent]
    fig, axes = plt.subplots(1, len(alphas), figsize=(4.6 * len(alphas) + 0.8, 0.28 * len(alphas[0]) + 2.4),
                             squeeze=False, layout="constrained")
    for ax, probs, name, cell in zip(axes[0], alphas, names, cells):
        taken = taken_cells(cell, steps, first_inputs) if cell is not None else ()
        im = alpha_heatmap(probs, primitives, [_tick(t) for t in edge_labels(steps, first_inputs)], ax,
                           f"{name}, epoch {entry['epoch']}", taken)
    bar = fig.colorbar(im, ax=axes[0].tolist(), shrink=0.9)
    bar.set_label("softmax(alpha)", fontsize=FONT)
    bar.ax.tick_params(labelsize=FONT)
    if genotype is not None:
        fig.supxlabel(TAKEN if first_inputs == 2 else TAKEN.replace("the 2 strongest edges", "the strongest edge"),
                      fontsize=FONT)
    return fig


def alpha_slider(history, primitives, steps, first_inputs=2):
    """An ipywidgets slider over epochs redrawing the heatmaps (needs a live kernel)."""
    import ipywidgets as widgets              # only here: drawing heatmaps must not load the widget machinery
    from IPython.display import display

    out = widgets.Output()

    def show(epoch):
        with out:
            out.clear_output(wait=True)
            fig = alphas_figure(history[epoch], primitives, steps, first_inputs)
            display(fig)
            plt.close(fig)

    slider = widgets.IntSlider(value=len(history) - 1, min=0, max=len(history) - 1, description="epoch")
    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return widgets.VBox([slider, out])


def alpha_animation(history, primitives, steps, first_inputs=2, interval=800, dpi=100):
    """The heatmaps of every epoch as an animated GIF (an IPython ``Image``, shown as image/gif): it needs no
    kernel and no trust, so it plays in a saved or exported notebook. One frame per epoch, ``interval`` ms each,
    the last held three times as long; the colour scale is the same in every frame."""
    from IPython.display import Image        # only here: drawing heatmaps must not need IPython
    from PIL import Image as PILImage

    vmax = max(0.3, max(float(np.max(a)) for e in history for a in e["alphas"]))
    frames = []
    for entry in history:
        fig = alphas_figure(entry, primitives, steps, first_inputs)
        for ax in fig.axes:
            if ax.images:
                ax.images[0].set_clim(0, vmax)
        fig.set_dpi(dpi)
        fig.canvas.draw()
        rgb = PILImage.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
        frames.append(rgb.quantize(colors=255, method=PILImage.Quantize.MAXCOVERAGE))   # within 3 of 255 levels
        plt.close(fig)
    durations = [interval] * (len(frames) - 1) + [3 * interval]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return Image(data=out.getvalue(), format="gif")


def op_weight_curve(history, primitives, ops=("skip_connect",), which=0, ax=None, legend=True):
    """Mean softmax weight of each op in ``ops`` over all edges of alpha number ``which``, per epoch (with a
    legend in the axes unless ``legend`` is False: panels side by side can share one, ``fig.legend``)."""
    ax = ax or plt.gca()
    epochs = [e["epoch"] for e in history]
    for op in ops:
        k = list(primitives).index(op)
        ax.plot(epochs, [float(np.asarray(e["alphas"][which])[:, k].mean()) for e in history], marker="o", label=op)
    ax.axhline(1 / len(primitives), color="grey", ls=":", label="uniform")
    ax.set(xlabel="epoch", ylabel="mean softmax weight over edges")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if legend:
        ax.legend(fontsize=8)
    return ax
