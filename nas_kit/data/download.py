"""Fetch a data file once, check it, and keep it in a cache directory.

Where files go: the cache directory is ``$NAS_KIT_DATA`` if set, else ``~/.cache/nas_kit``;
each data set has its own sub-directory (``cifar10/``, ``ptb/``).  Every loader also takes
``root=...`` so that files you already have (e.g. a shared copy) are read in place.

A download is written atomically (``nas_kit.files.atomic``): its checksum is verified while it
streams, and only then does it take its final name, so a failed or corrupted download never
leaves a half file behind.  When the download cannot be made
(offline, URL unreachable) a loader raises ``DataNotFoundError`` with one sentence saying
which files to put where.
"""
import hashlib
import os
import urllib.request
from pathlib import Path

from nas_kit.files import atomic, remove_leftovers, write_text


class DataNotFoundError(FileNotFoundError):
    """A data set is neither on disk nor downloadable; the message says where to put it."""


def data_root(name=None):
    """The cache directory ($NAS_KIT_DATA or ~/.cache/nas_kit), or its sub-directory `name`."""
    root = Path(os.environ.get("NAS_KIT_DATA") or Path.home() / ".cache" / "nas_kit").expanduser()
    return root / name if name else root


def file_hash(path, algorithm="sha256", chunk=1 << 20):
    """Hex digest of a file, read in chunks (md5 or sha256)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def known_hash(path, algorithm="sha256"):
    """``file_hash`` of ``path``, kept beside it in ``.NAME.ALGORITHM`` (keyed by size and modification time) so a
    large local file is hashed once; a read-only folder only means the hash is computed each time."""
    path = Path(path)
    stat, note = path.stat(), path.with_name(f".{path.name}.{algorithm}")
    key = f"{stat.st_size} {stat.st_mtime_ns}"
    try:
        size, mtime, digest = note.read_text().split()
        if f"{size} {mtime}" == key:
            return digest
    except (OSError, ValueError):
        pass
    digest = file_hash(path, algorithm)
    try:
        write_text(note, f"{key} {digest}\n")
    except OSError:
        pass
    return digest


def download_url(url, root, filename=None, sha256=None, md5=None, timeout=60):
    """Download `url` to root/filename unless it is already there; return the path.

    The checksum (sha256, or md5 where only md5 is published) is checked before the file
    takes its final name; on mismatch nothing is kept and ValueError is raised.
    Network errors propagate as OSError (urllib's URLError is one); loaders turn them into
    a DataNotFoundError that says where to put the file by hand.
    """
    root = Path(root)
    path = root / (filename or url.rsplit("/", 1)[-1])
    if path.exists():
        return path
    hashes = {name: hashlib.new(name) for name, expected in (("sha256", sha256), ("md5", md5)) if expected}
    with atomic(path, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
        while block := response.read(1 << 20):
            out.write(block)
            for h in hashes.values():
                h.update(block)
        for algorithm, expected in (("sha256", sha256), ("md5", md5)):
            if expected and (got := hashes[algorithm].hexdigest()) != expected.lower():
                raise ValueError(f"{url} downloaded with {algorithm} {got}, expected {expected}: "
                                 f"the server copy differs from the published one, so nothing was kept.")
    return path


def tidy(root) -> None:
    """Remove what killed downloads and decodes left in a data folder (files no living writer holds, over a
    minute old: another process may be writing its own right now)."""
    if Path(root).is_dir():
        remove_leftovers(root)


def not_found(dataset, files, root, reason=None):
    """The one-sentence DataNotFoundError for `dataset`: which `files` to put in `root`."""
    reason = " ".join(str(reason).split()).rstrip(".") if reason else ""
    reason = f" (download failed: {reason})" if reason else ""
    return DataNotFoundError(f"{dataset} not found: put {files} in {root}, "
                             f"or pass root=DIR to the loader{reason}.")
