"""Run directories nobody can corrupt, and every bad input a sentence (issue 15): one test per defect, named for it,
with real processes and real signals where the defect involves them."""
import json
import math
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from nas_kit.cli import main
from nas_kit.data import download as download_module
from nas_kit.data import load_cifar10, load_ptb
from nas_kit.data.synthetic import make_cifar_like
from nas_kit.files import atomic, remove_leftovers
from nas_kit.strategies.darts.search import CHECKPOINT as DARTS_CHECKPOINT
from nas_kit.training import ptb
from nas_kit.training import run_dir as rd

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NAS_KIT_SHARED_DATA") or ROOT.parent / "shared" / "data")
TINY = ["--profile", "quick", "--progress", "off", "--set", "C=2", "--set", "layers=3", "--set", "n_train=64",
        "--set", "n_test=32", "--set", "batch_size=32", "--set", "epochs=2", "--set", "threads=1"]
DARTS_TINY = ["--method", "darts", "--profile", "quick", "--progress", "off", "--set", "epochs=2", "--set", "n_train=64",
              "--set", "batch_size=16"]
TABLE = ["--method", "random", "--space", "mini_bench", "--profile", "quick", "--progress", "off"]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def fails(argv, capsys, *words) -> str:
    """main(argv) exits 2 with one line on stderr that holds every one of ``words``; that line."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and err.startswith("nas_kit: error: "), err
    for word in words:
        assert str(word) in err, err
    return err


def popen(log: Path, *args):
    """``python -m nas_kit ARGS``, its output to the file ``log`` (not a pipe: an orphan could hold it open)."""
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, "-m", "nas_kit", *args], cwd=ROOT, env=ENV, stdout=out,
                                stderr=subprocess.STDOUT)


def wait_for(condition, proc, what: str, seconds: float = 180):
    deadline = time.time() + seconds
    while not condition():
        assert proc is None or proc.poll() is None, f"{what}: the process ended with status {proc.returncode}"
        assert time.time() < deadline, f"{what} did not happen in {seconds} s"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A finished tiny `train` run directory (copy it before changing it)."""
    run_dir = tmp_path_factory.mktemp("trained") / "run"
    assert main(["train", "--genotype", "DARTS_V2", *TINY, "--run-dir", str(run_dir)]) == 0
    return run_dir


@pytest.fixture(scope="module")
def darts_run(tmp_path_factory):
    """A finished tiny DARTS search run directory (copy it before changing it)."""
    run_dir = tmp_path_factory.mktemp("darts") / "run"
    assert main(["search", *DARTS_TINY, "--run-dir", str(run_dir)]) == 0
    return run_dir


def copy(run_dir, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run_dir, target)
    return target


# ---------------------------------------------------------------- 1. no lock on a run directory
def test_1_a_second_run_in_a_held_run_directory_is_refused_naming_the_holder_and_its_stale_lock_never_blocks_resume(
        tmp_path):
    run_dir = tmp_path / "cc"
    first = popen(tmp_path / "first.log", "train", "--genotype", "DARTS_V2", *TINY, "--run-dir", str(run_dir))
    try:
        wait_for(lambda: (run_dir / rd.CONFIG).exists(), first, "the first run's config.json")
        os.kill(first.pid, signal.SIGSTOP)                         # it holds the directory, and stays put
        config = (run_dir / rd.CONFIG).read_bytes()
        second = subprocess.run([sys.executable, "-m", "nas_kit", "train", "--genotype", "DARTS_V1", *TINY,
                                 "--run-dir", str(run_dir)], cwd=ROOT, env=ENV, capture_output=True, text=True,
                                timeout=300)
        assert second.returncode == 2 and second.stderr.count("\n") == 1, second.stderr
        assert f"process {first.pid} " in second.stderr and "in use" in second.stderr and "nas_kit" in second.stderr
        assert (run_dir / rd.CONFIG).read_bytes() == config                   # the second run wrote nothing
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    assert str(first.pid) in (run_dir / "lock").read_text()                   # a stale lock file, left by a kill
    assert main(["train", "--resume", "--run-dir", str(run_dir), "--progress", "off"]) == 0
    assert json.loads((run_dir / rd.CONFIG).read_text())["name"] == "DARTS_V2"
    assert len(rd.read_metrics(run_dir)) == 2


# ---------------------------------------------------------------- 2. a rejected --set on resume damaged config.json
def test_2_a_rejected_override_on_resume_leaves_config_json_untouched_and_the_run_resumable(trained, tmp_path, capsys):
    run_dir = copy(trained, tmp_path)
    config = (run_dir / rd.CONFIG).read_bytes()
    fails(["train", "--resume", "--run-dir", str(run_dir), "--set", "C=8"], capsys, "C cannot change on resume",
          "new --run-dir")
    assert (run_dir / rd.CONFIG).read_bytes() == config
    assert main(["train", "--resume", "--run-dir", str(run_dir), "--progress", "off"]) == 0


def test_2_a_rejected_override_on_resuming_a_darts_search_is_one_sentence_not_a_traceback(darts_run, tmp_path,
                                                                                         capsys):
    run_dir = copy(darts_run, tmp_path)
    config = (run_dir / rd.CONFIG).read_bytes()
    fails(["search", "--resume", "--run-dir", str(run_dir), "--set", "C=8"], capsys, "C cannot change on resume")
    assert (run_dir / rd.CONFIG).read_bytes() == config
    assert main(["search", "--resume", "--run-dir", str(run_dir), "--progress", "off"]) == 0


# ---------------------------------------------------------------- 3. overrides on resume ignored or mixed in
@pytest.mark.parametrize("key, value", [("lr", "0.0001"), ("epochs", "6"), ("seed", "1"), ("cutout", "0")])
def test_3_a_setting_that_changes_what_was_trained_is_refused_on_resume(trained, tmp_path, capsys, key, value):
    run_dir = copy(trained, tmp_path)
    config = (run_dir / rd.CONFIG).read_bytes()
    fails(["train", "--resume", "--run-dir", str(run_dir), "--set", f"{key}={value}"], capsys,
          f"{key} cannot change on resume", "start a new --run-dir")
    assert (run_dir / rd.CONFIG).read_bytes() == config


def test_3_a_black_box_search_resumed_with_another_fidelity_is_refused(tmp_path, capsys):
    run_dir = tmp_path / "table"
    assert main(["search", *TABLE, "--run-dir", str(run_dir)]) == 0
    fails(["search", "--resume", "--run-dir", str(run_dir), "--set", "fidelity_epoch=2"], capsys,
          "fidelity_epoch cannot change on resume")


def test_3_where_and_how_fast_a_run_goes_may_change_on_resume_and_take_effect(trained, tmp_path):
    run_dir = copy(trained, tmp_path)
    assert main(["train", "--resume", "--run-dir", str(run_dir), "--progress", "off", "--set", "threads=2",
                 "--set", "device=cpu", "--set", "data_root=/nowhere"]) == 0
    assert {k: v for k, v in rd.read_json(run_dir / rd.CONFIG)["settings"].items() if k in rd.RESUMABLE} == dict(
        device="cpu", threads=2, data_root="/nowhere")
    assert torch.get_num_threads() == 2
    torch.set_num_threads(1)
    assert rd.read_metrics(run_dir) == rd.read_metrics(trained)


def test_3_no_message_tells_users_to_resume_with_another_learning_rate():
    for path in (ROOT / "nas_kit").rglob("*.py"):
        text = " ".join(path.read_text().replace('f"', "").replace('"', "").split())
        for found in re.finditer("smaller learning rate", text):
            before = text[max(0, found.start() - 60):found.start()]
            assert "new --run-dir" in before and "resume" not in before, (path, before)


# ---------------------------------------------------------------- 4. a corrupt .npz was a traceback
def test_4_a_corrupt_cifar10_npz_is_one_sentence_naming_the_file(tmp_path, capsys):
    d = make_cifar_like(n_train=40, n_test=10, seed=0)
    np.savez_compressed(tmp_path / "cifar10.npz", x_train=d.x_train, y_train=d.y_train, x_test=d.x_test,
                        y_test=d.y_test)
    whole = (tmp_path / "cifar10.npz").read_bytes()
    (tmp_path / "cifar10.npz").write_bytes(whole[:300] + bytes(300) + whole[600:])           # damaged inside
    fails(["train", "--genotype", "DARTS_V2", *TINY, "--set", "data=cifar10", "--set", f"data_root={tmp_path}",
           "--run-dir", str(tmp_path / "run")], capsys, tmp_path / "cifar10.npz", "corrupt", "delete it")
    (tmp_path / "cifar10.npz").write_bytes(whole[: len(whole) // 2])                          # cut short
    with pytest.raises(ValueError, match="cifar10.npz is truncated or corrupt"):
        load_cifar10(tmp_path, download=False)


@pytest.mark.skipif(not (SHARED / "cifar10" / "cifar10_jpeg.npz").exists(), reason="no JPEG copy of CIFAR-10")
def test_4_a_truncated_jpeg_npz_is_one_sentence_naming_the_file(tmp_path):
    whole = (SHARED / "cifar10" / "cifar10_jpeg.npz").read_bytes()
    (tmp_path / "cifar10_jpeg.npz").write_bytes(whole[: len(whole) - 4096])
    with pytest.raises(ValueError) as err:
        load_cifar10(tmp_path, download=False)
    assert str(tmp_path / "cifar10_jpeg.npz") in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "cifar10.npz").exists()


# ---------------------------------------------------------------- 5. a failing `dot` crashed a finished search
@pytest.fixture
def broken_dot(tmp_path, monkeypatch):
    """`dot` on the PATH, failing (``mode='fail'``) or hanging."""
    def install(mode="fail"):
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        script = bin_dir / "dot"
        script.write_text("#!/bin/sh\n" + ("echo 'Error: syntax error in line 1' >&2; exit 1\n" if mode == "fail"
                                           else "sleep 30\n"))
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return install


def test_5_a_failing_dot_is_a_warning_after_the_results_are_written_and_resume_does_not_repeat_a_crash(
        tmp_path, capsys, broken_dot):
    broken_dot("fail")
    run_dir = tmp_path / "run"
    assert main(["search", *TABLE, "--run-dir", str(run_dir)]) == 0
    err = capsys.readouterr().err
    assert "warning: Graphviz's `dot` failed" in err and "exited with status 1" in err
    assert (run_dir / rd.RESULTS).exists() and (run_dir / "genotype.txt").exists() and (run_dir / "genotype.gv").exists()
    assert not (run_dir / "genotype.svg").exists()
    assert main(["search", "--resume", "--run-dir", str(run_dir), "--progress", "off"]) == 0


def test_5_a_hanging_dot_is_given_up_with_a_warning(tmp_path, broken_dot, monkeypatch):
    import graphviz
    from nas_kit.viz import graphviz_tools
    broken_dot("hang")
    monkeypatch.setattr(graphviz_tools, "DOT_TIMEOUT", 0.5)
    graph = graphviz.Digraph()
    graph.edge("a", "b")
    note = rd.write_genotype(tmp_path, "x", graph)
    assert note.startswith("warning:") and "more than 0.5 s" in note and (tmp_path / "genotype.gv").exists()


# ---------------------------------------------------------------- 6. local PTB files were never checked
@pytest.fixture
def ptb_copy(tmp_path):
    if not (SHARED / "ptb" / "train.txt").exists():
        pytest.skip(f"no PTB in {SHARED / 'ptb'}")
    root = tmp_path / "ptb"
    root.mkdir()
    for split in ("train", "valid", "test"):
        shutil.copy(SHARED / "ptb" / f"{split}.txt", root / f"ptb.{split}.txt")
    return root


def test_6_a_truncated_or_other_local_ptb_file_is_refused_naming_it(ptb_copy, monkeypatch):
    train = ptb_copy / "ptb.train.txt"
    whole = train.read_bytes()
    train.write_bytes(whole[: len(whole) * 3 // 4])
    monkeypatch.setattr(download_module.urllib.request, "urlopen", lambda *a, **k: pytest.fail("network used"))
    with pytest.raises(ValueError) as err:
        load_ptb(ptb_copy, download=False)
    assert str(train) in str(err.value) and "not Penn Treebank's train split" in str(err.value)
    assert len(load_ptb(ptb_copy, download=False, verify=False).vocab) < 10_000        # what trained silently before
    shutil.copy(ptb_copy / "ptb.valid.txt", train)                                         # another text in its place
    with pytest.raises(ValueError, match="not Penn Treebank's train split"):
        load_ptb(ptb_copy, download=False)


def test_6_a_local_ptb_file_is_hashed_once(ptb_copy, monkeypatch):
    assert len(load_ptb(ptb_copy, download=False).vocab) == 10_000
    assert (ptb_copy / ".ptb.train.txt.sha256").exists()
    monkeypatch.setattr(download_module, "file_hash", lambda *a, **k: pytest.fail("hashed again"))
    assert len(load_ptb(ptb_copy, download=False).vocab) == 10_000


# ---------------------------------------------------------------- 7. a NaN DARTS / ENAS search exited 0
def test_7_a_darts_search_whose_loss_turns_nan_stops_keeping_its_last_finite_checkpoint(tmp_path, capsys):
    run_dir = tmp_path / "nan"
    fails(["search", "--method", "darts", "--progress", "off", "--set", "lr=1e6", "--set", "epochs=2",
           "--set", "n_train=256", "--run-dir", str(run_dir)], capsys, "diverged", "no genotype was derived")
    assert not (run_dir / "genotype.txt").exists() and not (run_dir / rd.RESULTS).exists()
    if (run_dir / DARTS_CHECKPOINT).exists():
        payload = torch.load(run_dir / DARTS_CHECKPOINT, weights_only=False)
        assert all(torch.isfinite(a).all() for a in payload["model"].values() if a.is_floating_point())
        assert all(math.isfinite(e["train_loss"]) for e in payload["history"])


def test_7_the_checkpoint_a_nan_darts_search_keeps_is_its_last_finite_epoch(tmp_path):
    from nas_kit.models.darts_search import SearchNetwork
    from nas_kit.strategies.darts.search import search_cnn
    torch.manual_seed(0)
    model = SearchNetwork(C=2, layers=3, steps=2, multiplier=2)
    x, y = torch.rand(32, 3, 8, 8), torch.randint(0, 10, (32,))

    def poison(history):                                   # after epoch 1's checkpoint, alpha turns NaN
        with torch.no_grad():
            model.arch_parameters()[0].fill_(float("nan"))
    with pytest.raises(FloatingPointError, match=f"diverged in epoch 2 .*kept in {tmp_path / DARTS_CHECKPOINT}"):
        search_cnn(model, x, y, epochs=3, batch_size=8, run_dir=tmp_path, log=lambda *a: None, on_epoch=poison)
    payload = torch.load(tmp_path / DARTS_CHECKPOINT, weights_only=False)
    assert payload["epoch"] == 0 and len(payload["history"]) == 1
    assert all(torch.isfinite(t).all() for t in payload["model"].values() if t.is_floating_point())


def test_7_an_enas_search_whose_loss_turns_nan_stops_with_one_sentence(tmp_path, capsys):
    run_dir = tmp_path / "nan"
    fails(["search", "--method", "enas", "--space", "enas_rnn", "--progress", "off", "--set", "lr=1e6",
           "--set", "epochs=2", "--run-dir", str(run_dir)], capsys, "ENAS search diverged", "no architecture")
    assert not (run_dir / "genotype.txt").exists() and not (run_dir / rd.RESULTS).exists()


# ---------------------------------------------------------------- 8. files were created mode 0600
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664)])
def test_8_files_get_the_umasks_mode_as_open_would_give_them(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        with atomic(tmp_path / "table.json", "w") as f:
            f.write("{}")
        run_dir = tmp_path / "run"
        subprocess.run([sys.executable, "-m", "nas_kit", "search", *TABLE, "--run-dir", str(run_dir)], cwd=ROOT,
                       env=ENV, check=True, capture_output=True, timeout=300)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "table.json").stat().st_mode) == mode
    files = [p for p in run_dir.iterdir() if p.is_file()]
    assert {rd.CONFIG, rd.METRICS, rd.CHECKPOINT, rd.RESULTS, "lock", "genotype.txt"} <= {p.name for p in files}
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: mode for p in files}


# ---------------------------------------------------------------- 9. pool workers outlived a killed parent
def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_9_process_pool_workers_exit_when_their_parent_is_killed(tmp_path):
    run_dir, workers = tmp_path / "pool", []
    parent = popen(tmp_path / "parent.log", "search", "--method", "random", "--space", "nasnet", "--profile", "quick", "--progress", "off",
                   "--set", "budget=64", "--set", "pool=process", "--set", "workers=2", "--run-dir", str(run_dir))
    try:
        wait_for(lambda: (run_dir / rd.METRICS).exists(), parent, "the first batch of children")
        workers = _children(parent.pid)
        assert len(workers) == 2 and parent.poll() is None
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    try:
        wait_for(lambda: not any(_alive(w) for w in workers), None, "the workers' exit", seconds=30)
    finally:
        for w in workers:                                   # a failed test leaves no orphan behind
            if _alive(w):
                os.kill(w, signal.SIGKILL)


# ---------------------------------------------------------------- 10. search sizes were not checked up front
@pytest.mark.parametrize("args, key", [
    (["--method", "random", "--space", "nasnet", "--set", "parallel=0"], "parallel"),
    (["--method", "darts", "--set", "epochs=0"], "epochs"),
    (["--method", "darts", "--set", "batch_size=0"], "batch_size"),
    (["--method", "random", "--space", "mini_bench", "--set", "budget=0"], "budget"),
    (["--method", "enas", "--set", "epochs=0"], "epochs"),
    (["--method", "random", "--space", "nasnet", "--set", "child_epochs=0"], "child_epochs"),
    (["--method", "evolution", "--space", "mini_bench", "--set", "population=0"], "population"),
])
def test_10_search_sizes_are_checked_before_anything_runs(tmp_path, capsys, args, key):
    run_dir = tmp_path / "run"
    fails(["search", *args, "--run-dir", str(run_dir)], capsys, f"setting {key}=0 must be at least 1")
    assert not run_dir.exists()


# ---------------------------------------------------------------- 11. kill windows
def test_11_resume_rewrites_metrics_csv_from_the_checkpoint(trained, tmp_path):
    run_dir = copy(trained, tmp_path)
    lines = (run_dir / rd.METRICS).read_text().splitlines(keepends=True)
    (run_dir / rd.METRICS).write_text("".join(lines[:-1]))          # killed between the checkpoint and its row
    assert main(["train", "--resume", "--run-dir", str(run_dir), "--progress", "off"]) == 0
    assert (run_dir / rd.METRICS).read_text() == (trained / rd.METRICS).read_text()


def test_11_temporary_files_left_by_killed_writes_are_removed_at_start(trained, tmp_path):
    run_dir = copy(trained, tmp_path)
    leftovers = [run_dir / ".checkpoint.pt.1a2b3c4d.tmp", run_dir / ".metrics.csv.5e6f7a8b.tmp", run_dir / "x.part"]
    for path in leftovers:
        path.write_bytes(b"half")
    assert main(["train", "--resume", "--run-dir", str(run_dir), "--progress", "off"]) == 0
    assert not any(p.exists() for p in leftovers)


def test_11_a_data_folder_keeps_the_temporary_file_of_a_living_writer(tmp_path):
    import fcntl
    dead, young, alive = tmp_path / ".cifar10.npz.00000000.tmp", tmp_path / ".a.11111111.tmp", tmp_path / "b.part"
    for path in (dead, young, alive):
        path.write_bytes(b"half")
    for path in (dead, alive):
        os.utime(path, (time.time() - 3600,) * 2)
    with open(alive, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)                             # another process, still writing it
        assert remove_leftovers(tmp_path) == [dead]
    assert young.exists() and alive.exists()


def test_11_a_resumed_black_box_search_retrains_no_child(tmp_path, monkeypatch):
    from nas_kit.estimation import evaluator
    from nas_kit.strategies import black_box
    trained_children = []
    real_train = evaluator.train_and_evaluate

    def counting(arch, *args):
        trained_children.append(repr(arch))
        return real_train(arch, *args)
    monkeypatch.setattr(evaluator, "train_and_evaluate", counting)
    args = ["search", "--method", "random", "--space", "enas_macro", "--profile", "quick", "--progress", "off",
            "--set", "layers=1", "--set", "budget=12", "--set", "parallel=4"]
    assert main([*args, "--run-dir", str(tmp_path / "straight")]) == 0
    straight, trained_straight = rd.read_metrics(tmp_path / "straight"), list(trained_children)
    assert len(straight) == 12 > len(trained_straight)                    # some children repeat, as cache hits

    class Killed(BaseException):
        pass
    real_write = black_box.rd.write_metrics

    def killed_after_the_first_checkpoint(*a):
        monkeypatch.setattr(black_box.rd, "write_metrics", real_write)
        raise Killed
    monkeypatch.setattr(black_box.rd, "write_metrics", killed_after_the_first_checkpoint)
    trained_children.clear()
    with pytest.raises(Killed):
        main([*args, "--run-dir", str(tmp_path / "killed")])
    assert main(["search", "--resume", "--run-dir", str(tmp_path / "killed"), "--progress", "off"]) == 0
    assert sorted(trained_children) == sorted(trained_straight)          # each child trained once, resume or not
    resumed = rd.read_metrics(tmp_path / "killed")
    assert [{k: r[k] for k in ("encoding", "reward", "cost", "status")} for r in resumed] == \
        [{k: r[k] for k in ("encoding", "reward", "cost", "status")} for r in straight]


# ---------------------------------------------------------------- 12. messages without the file's name
@pytest.mark.parametrize("content, words", [("{not json", ["is not valid JSON"]),
                                             ('{"command": "train"}', ["is not the config.json of a nas_kit run"]),
                                             ("[1, 2]", ["is not the config.json of a nas_kit run"]),
                                             ('{"command": "train", "settings": {}, "name": "x", "task": "cifar10", '
                                              '"profile": "quick", "genotype": "DARTS_V2"}', ["lacks the settings"])])
def test_12_a_malformed_config_json_is_one_sentence_naming_it(trained, tmp_path, capsys, content, words):
    run_dir = copy(trained, tmp_path)
    (run_dir / rd.CONFIG).write_text(content)
    fails(["train", "--resume", "--run-dir", str(run_dir)], capsys, run_dir / rd.CONFIG, *words)


def test_12_a_binary_genotype_file_is_one_sentence_naming_it(tmp_path, capsys):
    (tmp_path / "genotype.txt").write_bytes(bytes(range(256)))
    fails(["train", "--genotype", str(tmp_path / "genotype.txt")], capsys, tmp_path / "genotype.txt", "not a text file")


def test_12_a_binary_ptb_file_is_one_sentence_naming_it(tmp_path):
    for split in ("train", "valid", "test"):
        (tmp_path / f"ptb.{split}.txt").write_text("a b c\n")
    (tmp_path / "ptb.train.txt").write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ValueError, match="ptb.train.txt is not Penn Treebank's train split"):
        load_ptb(tmp_path, download=False)
    with pytest.raises(ValueError, match="ptb.train.txt is not UTF-8 text"):
        load_ptb(tmp_path, download=False, verify=False)


# ---------------------------------------------------------------- 13. documentation that disagreed with the code
def test_13_ptb_stops_at_the_max_rollbacks_th_non_finite_epoch_in_a_row_as_the_readme_says(monkeypatch):
    model = torch.nn.Linear(2, 2)
    monkeypatch.setattr(ptb, "train_epoch", lambda *a: float("nan"))
    rows, state = [], ptb.State(torch.optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(FloatingPointError, match=f"{ptb.MAX_ROLLBACKS} epochs in a row"):
        for row in ptb.epochs(model, torch.zeros(20, 2, dtype=torch.long), None, ptb.Recipe(epochs=10), state):
            rows.append(row)
    assert len(rows) == ptb.MAX_ROLLBACKS - 1 and all(r["rolled_back"] for r in rows)
    words = {3: "third"}[ptb.MAX_ROLLBACKS]
    assert f"the {words} such epoch in a row" in " ".join((ROOT / "README.md").read_text().split())


def test_13_the_readme_names_the_darts_checkpoint(darts_run):
    assert (darts_run / DARTS_CHECKPOINT).exists() and not (darts_run / rd.CHECKPOINT).exists()
    assert f"`{DARTS_CHECKPOINT}`" in (ROOT / "README.md").read_text()


def test_13_a_resumed_darts_search_reports_the_seconds_of_the_whole_search(darts_run, tmp_path):
    seconds = sum(row["seconds"] for row in rd.read_metrics(darts_run))
    assert rd.read_json(darts_run / rd.RESULTS)["seconds"] == pytest.approx(seconds, rel=1e-9)
    run_dir = copy(darts_run, tmp_path)
    assert main(["search", "--resume", "--run-dir", str(run_dir), "--progress", "off"]) == 0
    assert rd.read_json(run_dir / rd.RESULTS)["seconds"] == pytest.approx(seconds, rel=1e-9)
