"""Performance estimation (survey, Elsken et al. 2018, section 4): how to judge a candidate cheaply.

evaluator  Budget, Evaluator, train_and_evaluate: train a child for a small budget, reward = validation
           accuracy; cached, parallel on any concurrent.futures.Executor (process pool, Dask)
rnn_child  train_rnn_genotype: a recurrent cell's language model trained briefly, its validation perplexity
tabular    MiniBench: the kit's mini tabular benchmark, a lookup instead of a training
surrogate  the PNAS accuracy predictors (MLP and LSTM ensembles) and Spearman's rank correlation
"""
from nas_kit.estimation.evaluator import (Budget, Evaluator, build_child, builder, split_train_valid,
                                        train_and_evaluate)

__all__ = ["Budget", "Evaluator", "build_child", "builder", "split_train_valid", "train_and_evaluate"]
