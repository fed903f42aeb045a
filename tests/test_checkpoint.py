"""A resumed run equals an uninterrupted one: checkpoints restore weights, optimizer and RNG state."""
import os

import torch

from nas_kit.training.checkpoint import load_checkpoint, save_checkpoint


def _train(model, opt, steps):
    for _ in range(steps):
        x = torch.randn(8, 4)
        loss = (model(x) - x.sum(1, keepdim=True)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_resume_gives_the_same_weights_as_an_uninterrupted_run(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    _train(model, opt, 10)
    reference = model.weight.detach().clone()

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    _train(model, opt, 4)
    save_checkpoint(tmp_path / "ckpt.pt", model=model, optimizer=opt, step=4)
    torch.randn(100)  # the interruption disturbs the generator
    model2 = torch.nn.Linear(4, 1)
    opt2 = torch.optim.Adam(model2.parameters(), lr=0.1)
    state = load_checkpoint(tmp_path / "ckpt.pt", model=model2, optimizer=opt2)
    _train(model2, opt2, 10 - state["step"])
    assert torch.equal(model2.weight, reference)


def test_saving_leaves_no_temporary_file(tmp_path):
    save_checkpoint(tmp_path / "a.pt", step=1)
    assert os.listdir(tmp_path) == ["a.pt"]


def test_a_search_checkpoint_written_before_the_redesign_still_loads(tmp_path, monkeypatch):
    """A black-box search pickles its strategy and History whole. Before issue 13, History and Record lived in
    nas_kit.strategies.base, the cell spaces were one class, and the NAS-RL controller named its layer decisions
    after its space: such a checkpoint still loads, to the classes of today."""
    import nas_kit.strategies.base as old_home
    from nas_kit.results import History, Record
    from nas_kit.spaces import NASRLSpace, PNASSpace, pnas
    from nas_kit.spaces.cell import CellSpace
    from nas_kit.strategies import NASRLStrategy

    history = History()
    history.append(("skip_connect",) * 6, "cell", (0.5, 1.0, 1.0, "ok", ""))
    space = pnas(blocks=2)
    space.__class__ = CellSpace                                 # one class for every cell space, as before
    controller = NASRLStrategy(NASRLSpace(layers=2), seed=0).controller
    controller.kind = "nas_rl"
    monkeypatch.setattr(old_home, "Record", Record, raising=False)
    monkeypatch.setattr(History, "__module__", "nas_kit.strategies.base")
    monkeypatch.setattr(Record, "__module__", "nas_kit.strategies.base")
    save_checkpoint(tmp_path / "old.pt", search={"history": history, "space": space, "controller": controller})
    monkeypatch.undo()
    search = load_checkpoint(tmp_path / "old.pt", restore_rng=False)["search"]
    assert type(search["history"]) is History and type(search["history"][0]) is Record
    assert type(search["space"]) is PNASSpace and search["space"].key == "pnas" and search["space"].nodes == 2
    assert search["controller"].kind == "layers" and search["controller"].sample(0)
