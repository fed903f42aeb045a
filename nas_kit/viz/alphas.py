"""Pictures of DARTS's architecture parameters (Liu et al. 2019, Fig. 1-2 in spirit).

``alpha_heatmap``   softmax(alpha) of every edge (rows) over the ops (columns), one cell type
``alphas_figure``   the normal and reduction heatmaps of one epoch side by side
``alpha_slider``    an ipywidgets slider over the epochs of a search history (needs a live kernel)
``alpha_animation`` the same as an animation that plays in a saved notebook (HTML with the frames inside)
``op_weight_curve`` the mean weight of chosen ops (e.g. skip_connect) per epoch: the
                    "skip connections take over" failure of long searches
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.ticker import MaxNLocator


def edge_labels(steps, first_inputs=2):
    """Row labels 'input -> node' in the order of the alpha rows (CNN: inputs c_{k-2}, c_{k-1}; RNN: node 0)."""
    names = ["c_{k-2}", "c_{k-1}"] if first_inputs == 2 else ["0"]
    labels = []
    for i in range(steps):
        node = str(i) if first_inputs == 2 else str(i + 1)
        labels += [f"{names[j] if j < first_inputs else (j - 2 if first_inputs == 2 else j)} -> {node}"
                   for j in range(first_inputs + i)]
    return labels


def _outline_strongest(ax, probs):
    """A red box around the strongest op of every row."""
    for r, k in enumerate(probs.argmax(1)):
        ax.add_patch(plt.Rectangle((k - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="red", lw=1))


def alpha_heatmap(probs, primitives, labels=None, ax=None, title=None):
    """One heatmap: ``probs`` (edges, ops), each row a softmax; the strongest op of a row is outlined."""
    probs = np.asarray(probs)
    ax = ax or plt.gca()
    im = ax.imshow(probs, cmap="viridis", vmin=0, vmax=max(0.3, float(probs.max())), aspect="auto")
    ax.set_xticks(range(len(primitives)), primitives, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(probs.shape[0]), labels if labels is not None else range(probs.shape[0]), fontsize=7)
    _outline_strongest(ax, probs)
    if title:
        ax.set_title(title, fontsize=9)
    return im


def alphas_figure(entry, primitives, steps, first_inputs=2):
    """The heatmaps of one history entry (one per alpha: normal and reduce, or the RNN's one)."""
    alphas = entry["alphas"]
    names = ["normal cell", "reduction cell"] if len(alphas) == 2 else ["recurrent cell"]
    fig, axes = plt.subplots(1, len(alphas), figsize=(4.4 * len(alphas), 0.25 * len(alphas[0]) + 1.8), squeeze=False,
                             layout="constrained")
    for ax, probs, name in zip(axes[0], alphas, names):
        im = alpha_heatmap(probs, primitives, edge_labels(steps, first_inputs), ax, f"{name}, epoch {entry['epoch']}")
    fig.colorbar(im, ax=axes[0].tolist(), shrink=0.8, label="softmax(alpha)")
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


def alpha_animation(history, primitives, steps, first_inputs=2, interval=800):
    """The heatmaps of every epoch as a matplotlib animation in HTML (``FuncAnimation.to_jshtml``), with play
    and step buttons; it needs no kernel, so it plays in a saved or exported notebook."""
    fig = alphas_figure(history[0], primitives, steps, first_inputs)
    axes = [ax for ax in fig.axes if ax.images]              # the heatmaps, not the colour bar

    def frame(i):
        entry = history[i]
        for ax, probs in zip(axes, entry["alphas"]):
            ax.images[0].set_data(np.asarray(probs))
            for patch in list(ax.patches):
                patch.remove()
            _outline_strongest(ax, np.asarray(probs))
            ax.set_title(ax.get_title().rsplit(",", 1)[0] + f", epoch {entry['epoch']}", fontsize=9)
        return axes

    vmax = max(0.3, max(float(np.max(a)) for e in history for a in e["alphas"]))
    for ax in axes:
        ax.images[0].set_clim(0, vmax)
    fig.set_dpi(72)
    animation = FuncAnimation(fig, frame, frames=len(history), interval=interval)
    html = animation.to_jshtml(default_mode="once")
    plt.close(fig)
    return html


def op_weight_curve(history, primitives, ops=("skip_connect",), which=0, ax=None):
    """Mean softmax weight of each op in ``ops`` over all edges of alpha number ``which``, per epoch."""
    ax = ax or plt.gca()
    epochs = [e["epoch"] for e in history]
    for op in ops:
        k = list(primitives).index(op)
        ax.plot(epochs, [float(np.asarray(e["alphas"][which])[:, k].mean()) for e in history], marker="o", label=op)
    ax.axhline(1 / len(primitives), color="grey", ls=":", label="uniform")
    ax.set(xlabel="epoch", ylabel="mean softmax weight over edges")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7)
    return ax
