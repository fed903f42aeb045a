"""A `train` run killed with SIGKILL at random moments, again and again, and resumed each time, ends exactly where an
uninterrupted run ends: the same weights, results.json and metrics.csv (every epoch, once), and no temporary file.

The runs are real processes killed by real signals. So that twenty and more kills take seconds, not minutes of
imports, they are forked from one server process that has imported the kit (and run nothing) beforehand: each
child runs ``nas_kit.cli.main`` as ``python -m nas_kit`` would, and the test kills it by its PID.
"""
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from nas_kit.training import run_dir as rd

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ["--profile", "quick", "--progress", "off", "--set", "C=2", "--set", "layers=3", "--set", "n_train=64",
            "--set", "n_test=32", "--set", "batch_size=32", "--set", "epochs=10", "--set", "threads=1"]
KILLS = 20

# Reads one JSON line per request: ["run", LOG, ARGV...] forks a child that runs main(ARGV), its output to LOG,
# and answers its PID; ["wait", PID] reaps it and answers its wait status.
SERVER = r"""
import json, os, sys
import torch
import torch._dynamo                 # what the first optimizer imports (seconds): once, here, not in every child
torch.set_num_threads(1)
from nas_kit.cli import main
for line in sys.stdin:
    request = json.loads(line)
    if request[0] == "wait":
        print(os.waitpid(request[1], 0)[1], flush=True)
        continue
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        log = os.open(request[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        try:
            code = main(request[2:])
        except SystemExit as e:
            code = e.code
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
    print(pid, flush=True)
"""


class Server:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))

    def ask(self, *request) -> int:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def command(run_dir: Path) -> list:
    """A fresh run, or (once config.json is written) its resume."""
    if (run_dir / rd.CONFIG).exists():
        return ["train", "--resume", "--run-dir", str(run_dir), "--progress", "off"]
    return ["train", "--genotype", "DARTS_V2", *SETTINGS, "--run-dir", str(run_dir)]


def final_state(run_dir: Path):
    checkpoint = torch.load(run_dir / rd.CHECKPOINT, map_location="cpu", weights_only=False)
    metrics = [{k: v for k, v in row.items() if k != "seconds"} for row in rd.read_metrics(run_dir)]
    return checkpoint["model"], json.loads((run_dir / rd.RESULTS).read_text()), metrics


@pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc").is_dir(), reason="forks children, reads /proc")
def test_twenty_random_sigkills_each_resumed_end_identical_to_an_uninterrupted_run(tmp_path):
    server, rng = Server(), random.Random(0)
    try:
        straight = tmp_path / "straight"
        assert server.ask("wait", server.ask("run", str(tmp_path / "straight.log"), *command(straight))) == 0, \
            (tmp_path / "straight.log").read_text()
        weights, results, metrics = final_state(straight)
        assert [row["epoch"] for row in metrics] == list(range(1, 11))

        kills, finished, log, stages = 0, 0, tmp_path / "killed.log", set()
        run_dir = tmp_path / "killed-0"
        while kills < KILLS or run_dir.exists():
            pid = server.ask("run", str(log), *command(run_dir))
            if kills < KILLS:
                delay = rng.uniform(0.0, 3.0)
                if not _sleep_or_exit(pid, delay):
                    os.kill(pid, signal.SIGKILL)
            status = server.ask("wait", pid)
            if os.WIFSIGNALED(status):
                assert os.WTERMSIG(status) == signal.SIGKILL
                kills += 1
                stages.add(len(rd.read_metrics(run_dir)) if (run_dir / rd.METRICS).exists() else 0)
                continue
            assert os.WEXITSTATUS(status) == 0, log.read_text()[-3000:]
            got_weights, got_results, got_metrics = final_state(run_dir)
            assert got_results == results and got_metrics == metrics
            assert got_weights.keys() == weights.keys()
            assert all(torch.equal(got_weights[k], weights[k]) for k in weights)
            assert not list(run_dir.glob("*.tmp")) and not list(run_dir.glob(".*.tmp"))
            finished += 1
            run_dir = tmp_path / f"killed-{finished}" if kills < KILLS else tmp_path / "done"
        assert kills >= KILLS and finished >= 1
        assert len(stages) >= 4, f"the kills hit too few epochs: {sorted(stages)}"
        assert log.read_text().count("Traceback") == 0, log.read_text()[-3000:]
    finally:
        server.close()


def _sleep_or_exit(pid: int, seconds: float) -> bool:
    """Sleep ``seconds`` or until the child ``pid`` has exited (a zombie); whether it exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False
