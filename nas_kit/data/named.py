"""The data a run's settings name: the kit's synthetic stand-in (``data="synthetic"``, for the quick profile)
or the real data set, cut to the first n images or tokens of each split (0: all of it).
"""
from nas_kit.data.cifar10 import ImageData, load_cifar10
from nas_kit.data.ptb import Corpus, load_ptb
from nas_kit.data.synthetic import make_cifar_like, make_ptb_like

IMAGE_DATA = ("synthetic", "cifar10")
TEXT_DATA = ("synthetic", "ptb")


def images(data: str = "synthetic", root: str = "", n_train: int = 0, n_test: int = 0) -> ImageData:
    """CIFAR-10 from ``root`` (default $NAS_KIT_DATA) or ``make_cifar_like`` (5,000 / 1,000 images unless n says)."""
    if data not in IMAGE_DATA:
        raise ValueError(f"data={data!r} is not image data: use synthetic or cifar10.")
    if data == "synthetic":
        found = make_cifar_like(n_train=n_train or 5000, n_test=n_test or 1000, seed=0)
    else:
        found = load_cifar10(root or None)
    return found._replace(x_train=found.x_train[:n_train or None], y_train=found.y_train[:n_train or None],
                          x_test=found.x_test[:n_test or None], y_test=found.y_test[:n_test or None])


def text(data: str = "synthetic", root: str = "", n_train: int = 0, n_valid: int = 0, n_test: int = 0) -> Corpus:
    """Penn Treebank from ``root`` (default $NAS_KIT_DATA) or ``make_ptb_like`` (50,000 / 5,000 / 5,000 tokens
    unless n says)."""
    if data not in TEXT_DATA:
        raise ValueError(f"data={data!r} is not text: use synthetic or ptb.")
    if data == "synthetic":
        found = make_ptb_like(seed=0, n_train=n_train or 50000, n_valid=n_valid or 5000, n_test=n_test or 5000)
    else:
        found = load_ptb(root or None)
    return found._replace(train=found.train[:n_train or None], valid=found.valid[:n_valid or None],
                          test=found.test[:n_test or None])
