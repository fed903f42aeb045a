"""The data layer: real CIFAR-10 / PTB from shared/data (skipped when absent), the download cache,
the one-sentence missing-data error, and the learnable synthetic stand-ins of the quick profile."""
import io
import math
import os
import pickle
import subprocess
import sys
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn

from nas_kit.data import (CIFAR_MEAN, Corpus, DataNotFoundError, ImageData, augment, batchify, download_url,
                          file_hash, get_batch, load_cifar10, load_dataset, load_ptb, make_cifar_like,
                          make_ptb_like, normalize, to_tensor)
from nas_kit.data import download as download_module

SHARED = Path(os.environ.get("NAS_KIT_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")


# --- real data (shared/data) -------------------------------------------------------------------------------

@pytest.mark.skipif(not (SHARED / "ptb" / "train.txt").exists(), reason=f"no PTB in {SHARED / 'ptb'}")
def test_ptb_has_929589_73760_82430_tokens_and_10000_words():
    corpus = load_ptb(SHARED / "ptb", download=False)
    assert isinstance(corpus, Corpus)
    assert (len(corpus.train), len(corpus.valid), len(corpus.test)) == (929_589, 73_760, 82_430)
    assert len(corpus.vocab) == len(corpus.word2idx) == 10_000
    assert corpus.train.dtype == torch.long and corpus.train.dim() == 1
    assert corpus.vocab[corpus.word2idx["<eos>"]] == "<eos>" and "<unk>" in corpus.word2idx
    # ids by first appearance: the train file starts "aer banknote berlitz ..."
    assert corpus.vocab[:3] == ["aer", "banknote", "berlitz"] and corpus.train[:3].tolist() == [0, 1, 2]
    assert int(corpus.valid.max()) < 10_000 and int(corpus.test.max()) < 10_000


@pytest.fixture(scope="session")
def cifar_dir(tmp_path_factory):
    """shared/data's JPEG copy decoded by its own decode.py into <tmp>/cifar10.npz (about 7 s)."""
    script = SHARED / "cifar10" / "decode.py"
    if not (SHARED / "cifar10" / "cifar10_jpeg.npz").exists() or not script.exists():
        pytest.skip(f"no CIFAR-10 in {SHARED / 'cifar10'}")
    pytest.importorskip("PIL")
    root = tmp_path_factory.mktemp("cifar10")
    subprocess.run([sys.executable, str(script), str(root / "cifar10.npz")], check=True)
    return root


def test_cifar10_has_50000_train_10000_test_images_balanced(cifar_dir):
    data = load_cifar10(cifar_dir, download=False)
    assert isinstance(data, ImageData)
    assert data.x_train.shape == (50_000, 32, 32, 3) and data.x_test.shape == (10_000, 32, 32, 3)
    assert data.x_train.dtype == np.uint8 and data.y_train.dtype == np.int64
    assert np.bincount(data.y_train).tolist() == [5_000] * 10
    assert np.bincount(data.y_test).tolist() == [1_000] * 10
    assert data.class_names[0] == "airplane" and data.class_names[9] == "truck"
    # README: decoded train mean (0.4913, 0.4821, 0.4465); CIFAR_MEAN is the lossless originals' mean
    mean = data.x_train[::10].reshape(-1, 3).mean(0) / 255
    assert np.allclose(mean, (0.4913, 0.4821, 0.4465), atol=2e-3)
    assert np.allclose(mean, CIFAR_MEAN, atol=3e-3)


def test_loading_the_jpeg_copy_directly_matches_decode_py_and_caches_it(cifar_dir, tmp_path):
    (tmp_path / "cifar10_jpeg.npz").symlink_to(SHARED / "cifar10" / "cifar10_jpeg.npz")
    direct = load_cifar10(tmp_path, download=False)
    reference = load_cifar10(cifar_dir, download=False)
    assert np.array_equal(direct.x_train, reference.x_train) and np.array_equal(direct.y_test, reference.y_test)
    assert (tmp_path / "cifar10.npz").exists() and not list(tmp_path.glob("*.part"))


# --- missing data and the download cache -------------------------------------------------------------------

@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")
    monkeypatch.setattr(download_module.urllib.request, "urlopen", refuse)


def assert_one_sentence(message, *names):
    assert "\n" not in message and message.endswith(".") and ". " not in message, message
    for name in names:
        assert str(name) in message, (name, message)


def test_offline_ptb_says_which_files_to_put_where(offline, tmp_path):
    with pytest.raises(DataNotFoundError) as err:
        load_ptb(tmp_path / "ptb")
    assert isinstance(err.value, FileNotFoundError)
    assert_one_sentence(str(err.value), tmp_path / "ptb", "ptb.train.txt", "train.txt", "network is unreachable")
    assert not list(tmp_path.rglob("*.part"))


def test_offline_cifar10_says_which_files_to_put_where(offline, tmp_path):
    with pytest.raises(DataNotFoundError) as err:
        load_cifar10(tmp_path)
    assert_one_sentence(str(err.value), tmp_path, "cifar-10-python.tar.gz", "cifar10.npz")
    assert list(tmp_path.iterdir()) == []


def test_download_false_never_touches_the_network(tmp_path, monkeypatch):
    monkeypatch.setattr(download_module.urllib.request, "urlopen", lambda *a, **k: pytest.fail("network used"))
    with pytest.raises(DataNotFoundError) as err:
        load_ptb(tmp_path, download=False)
    assert_one_sentence(str(err.value), tmp_path, "ptb.valid.txt")


def test_default_cache_dir_follows_NAS_KIT_DATA(offline, tmp_path, monkeypatch):
    monkeypatch.setenv("NAS_KIT_DATA", str(tmp_path / "cache"))
    with pytest.raises(DataNotFoundError, match="cache/ptb"):
        load_ptb()


def test_download_checks_the_checksum_and_keeps_no_bad_file(tmp_path):
    src = tmp_path / "src" / "ptb.valid.txt"
    src.parent.mkdir()
    src.write_bytes(b"the cat sat\n" * 1000)
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="sha256"):
        download_url(src.as_uri(), cache, sha256="0" * 64)
    assert list(cache.iterdir()) == []
    with pytest.raises(ValueError, match="md5"):
        download_url(src.as_uri(), cache, md5="0" * 32)
    assert list(cache.iterdir()) == []
    path = download_url(src.as_uri(), cache, sha256=file_hash(src), md5=file_hash(src, "md5"))
    assert path == cache / "ptb.valid.txt" and path.read_bytes() == src.read_bytes()
    assert list(cache.iterdir()) == [path]


def test_a_download_cut_midway_leaves_no_half_file(tmp_path, monkeypatch):
    class Cut(io.BytesIO):
        def read(self, n=-1):
            if self.tell() > 0:
                raise ConnectionResetError("connection reset by peer")
            return super().read(10)
    monkeypatch.setattr(download_module.urllib.request, "urlopen", lambda url, timeout: Cut(b"x" * 100))
    with pytest.raises(DataNotFoundError, match="connection reset"):
        load_ptb(tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- the CIFAR-10 python tarball ---------------------------------------------------------------------------

def fake_cifar_tarball(path, n_per_batch=2, n_test=3):
    """A cifar-10-python.tar.gz in the original layout: pickled dicts with bytes keys, rows in CHW order."""
    rng = np.random.default_rng(0)
    images = {}

    def add(tar, name, obj):
        blob = pickle.dumps(obj)
        info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))

    with tarfile.open(path, "w:gz") as tar:
        for name, n in [(f"data_batch_{i}", n_per_batch) for i in range(1, 6)] + [("test_batch", n_test)]:
            chw = rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
            labels = rng.integers(0, 10, n).tolist()
            images[name] = (chw, labels)
            add(tar, name, {b"data": chw.reshape(n, 3072), b"labels": labels, b"batch_label": name.encode()})
        add(tar, "batches.meta", {b"label_names": [f"class{k}".encode() for k in range(10)]})
    return images


def test_cifar10_reads_the_python_tarball_without_extracting(tmp_path):
    images = fake_cifar_tarball(tmp_path / "cifar-10-python.tar.gz")
    data = load_cifar10(tmp_path, download=False, verify=False)
    assert data.x_train.shape == (10, 32, 32, 3) and data.x_test.shape == (3, 32, 32, 3)
    chw, labels = images["data_batch_2"]
    assert np.array_equal(data.x_train[2:4], chw.transpose(0, 2, 3, 1))
    assert data.y_train[2:4].tolist() == labels and data.y_train.dtype == np.int64
    assert np.array_equal(data.x_test, images["test_batch"][0].transpose(0, 2, 3, 1))
    assert data.class_names == [f"class{k}" for k in range(10)]
    with tarfile.open(tmp_path / "cifar-10-python.tar.gz") as tar:   # the extracted folder reads the same
        tar.extractall(tmp_path / "extracted")
    again = load_cifar10(tmp_path / "extracted", download=False)
    assert np.array_equal(again.x_train, data.x_train) and np.array_equal(again.y_test, data.y_test)


def test_a_tarball_with_the_wrong_md5_is_refused(tmp_path):
    fake_cifar_tarball(tmp_path / "cifar-10-python.tar.gz")
    with pytest.raises(ValueError, match="expected c58f30108f718f92721af3b95e74349a"):
        load_cifar10(tmp_path, download=False)


# --- torch helpers -----------------------------------------------------------------------------------------

def test_batchify_and_get_batch_follow_darts():
    source = batchify(torch.arange(11), 2)        # the odd token is dropped; columns are contiguous halves
    assert source.tolist() == [[0, 5], [1, 6], [2, 7], [3, 8], [4, 9]]
    data, target = get_batch(source, 0, 2)
    assert data.tolist() == [[0, 5], [1, 6]] and target.tolist() == [[1, 6], [2, 7]]
    data, target = get_batch(source, 2, 35)       # the last chunk is shorter
    assert data.tolist() == [[2, 7], [3, 8]] and target.tolist() == [[3, 8], [4, 9]]


def test_augment_crops_flips_and_cuts_out_per_image():
    g = torch.Generator().manual_seed(0)
    x = torch.arange(32 * 32, dtype=torch.float).view(1, 1, 32, 32).repeat(64, 3, 1, 1)
    flipped = augment(x, padding=0, generator=g)
    same, mirrored = (flipped == x).flatten(1).all(1), (flipped == x.flip(3)).flatten(1).all(1)
    assert bool((same | mirrored).all()) and 10 < int(mirrored.sum()) < 54
    cropped = augment(torch.ones(64, 3, 32, 32, dtype=torch.uint8), flip=False, generator=g)
    assert cropped.dtype == torch.uint8 and cropped.shape == (64, 3, 32, 32)
    zeros = (cropped[:, 0] == 0).flatten(1).sum(1)
    assert int(zeros.max()) <= 32 * 32 - 28 * 28 and int((zeros > 0).sum()) > 40   # shifted by at most 4
    holes = (augment(torch.ones(64, 3, 32, 32), padding=0, flip=False, cutout=16, generator=g) == 0)
    assert int(holes[:, 0].flatten(1).sum(1).max()) == 16 * 16 and bool((holes.flatten(1).sum(1) > 0).all())


def test_to_tensor_and_normalize():
    x = to_tensor(np.full((2, 32, 32, 3), 255, np.uint8))
    assert x.shape == (2, 3, 32, 32) and x.dtype == torch.float32 and float(x.max()) == 1.0
    mean = torch.tensor(CIFAR_MEAN).view(1, 3, 1, 1).expand(2, 3, 32, 32)
    assert float(normalize(mean).abs().max()) < 1e-6


# --- synthetic stand-ins (quick profile) -------------------------------------------------------------------

def test_cifar_like_has_cifar_shapes_balanced_classes_and_is_seeded():
    data = make_cifar_like(n_train=1000, n_test=200, seed=0)
    assert isinstance(data, ImageData) and len(data.class_names) == 10
    assert data.x_train.shape == (1000, 32, 32, 3) and data.x_train.dtype == np.uint8
    assert data.x_test.shape == (200, 32, 32, 3) and data.y_test.dtype == np.int64
    assert np.bincount(data.y_train).tolist() == [100] * 10 and np.bincount(data.y_test).tolist() == [20] * 10
    again, other = make_cifar_like(1000, 200, seed=0), make_cifar_like(1000, 200, seed=1)
    assert np.array_equal(again.x_train, data.x_train) and np.array_equal(again.y_test, data.y_test)
    assert not np.array_equal(other.x_train, data.x_train)


def train_and_test(net, data, steps, lr=1e-2, batch_size=32):
    torch.manual_seed(0)
    x, y = normalize(to_tensor(data.x_train)), torch.as_tensor(data.y_train)
    optimizer = torch.optim.Adam(net.parameters(), lr)
    for _ in range(steps):
        i = torch.randint(0, len(y), (batch_size,))
        loss = nn.functional.cross_entropy(net(x[i]), y[i])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    net.eval()
    with torch.no_grad():
        return (net(normalize(to_tensor(data.x_test))).argmax(1) == torch.as_tensor(data.y_test)).float().mean().item()


def test_cifar_like_is_learnt_by_a_small_cnn_but_not_from_colour():
    data = make_cifar_like(n_train=2000, n_test=500, seed=0)
    torch.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                        nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
    assert train_and_test(cnn, data, steps=150) > 0.5                 # chance is 0.1
    colour_only = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 10))
    assert train_and_test(colour_only, data, steps=300) < 0.2


def test_ptb_like_is_a_seeded_corpus_with_sentences():
    corpus = make_ptb_like(seed=0)
    assert isinstance(corpus, Corpus) and 200 <= len(corpus.vocab) <= 400
    assert all(corpus.vocab[i] == w for w, i in corpus.word2idx.items())
    assert 50_000 <= len(corpus.train) < 50_050 and 5_000 <= len(corpus.valid) < 5_050
    assert corpus.train.dtype == torch.long and int(corpus.test.max()) < len(corpus.vocab)
    eos = corpus.word2idx["<eos>"]
    assert int(corpus.train[-1]) == eos and 5_000 < int((corpus.train == eos).sum()) < 10_000
    assert torch.equal(make_ptb_like(seed=0).valid, corpus.valid)
    assert not torch.equal(make_ptb_like(seed=1).train[:1000], corpus.train[:1000])


def test_ptb_like_bigram_perplexity_is_far_below_unigram():
    corpus = make_ptb_like(seed=0)
    V, train, valid = len(corpus.vocab), corpus.train, corpus.valid
    unigram = torch.bincount(train, minlength=V).double() + 1
    unigram_ppl = math.exp(-(unigram / unigram.sum()).log()[valid].mean())
    counts = torch.zeros(V, V, dtype=torch.double).index_put_((train[:-1], train[1:]),
                                                              torch.ones(len(train) - 1, dtype=torch.double),
                                                              accumulate=True) + 0.1
    bigram_ppl = math.exp(-(counts / counts.sum(1, keepdim=True)).log()[valid[:-1], valid[1:]].mean())
    assert unigram_ppl > 60 and bigram_ppl < 0.4 * unigram_ppl


def test_load_dataset_quick_is_synthetic_and_rejects_unknown_names():
    assert isinstance(load_dataset("ptb", "quick"), Corpus)
    assert load_dataset("cifar10", "quick").x_train.shape[1:] == (32, 32, 3)
    with pytest.raises(ValueError, match="profile 'quick' or 'full'"):
        load_dataset("imagenet", "quick")
