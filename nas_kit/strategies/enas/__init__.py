"""ENAS (Pham et al. 2018): the controller, REINFORCE, the shared-weight tasks and the search loop, the retraining
of what it finds, and the search command's recipes.

controller  ENASController: writes ENAS recurrent cells, macro networks and micro cells (sections 2.1-2.4)
reinforce   REINFORCE: the policy gradient with a moving-average baseline, the entropy bonus, the skip penalty
tasks       PTBTask, CIFARTask: a supernet, its data and optimizer; one epoch of shared weights; the rewards
search      enas_search, derive, random_architectures: the alternating loop, checkpointed, and its controls
retrain     retrain_ptb, retrain_cifar: the derived architecture from scratch
recipe      the papers' settings per space, full and quick; run: the ``search --method enas`` runner
"""
from nas_kit.strategies.enas.controller import ENASController
from nas_kit.strategies.enas.reinforce import REINFORCE
from nas_kit.strategies.enas.retrain import retrain_cifar, retrain_ptb
from nas_kit.strategies.enas.search import MODES, derive, enas_search, make_sampler, random_architectures
from nas_kit.strategies.enas.tasks import CIFARTask, PTBTask, cosine_lr

__all__ = ["ENASController", "REINFORCE", "retrain_cifar", "retrain_ptb", "MODES", "derive", "enas_search",
           "make_sampler", "random_architectures", "CIFARTask", "PTBTask", "cosine_lr"]
