"""Issue 14's smaller points: evolution's identity mutation from the command line, DARTS's augmented alpha batches."""
import torch

from nas_kit.methods import settings_for
from nas_kit.models.darts_search import SearchNetwork
from nas_kit.registry import space_of
from nas_kit.strategies.darts import search as darts_search
from nas_kit.strategies.evolution import EvolutionRecipe, RegularizedEvolution


def test_the_identity_mutation_can_be_switched_on_from_the_command_line():
    s = settings_for("evolution", "nasnet", "quick", {"identity_prob": "1.0"})
    recipe = EvolutionRecipe(**{k: s[k] for k in ("budget", "population", "sample_size", "aging", "identity_prob")})
    strategy = recipe.make(space_of("nasnet"), 0)
    assert isinstance(strategy, RegularizedEvolution) and strategy.identity_prob == 1.0
    assert settings_for("evolution", "nasnet", "full")["identity_prob"] == 0.0


def test_the_alpha_batches_are_cropped_and_flipped_as_train_search_py_valid_queue(monkeypatch):
    """cnn/train_search.py: valid_queue reads the training set with train_transform (crop and flip)."""
    torch.manual_seed(0)
    x, y = torch.rand(8, 3, 8, 8), torch.randint(10, (8,))
    seen = []
    monkeypatch.setattr(darts_search.Architect, "step", lambda self, train, valid, xi=None: seen.append(valid[0]))
    model = SearchNetwork(C=2, num_classes=10, layers=2, steps=2, multiplier=2)
    darts_search.search_cnn(model, x, y, epochs=1, batch_size=4, log=lambda *a: None)
    _, idx_a = darts_search.split_half(8, 0)
    plain = darts_search.normalize(x[idx_a])
    assert len(seen) == 1 and seen[0].shape == plain.shape
    assert not any(torch.allclose(seen[0][k], plain[j]) for k in range(4) for j in range(4))
