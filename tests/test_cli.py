"""The command line: a killed training run resumes to the same weights, bad settings and genotypes give one
line, and a quick search of each kind leaves a run directory whose genotype `train` can read."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from nas_kit.cli import main
from nas_kit.strategies import black_box, nash
from nas_kit.training import run_dir as rd

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--profile", "quick", "--progress", "lines", "--set", "C=4", "--set", "layers=3", "--set", "n_train=192",
        "--set", "n_test=32", "--set", "batch_size=16", "--set", "epochs=2", "--set", "threads=1"]


def nas_kit(*args, timeout=120):
    """Run ``python -m nas_kit ARGS`` in a subprocess; return it finished."""
    return subprocess.run([sys.executable, "-m", "nas_kit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def weights(run_dir):
    return torch.load(Path(run_dir) / rd.CHECKPOINT, map_location="cpu", weights_only=False)["model"]


def test_a_run_killed_in_its_second_epoch_resumes_to_the_weights_of_an_uninterrupted_run(tmp_path):
    torch.set_num_threads(1)
    killed, straight = tmp_path / "killed", tmp_path / "straight"
    proc = subprocess.Popen([sys.executable, "-m", "nas_kit", "train", "--genotype", "DARTS_V2", *TINY,
                             "--run-dir", str(killed)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    metrics, deadline = killed / rd.METRICS, time.time() + 120
    while not (metrics.exists() and len(rd.read_metrics(metrics)) >= 1):     # epoch 1 done, epoch 2 under way
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.time() < deadline, "the first epoch did not finish in 120 s"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    proc.stderr.close()
    assert len(rd.read_metrics(metrics)) == 1                                 # killed during epoch 2
    assert torch.load(killed / rd.CHECKPOINT, weights_only=False)["epoch"] == 0

    assert main(["train", "--resume", "--run-dir", str(killed), "--progress", "off"]) == 0
    assert main(["train", "--genotype", "DARTS_V2", *TINY, "--run-dir", str(straight), "--progress", "off"]) == 0
    resumed, reference = weights(killed), weights(straight)
    assert resumed.keys() == reference.keys()
    for name in reference:
        assert torch.equal(resumed[name], reference[name]), name
    assert rd.read_metrics(killed) == [dict(r, seconds=m["seconds"]) for r, m in
                                       zip(rd.read_metrics(straight), rd.read_metrics(killed))]


def test_a_bad_setting_is_one_line_on_stderr_with_exit_status_2():
    run = nas_kit("train", "--genotype", "DARTS_V2", "--set", "lr=fast")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stderr == "nas_kit: error: setting lr='fast' is not a float (its default is 0.025).\n"


@pytest.mark.parametrize("args, words", [
    (["train", "--genotype", "DARTS_V2", "--set", "dropouth=0.5"], ["unknown setting 'dropouth'", "valid keys are", "cutout"]),
    (["train", "--genotype", "DARTS_V2", "--set", "epochs=0"], ["epochs=0 must be at least 1"]),
    (["train", "--genotype", "DARTS_V2", "--set", "epochs"], ["not of the form key=value"]),
    (["train", "--genotype", "DARTS_V2", "--task", "ptb"], ["trains on cifar10, not ptb"]),
    (["train", "--genotype", "DARTS_V4"], ["not a published genotype", "DARTS_V2"]),
    (["train", "--genotype", "Genotype(normal=[('conv_9x9', 0), ('skip_connect', 1)], normal_concat=[2], "
               "reduce=[('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])"], ["unknown op 'conv_9x9'"]),
    (["train", "--genotype", "NASNet", "--space", "darts"], ["invalid architecture", "DARTS"]),
    (["train", "--genotype", "DARTS_V2", "--profile", "fast"], ["invalid choice: 'fast'"]),
    (["search", "--method", "darts", "--space", "nasnet"], ["does not run on the 'nasnet' space", "darts_rnn"]),
    (["search", "--method", "evolution", "--set", "population=many"], ["population='many' is not an integer"]),
    (["train", "--resume"], ["--resume needs --run-dir"]),
    (["search", "--method", "tpe", "--space", "darts"], ["does not run on the 'darts' space", "mini_bench"]),
    (["search", "--method", "hyperband", "--space", "mini_bench", "--set", "eta=1"], ["needs eta >= 2"]),
    (["search", "--method", "bohb", "--space", "mini_bench", "--set", "max_epochs=8"], ["whole number of epochs 1..6"]),
])
def test_expected_failures_are_one_sentence(args, words, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(args + ["--run-dir", str(tmp_path / "run")] if "--resume" not in args else args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("nas_kit: error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err


def test_the_full_profile_shows_the_darts_evaluation_recipe(capsys, tmp_path):
    assert main(["train", "--genotype", "DARTS_V2", "--profile", "full", "--show-settings",
                 "--run-dir", str(tmp_path / "x")]) == 0
    settings = json.loads(capsys.readouterr().out)
    assert {k: settings[k] for k in ("epochs", "batch_size", "lr", "C", "layers", "cutout", "drop_path_prob",
                                     "auxiliary_weight", "grad_clip")} == \
        dict(epochs=600, batch_size=96, lr=0.025, C=36, layers=20, cutout=16, drop_path_prob=0.2,
             auxiliary_weight=0.4, grad_clip=5.0)
    assert not (tmp_path / "x").exists()


def test_a_quick_black_box_search_writes_its_run_directory(tmp_path, capsys):
    run = tmp_path / "evolution"
    assert main(["search", "--method", "evolution", "--space", "darts", "--set", "budget=6", "--set", "population=3",
                 "--set", "sample_size=2", "--set", "parallel=3", "--set", "n_train=120", "--set", "image_size=8",
                 "--progress", "off", "--run-dir", str(run)]) == 0
    assert {"config.json", "metrics.csv", "checkpoint.pt", "genotype.txt", "genotype.gv", "results.json"} <= \
        {p.name for p in run.iterdir()}
    rows = rd.read_metrics(run)
    assert [r["child"] for r in rows] == list(range(1, 7)) and all(r["status"] == "ok" for r in rows)
    results = rd.read_json(run / rd.RESULTS)
    assert results["reward"] == max(r["reward"] for r in rows) and results["evaluations"] == 6
    assert json.loads((run / rd.CONFIG).read_text())["settings"]["population"] == 3
    # resuming a finished search evaluates nothing more
    assert main(["search", "--resume", "--run-dir", str(run), "--progress", "off"]) == 0
    assert len(rd.read_metrics(run)) == 6
    assert "train it with: python -m nas_kit train --genotype" in capsys.readouterr().out


@pytest.mark.parametrize("method", ["tpe", "bo", "hyperband", "bohb"])
def test_a_search_of_the_mini_benchmark_resumes_where_it_stopped(method, tmp_path, monkeypatch):
    """A search interrupted after three batches and resumed records what an uninterrupted one records."""
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    common = ["search", "--method", method, "--space", "mini_bench", "--set", "parallel=4", "--progress", "off",
              "--set", "budget=24"]
    assert main(common + ["--run-dir", str(straight)]) == 0
    batches, run_search = [], black_box.run_search

    def interrupted_after_three_batches(*args, **kwargs):
        if len(batches) == 3:
            raise KeyboardInterrupt
        batches.append(run_search(*args, **kwargs))

    monkeypatch.setattr(black_box, "run_search", interrupted_after_three_batches)
    assert main(common + ["--run-dir", str(stopped)]) == 130
    monkeypatch.setattr(black_box, "run_search", run_search)
    assert main(["search", "--resume", "--run-dir", str(stopped), "--progress", "off"]) == 0
    keys = ("encoding", "reward", "fidelity", "cost")
    assert [[r[k] for k in keys] for r in rd.read_metrics(stopped)] == \
        [[r[k] for k in keys] for r in rd.read_metrics(straight)]
    results = rd.read_json(straight / rd.RESULTS)
    assert results["evaluations"] == 24 and len({r["fidelity"] for r in rd.read_metrics(straight)}) == \
        (3 if method in ("hyperband", "bohb") else 1)


def test_a_quick_nash_search_climbs_writes_its_steps_and_resumes_to_the_end(tmp_path, monkeypatch):
    run, step = tmp_path / "nash", nash.NASH.step

    def interrupted_at_the_second_step(climber):
        if climber.step_count == 1:
            raise KeyboardInterrupt
        return step(climber)

    monkeypatch.setattr(nash.NASH, "step", interrupted_at_the_second_step)
    assert main(["search", "--method", "nash", "--set", "n_steps=2", "--progress", "off", "--run-dir", str(run)]) == 130
    assert [r["step"] for r in rd.read_metrics(run)] == [1]
    monkeypatch.setattr(nash.NASH, "step", step)
    assert main(["search", "--resume", "--run-dir", str(run), "--progress", "off"]) == 0
    rows = rd.read_metrics(run)
    assert [r["step"] for r in rows] == [1, 2] and rows[-1]["epochs"] == 1 + 2 * 3
    assert rd.read_json(run / rd.RESULTS)["text"] == rows[-1]["arch"]


def test_a_quick_darts_search_hands_its_genotype_to_train(tmp_path, capsys):
    search, train = tmp_path / "darts", tmp_path / "train"
    assert main(["search", "--method", "darts", "--space", "darts", "--set", "epochs=1", "--set", "n_train=64",
                 "--set", "layers=3", "--set", "C=2", "--set", "image_size=8", "--set", "batch_size=16",
                 "--progress", "off", "--run-dir", str(search)]) == 0
    assert (search / "darts_search.pt").is_file() and len(rd.read_metrics(search)) == 1
    text = (search / "genotype.txt").read_text()
    assert text.startswith("Genotype(normal=[")
    assert main(["train", "--genotype", str(search), *TINY, "--set", "epochs=1", "--run-dir", str(train),
                 "--progress", "off"]) == 0
    config = rd.read_json(train / rd.CONFIG)
    assert config["genotype"] == text.strip() and config["task"] == "cifar10"
    out = capsys.readouterr().out
    assert "test accuracy" in out and str(train) in out


def test_a_new_run_refuses_a_directory_that_holds_one(tmp_path):
    run = tmp_path / "run"
    rd.write_metrics(run / rd.METRICS, [dict(epoch=1)])
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--genotype", "DARTS_V2", "--run-dir", str(run)])
    assert exit_.value.code == 2


def test_without_graphviz_the_run_directory_gets_the_dot_source_and_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    from nas_kit.genotypes import DARTS_V2, to_darts_string
    from nas_kit.viz import draw_genotype
    note = rd.write_genotype(tmp_path, to_darts_string(DARTS_V2), draw_genotype(DARTS_V2))
    assert note.count(". ") == 0 and note.endswith(".") and "genotype.gv" in note
    assert sorted(p.name for p in tmp_path.iterdir()) == ["genotype.gv", "genotype.txt"]
    assert "sep_conv_3x3" in (tmp_path / "genotype.gv").read_text()


@pytest.mark.parametrize("method", ["random", "evolution", "nas_rl", "pnas", "enas", "darts", "nash", "tpe", "bo", "hyperband",
                                    "bohb"])
def test_every_method_has_quick_and_full_settings_with_the_same_keys_on_each_of_its_spaces(method):
    from nas_kit import methods
    for space in methods.METHODS[method].spaces:
        quick, full = (methods.defaults(method, space, p) for p in ("quick", "full"))
        assert quick.keys() == full.keys(), (method, space)
