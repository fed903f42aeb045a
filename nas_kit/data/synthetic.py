"""Small, seeded stand-ins for CIFAR-10 and PTB, for the quick profile (no files needed).

``make_cifar_like`` draws 32x32 RGB images of ten procedural patterns (stripes at four
orientations, a checkerboard, a disc, a ring, a square outline, a plus and a cross), each at a
random position and size with random colours and pixel noise, so that colour says nothing about
the class and a network has to see local shape: a small CNN learns it well above chance in a few
hundred steps, but not perfectly.  ``make_ptb_like`` samples sentences from a small stochastic
grammar (determiner-adjective-noun-verb with number agreement, topics that persist across
sentences, optional prepositional phrases), so that a recurrent model's perplexity falls far
below the unigram perplexity.  Both return the same types as the real loaders.
"""
import random

import numpy as np

from nas_kit.data.cifar10 import ImageData, load_cifar10
from nas_kit.data.ptb import corpus_from_lines, load_ptb

PATTERNS = ("horizontal stripes", "vertical stripes", "diagonal stripes", "antidiagonal stripes", "checkerboard",
            "disc", "ring", "square", "plus", "cross")


def make_cifar_like(n_train=5000, n_test=1000, seed=0, noise=24.0):
    """ImageData of (n,32,32,3) uint8 images of the 10 PATTERNS, classes balanced, fixed by seed."""
    train_seed, test_seed = np.random.SeedSequence(seed).spawn(2)
    x_train, y_train = _draw_images(n_train, np.random.default_rng(train_seed), noise)
    x_test, y_test = _draw_images(n_test, np.random.default_rng(test_seed), noise)
    return ImageData(x_train, y_train, x_test, y_test, list(PATTERNS))


def _draw_images(n, rng, noise):
    y = rng.permutation(np.arange(n) % 10).astype(np.int64)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    cy, cx = (rng.uniform(9, 23, (2, n, 1, 1))).astype(np.float32)
    r = rng.uniform(5, 9, (n, 1, 1)).astype(np.float32)            # pattern radius in pixels
    period = rng.uniform(3.5, 5.5, (n, 1, 1)).astype(np.float32)   # stripe period in pixels
    phase = rng.uniform(0, 2 * np.pi, (n, 1, 1)).astype(np.float32)
    mask = np.empty((n, 32, 32), dtype=bool)
    for k in range(10):
        i = y == k
        mask[i] = _shape(k, yy - cy[i], xx - cx[i], r[i], period[i], phase[i])
    hue = rng.uniform(0, 1, (n, 1, 1, 3)).astype(np.float32)
    dark, light = 20 + 90 * hue, 145 + 90 * hue                       # >= 35 levels apart in every channel
    swap = rng.random((n, 1, 1, 1)) < 0.5
    fg, bg = np.where(swap, dark, light), np.where(swap, light, dark)
    img = np.where(mask[..., None], fg, bg) + rng.normal(0, noise, (n, 32, 32, 3)).astype(np.float32)
    return np.clip(img, 0, 255).round().astype(np.uint8), y



def _shape(k, dy, dx, r, period, phase):
    """Boolean mask of pattern k (see PATTERNS) centred at offset (dy, dx) = 0, radius r."""
    dist = np.sqrt(dy ** 2 + dx ** 2)
    if k < 4:
        u = (dy, dx, (dx + dy) / np.sqrt(2), (dx - dy) / np.sqrt(2))[k]
        return (np.sin(2 * np.pi * u / period + phase) > 0) & (dist < r + 2)
    if k == 4:
        return (np.sin(2 * np.pi * dx / period + phase) * np.sin(2 * np.pi * dy / period) > 0) & (dist < r + 2)
    if k == 5:
        return dist < r
    if k == 6:
        return np.abs(dist - r) < 1.3
    if k == 7:
        return np.abs(np.maximum(np.abs(dx), np.abs(dy)) - r) < 1.3
    if k == 8:
        return ((np.abs(dx) < 1.5) & (np.abs(dy) < r)) | ((np.abs(dy) < 1.5) & (np.abs(dx) < r))
    return ((np.abs(dx - dy) < 2.1) | (np.abs(dx + dy) < 2.1)) & (np.maximum(np.abs(dx), np.abs(dy)) < r * 0.75)


# A small grammar: words by category; nouns and verbs in four topics.
DETERMINERS = {"sg": ["the", "a", "this", "every", "one", "that"], "pl": ["the", "some", "these", "many", "two", "all"]}
ADJECTIVES = ("big small old new red green quiet loud happy sad fast slow bright dark warm cold young tall short "
              "long heavy light strong weak clean dirty soft hard rich poor kind wild calm brave clever simple "
              "strange famous empty full sweet").split()
NOUNS = [  # one list per topic; plural = noun + "s"
    "cat dog bird horse cow fish rabbit mouse goat duck sheep frog lion tiger bear wolf snake owl fox pig".split(),
    "apple bread cake carrot cookie egg lemon melon nut orange pear pie plum potato salad sandwich soup tomato "
    "pancake biscuit".split(),
    "car train boat plane truck bike bus rocket ship wagon scooter tractor canoe taxi van jet cart sled kayak "
    "helicopter".split(),
    "teacher doctor farmer pilot singer painter baker writer player driver nurse lawyer student artist "
    "engineer dancer soldier sailor waiter chef".split(),
]
VERBS = [  # one list per topic; third person singular = verb + "s"
    "chase feed watch follow pet scare find hear call catch".split(),
    "eat cook bake cut wash slice taste sell buy share".split(),
    "drive park fix paint repair load steer clean board rent".split(),
    "meet help thank visit teach greet admire invite join hire".split(),
]
PREPOSITIONS = "near behind under beside with without from for after before".split()
ADVERBS = "often never always sometimes quickly slowly really rarely".split()


def make_ptb_like(seed=0, n_train=50000, n_valid=5000, n_test=5000, topic_stay=0.85):
    """A Corpus of about n_train/n_valid/n_test tokens from the grammar above, fixed by seed.

    Sentence: [adverb] NP(subject) verb NP(object) [PP] [and NP verb NP] <eos>, where a verb
    agrees in number with its subject, nouns and verbs come from the sentence's topic, and the
    topic stays the same from one sentence to the next with probability topic_stay.
    Words within a category follow Zipf's law (weight 1/rank).  Vocabulary: about 310 words incl. <eos>.
    """
    rnd = random.Random(seed)
    state = {"topic": 0}

    def pick(words):
        return rnd.choices(words, cum_weights=_zipf_cum(len(words)))[0]

    def np_phrase(topic):
        number = "sg" if rnd.random() < 0.6 else "pl"
        words = [pick(DETERMINERS[number])]
        if rnd.random() < 0.4:
            words.append(pick(ADJECTIVES))
        return words + [pick(NOUNS[topic]) + ("s" if number == "pl" else "")], number

    def clause(topic):
        subject, number = np_phrase(topic)
        verb = pick(VERBS[topic]) + ("s" if number == "sg" else "")
        return subject + [verb] + np_phrase(topic)[0]

    def sentence():
        if rnd.random() > topic_stay:
            state["topic"] = rnd.randrange(len(NOUNS))
        topic = state["topic"]
        words = [pick(ADVERBS)] if rnd.random() < 0.15 else []
        words += clause(topic)
        if rnd.random() < 0.35:
            words += [pick(PREPOSITIONS)] + np_phrase(rnd.randrange(len(NOUNS)))[0]
        if rnd.random() < 0.2:
            words += ["and"] + clause(topic)
        return " ".join(words)

    def lines(n_tokens):
        out, count = [], 0
        while count < n_tokens:
            out.append(sentence())
            count += out[-1].count(" ") + 2                          # words + <eos>
        return out

    return corpus_from_lines(lines(n_train), lines(n_valid), lines(n_test))


_ZIPF = {}


def _zipf_cum(n):
    if n not in _ZIPF:
        _ZIPF[n] = list(np.cumsum(1.0 / np.arange(1, n + 1)))
    return _ZIPF[n]


def load_dataset(name, profile="quick", root=None, download=True, seed=0):
    """`name` in {"cifar10", "ptb"}; profile "quick" gives the synthetic stand-in, "full" the real data."""
    loaders = {("cifar10", "quick"): lambda: make_cifar_like(seed=seed),
               ("ptb", "quick"): lambda: make_ptb_like(seed=seed),
               ("cifar10", "full"): lambda: load_cifar10(root, download),
               ("ptb", "full"): lambda: load_ptb(root, download)}
    if (name, profile) not in loaders:
        raise ValueError(f"unknown dataset {name!r} or profile {profile!r}: use name 'cifar10' or 'ptb' "
                         f"and profile 'quick' or 'full'.")
    return loaders[name, profile]()
