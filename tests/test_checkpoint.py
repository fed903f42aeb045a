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
