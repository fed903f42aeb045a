"""Training: the one training loop per task and what a long run leaves behind.

cifar        the training loop on images (final training, evaluator children, ENAS retraining)
ptb          the training loop on a token stream (final training, DARTS children, ENAS retraining)
train_cifar  the ``train`` command on CIFAR-10: DARTS's evaluation recipe, checkpointed every epoch
train_ptb    the ``train`` command on Penn Treebank: DARTS's (AWD-LSTM) recipe, checkpointed every epoch
train_macro  the ``train`` command for an ENAS macro network: cifar10_macro_final.sh's recipe, train_cifar's loop
checkpoint   checkpoints that resume exactly; run_dir: the files of a run directory; progress: the display
lock         one process per run directory (a flock that a killed run releases)
"""
