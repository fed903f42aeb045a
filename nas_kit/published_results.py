"""The papers' headline results as plain data, like ``genotypes.py`` holds their cells: CIFAR-10 test error
and Penn Treebank test perplexity against parameters and search cost.

Sources: the tables in the lecture notes the kit teaches from (ENAS, Pham et al. 2018, Tables 1-2; NAS-RL,
Zoph & Le 2017, Table 1; PNAS, Liu et al. 2018, Table 1) and DARTS (Liu et al. 2019, Tables 1-2) for its own
rows and its random-search baselines. Search cost is GPUs x days of the search (final training excluded);
``spread`` is the standard deviation over repeated trainings where the paper gives one.
"""
from collections import namedtuple

Result = namedtuple("Result", "method strategy gpu_days params_m value spread source")

CIFAR10_RESULTS = [  # value: test error (%)
    Result("NAS-RL v3 + more filters", "RL", 800 * 28, 37.4, 3.65, None, "Zoph & Le 2017 (800 GPUs, 21-28 days)"),
    Result("NASNet-A + cutout", "RL", 450 * 4, 3.3, 2.65, None, "Zoph et al. 2018 (450 GPUs, 3-4 days)"),
    Result("AmoebaNet-A", "evolution", 3150, 3.2, 3.34, 0.06, "Real et al. 2019"),
    Result("PNASNet-5", "SMBO", 100 * 1.5, 3.2, 3.41, 0.09, "Liu et al. 2018 (100 GPUs, 1.5 days)"),
    Result("ENAS macro + more channels", "RL+WS", 0.32, 38.0, 3.87, None, "Pham et al. 2018"),
    Result("ENAS micro + cutout", "RL+WS", 0.45, 4.6, 2.89, None, "Pham et al. 2018"),
    Result("random search + cutout", "random", 4, 3.2, 3.29, 0.15, "Liu et al. 2019 (DARTS's baseline)"),
    Result("DARTS first order + cutout", "gradient", 1.5, 3.3, 3.00, 0.14, "Liu et al. 2019"),
    Result("DARTS second order + cutout", "gradient", 4, 3.3, 2.76, 0.09, "Liu et al. 2019"),
]

PTB_RESULTS = [  # value: test perplexity
    Result("NAS-RL cell", "RL", 1e4, 54.0, 62.4, None, "Zoph & Le 2017 (400 CPUs: CPU-days, per DARTS)"),
    Result("ENAS cell", "RL+WS", 0.42, 24.0, 55.8, None, "Pham et al. 2018 (10 hours, 1 GPU)"),
    Result("random search", "random", 2, 23.0, 59.4, None, "Liu et al. 2019 (DARTS's baseline)"),
    Result("DARTS first order", "gradient", 0.5, 23.0, 57.6, None, "Liu et al. 2019"),
    Result("DARTS second order", "gradient", 1, 23.0, 55.7, None, "Liu et al. 2019"),
]
