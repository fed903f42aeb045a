"""A notebook's claims as checks (nas_kit.claims) and the seed and threads every notebook takes (nas_kit.config)."""
import json

import pytest
import torch

from nas_kit.claims import ClaimFailed, check, check_or_report, fraction, record, report
from nas_kit.config import setup


def test_a_claim_that_holds_prints_one_stable_line(capsys, monkeypatch):
    monkeypatch.delenv("NAS_KIT_RECORD", raising=False)
    check(0.74 > 0.66, "the derived cell beats the median random cell", "derived 0.740, median 0.660")
    assert capsys.readouterr().out == "check: the derived cell beats the median random cell (holds)\n"


def test_a_claim_that_fails_stops_the_cell_with_a_sentence_saying_what_was_seen(monkeypatch):
    monkeypatch.delenv("NAS_KIT_RECORD", raising=False)
    with pytest.raises(ClaimFailed, match=r"the derived cell beats the median random cell does not hold in this run "
                                          r"\(derived 0.600, median 0.660\)"):
        check(0.60 > 0.66, "the derived cell beats the median random cell", "derived 0.600, median 0.660")


def test_when_recording_a_failed_claim_is_written_down_and_the_notebook_goes_on(tmp_path, monkeypatch, capsys):
    log = tmp_path / "record.jsonl"
    monkeypatch.setenv("NAS_KIT_RECORD", str(log))
    check(False, "a claim", "seen this")
    record("margin", torch.tensor(0.25))
    assert "check failed: a claim" in capsys.readouterr().out
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines == [{"kind": "check", "claim": "a claim", "holds": False, "seen": "seen this"},
                     {"kind": "value", "name": "margin", "value": 0.25}]


def test_a_committed_measurement_is_reported_as_the_fraction_of_seeds_per_kernel(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NAS_KIT_RECORD", raising=False)
    path = tmp_path / "07_x.json"
    path.write_text(json.dumps({"checks": {"enas beats random": {"native": [True, False, True, True, False],
                                                                  "generic": [True, False, False, True, False]}},
                                "values": {}}))
    line = report("enas beats random", "07_x", path)
    assert line.startswith("measured: enas beats random in 3 of 5 seeds with native kernels; 2 of 5 seeds with "
                           "generic kernels")
    assert capsys.readouterr().out == line + "\n"
    assert fraction("enas beats random", "07_x", path) == (5, 10)
    with pytest.raises(KeyError, match="has no claim"):
        report("another claim", "07_x", path)


def test_a_claim_that_does_not_always_hold_is_measured_while_recording_and_reported_otherwise(tmp_path, capsys,
                                                                                             monkeypatch):
    path = tmp_path / "06_x.json"
    path.write_text(json.dumps({"checks": {"enas beats both controls": {"native": [True, False], "generic": [False, False]}},
                                "values": {}}))
    monkeypatch.delenv("NAS_KIT_RECORD", raising=False)
    check_or_report(True, "enas beats both controls", "06_x", "ENAS 110, random 112", path)
    assert capsys.readouterr().out.startswith("measured: enas beats both controls in 1 of 2 seeds with native kernels")
    log = tmp_path / "record.jsonl"
    monkeypatch.setenv("NAS_KIT_RECORD", str(log))
    check_or_report(False, "enas beats both controls", "06_x", "ENAS 114, random 112", path)
    assert json.loads(log.read_text()) == {"kind": "check", "claim": "enas beats both controls", "holds": False,
                                           "seen": "ENAS 114, random 112"}


def test_setup_takes_the_seed_and_threads_from_the_environment_unless_given(monkeypatch):
    threads = torch.get_num_threads()
    try:
        monkeypatch.setenv("NAS_KIT_SEED", "3")
        monkeypatch.setenv("NAS_KIT_THREADS", "2")
        profile, seed = setup()
        assert (profile, seed, torch.get_num_threads()) == ("quick", 3, 2)
        a = torch.rand(1)
        assert setup(seed=3, threads=1).seed == 3 and torch.get_num_threads() == 1
        assert torch.equal(torch.rand(1), a)                 # the same seed gives the same numbers
        monkeypatch.setenv("NAS_KIT_SEED", "three")
        with pytest.raises(ValueError, match="NAS_KIT_SEED='three' is not an integer"):
            setup()
    finally:
        torch.set_num_threads(threads)
