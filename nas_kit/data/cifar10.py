"""CIFAR-10 (Krizhevsky, 2009): 50,000 training and 10,000 test images, 32x32 RGB, 10 classes.

Where files go: ``root`` (default ``$NAS_KIT_DATA/cifar10``, else ``~/.cache/nas_kit/cifar10``)
holds any one of, tried in this order:
  1. ``cifar10.npz`` with uint8 arrays x_train (50000,32,32,3), y_train, x_test, y_test
     (what ``shared/data/cifar10/decode.py OUT.npz`` writes);
  2. ``cifar-10-batches-py/`` (the extracted python version);
  3. ``cifar-10-python.tar.gz`` (read directly, no extraction; downloaded if missing and
     ``download=True``, md5-checked);
  4. ``cifar10_jpeg.npz`` (the JPEG copy in shared/data; decoded with Pillow, then saved as
     ``cifar10.npz`` beside it when the directory is writable).

Images are returned NHWC uint8 as numpy arrays; ``to_tensor``, ``normalize`` and ``augment``
turn a batch into the NCHW float input that the DARTS/ENAS training scripts use
(random crop with 4-pixel zero padding, horizontal flip, optional cutout of DeVries & Taylor 2017).
"""
import io
import pickle
import tarfile
from collections import namedtuple
from pathlib import Path

import numpy as np
import torch

from nas_kit.data.download import data_root, download_url, file_hash, not_found, tidy
from nas_kit.files import atomic

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"
TARBALL, FOLDER, NPZ, JPEG_NPZ = "cifar-10-python.tar.gz", "cifar-10-batches-py", "cifar10.npz", "cifar10_jpeg.npz"
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# Per-channel mean and std of the training images in [0, 1], as in DARTS' utils._data_transforms_cifar10.
CIFAR_MEAN = (0.49139968, 0.48215827, 0.44653124)
CIFAR_STD = (0.24703233, 0.24348505, 0.26158768)

ImageData = namedtuple("ImageData", "x_train y_train x_test y_test class_names")


def load_cifar10(root=None, download=True, verify=True):
    """CIFAR-10 as ImageData: x_* (N,32,32,3) uint8, y_* (N,) int64, class_names (10 str)."""
    root = Path(root) if root is not None else data_root("cifar10")
    tidy(root)
    if (root / NPZ).exists():
        with _npz(root / NPZ, "delete it and load again (it is decoded or downloaded anew), or decode it anew "
                              "with shared/data/cifar10/decode.py") as z:
            return _image_data(z["x_train"], z["y_train"], z["x_test"], z["y_test"])
    if (root / FOLDER).is_dir():
        return _from_batches(lambda name: open(root / FOLDER / name, "rb"))
    if not (root / TARBALL).exists() and (root / JPEG_NPZ).exists():
        return _from_jpeg_npz(root)
    if not (root / TARBALL).exists():
        if not download:
            raise not_found("CIFAR-10", f"{TARBALL} (or {NPZ})", root)
        try:
            download_url(URL, root, TARBALL, md5=MD5)
        except OSError as e:
            raise not_found("CIFAR-10", f"{TARBALL} (or {NPZ})", root, e) from e
    elif verify and (got := file_hash(root / TARBALL, "md5")) != MD5:
        raise ValueError(f"{root / TARBALL} has md5 {got}, expected {MD5}: delete it and load again to re-download.")
    with tarfile.open(root / TARBALL, "r:gz") as tar:
        return _from_batches(lambda name: tar.extractfile(f"{FOLDER}/{name}"))


class _npz:
    """``np.load(path)`` whose arrays, read inside the block, give one sentence naming the file when it is broken:
    a corrupt .npz (a zip of .npy files) raises whatever its damage leads to (zipfile.BadZipFile, zlib.error,
    a header that does not parse, a missing array, a JPEG that does not decode)."""

    def __init__(self, path, remedy: str):
        self.path, self.remedy = path, remedy

    def __enter__(self):
        try:
            self.z = np.load(self.path)
        except (FileNotFoundError, PermissionError):
            raise
        except Exception as e:  # noqa: BLE001 - see the docstring
            self._fail(e)
        return self.z

    def __exit__(self, kind, e, tb):
        self.z.close()
        if isinstance(e, Exception) and not isinstance(e, (FileNotFoundError, PermissionError, MemoryError)):
            self._fail(e)
        return False

    def _fail(self, e):
        reason = " ".join(str(e).split())[:120] or type(e).__name__
        raise ValueError(f"{self.path} is truncated or corrupt ({type(e).__name__}: {reason}): {self.remedy}.") from None


def _image_data(x_train, y_train, x_test, y_test, class_names=CLASS_NAMES):
    return ImageData(np.asarray(x_train, np.uint8), np.asarray(y_train, np.int64),
                     np.asarray(x_test, np.uint8), np.asarray(y_test, np.int64), [str(n) for n in class_names])


def _from_batches(open_member):
    """Read the python-pickle batches: data (N,3072) uint8 in CHW order, labels a list."""
    def read(name):
        with open_member(name) as f:
            return pickle.load(f, encoding="bytes")

    def split(names):
        batches = [read(n) for n in names]
        x = np.concatenate([b[b"data"] for b in batches]).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(x), np.concatenate([b[b"labels"] for b in batches])

    x_train, y_train = split([f"data_batch_{i}" for i in range(1, 6)])
    x_test, y_test = split(["test_batch"])
    names = [n.decode() for n in read("batches.meta")[b"label_names"]]
    return _image_data(x_train, y_train, x_test, y_test, names)


def _from_jpeg_npz(root):
    """Decode shared/data's cifar10_jpeg.npz (JPEG q75 copy, see its README) with Pillow."""
    try:
        from PIL import Image                 # Pillow is optional: only this copy of CIFAR-10 needs it
    except ImportError as e:
        raise not_found("CIFAR-10", f"{NPZ} (decoding {JPEG_NPZ} needs Pillow: pip install pillow)", root) from e
    out = {}
    with _npz(root / JPEG_NPZ, "copy it again from shared/data/cifar10") as z:
        for split in ("train", "test"):
            blob, off = z[f"{split}_jpeg"].tobytes(), z[f"{split}_offsets"]
            out[f"x_{split}"] = np.stack([np.asarray(Image.open(io.BytesIO(blob[a:b])).convert("RGB"))
                                          for a, b in zip(off[:-1], off[1:])])
            out[f"y_{split}"] = z[f"y_{split}"]
        out["class_names"] = z["class_names"]
    try:  # keep the decoded arrays for next time, atomically; a read-only root is fine
        with atomic(root / NPZ, "wb") as f:
            np.savez(f, **out)
    except OSError:
        pass
    return _image_data(out["x_train"], out["y_train"], out["x_test"], out["y_test"], out["class_names"])


def to_tensor(x, device=None):
    """(N,32,32,3) uint8 numpy/tensor -> (N,3,32,32) float32 tensor in [0, 1]."""
    x = torch.as_tensor(x, device=device)
    return x.permute(0, 3, 1, 2).float().div_(255)


def normalize(x, mean=CIFAR_MEAN, std=CIFAR_STD):
    """Subtract the CIFAR-10 channel mean and divide by the std, on an (N,3,H,W) float batch."""
    mean = torch.tensor(mean, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    std = torch.tensor(std, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    return (x - mean) / std


def augment(x, padding=4, flip=True, cutout=0, generator=None):
    """Batched random crop (zero padding), horizontal flip and cutout on an (N,C,H,W) tensor.

    Each image gets its own crop offset, flip and cutout centre, all drawn on x's device.
    Apply it before `normalize` to pad with black as torchvision's RandomCrop does.
    cutout > 0 zeroes a cutout x cutout square (clipped at the border) as in DARTS' Cutout.
    """
    n, c, h, w = x.shape
    dev = x.device

    def randint(high, size):
        return torch.randint(high, size, device=dev, generator=generator)

    if padding:
        padded = torch.nn.functional.pad(x, (padding,) * 4)
        rows = randint(2 * padding + 1, (n, 1)) + torch.arange(h, device=dev)
        cols = randint(2 * padding + 1, (n, 1)) + torch.arange(w, device=dev)
        x = padded[torch.arange(n, device=dev)[:, None, None, None], torch.arange(c, device=dev)[None, :, None, None],
                   rows[:, None, :, None], cols[:, None, None, :]]
    if flip:
        x = torch.where(randint(2, (n, 1, 1, 1)).bool(), x.flip(3), x)
    if cutout:
        cy, cx = randint(h, (n, 1, 1)), randint(w, (n, 1, 1))
        ys, xs = torch.arange(h, device=dev).view(1, h, 1), torch.arange(w, device=dev).view(1, 1, w)
        hole = (ys >= cy - cutout // 2) & (ys < cy + cutout // 2) & (xs >= cx - cutout // 2) & (xs < cx + cutout // 2)
        x = x.masked_fill(hole[:, None], 0)
    return x
