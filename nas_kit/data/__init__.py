"""Data: CIFAR-10 and Penn Treebank loaders, their seeded synthetic stand-ins, and the download cache.

``images`` and ``text`` load the data a run's settings name (synthetic or real, cut to n).

Where files go: $NAS_KIT_DATA/<name>/ (default ~/.cache/nas_kit/<name>/), or any directory passed
as root=...; see the docstrings of nas_kit.data.cifar10 and nas_kit.data.ptb for the file names.
"""
from nas_kit.data.download import DataNotFoundError, data_root, download_url, file_hash
from nas_kit.data.cifar10 import CIFAR_MEAN, CIFAR_STD, ImageData, augment, load_cifar10, normalize, to_tensor
from nas_kit.data.ptb import Corpus, batchify, corpus_from_lines, get_batch, load_ptb
from nas_kit.data.synthetic import load_dataset, make_cifar_like, make_ptb_like
from nas_kit.data.named import IMAGE_DATA, TEXT_DATA, images, text

__all__ = ["DataNotFoundError", "data_root", "download_url", "file_hash",
           "CIFAR_MEAN", "CIFAR_STD", "ImageData", "augment", "load_cifar10", "normalize", "to_tensor",
           "Corpus", "batchify", "corpus_from_lines", "get_batch", "load_ptb",
           "load_dataset", "make_cifar_like", "make_ptb_like", "IMAGE_DATA", "TEXT_DATA", "images", "text"]
