"""The BERT4Rec benchmark scripts still run and agree with themselves (quick, 1–2 epoch versions).

`bench/bertrec.py --jobs` trains extra seeds in spawned worker processes: those must train exactly the model
a serial run trains (one torch thread each, same seed), or the stored five-seed study would not be reproducible."""
import json, subprocess, sys

import pytest

from conftest import ROOT


def bench(*args, timeout=600):
    p = subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def test_bertrec_bench_parallel_seeds_match_a_serial_run(tmp_path):
    code, _, err = bench("bench/bertrec.py", "--quick", "--seeds", "0", "1", "--jobs", "2", "--out", tmp_path / "par.json")
    assert code == 0, err[-3000:]
    par = json.loads((tmp_path / "par.json").read_text())
    assert [r["seed"] for r in par["seeds"]["runs"]] == [0, 1]
    assert all(r["epochs_run"] == 2 for r in par["seeds"]["runs"]) and par["seeds_jobs"] == 2
    assert par["training"]["config"]["ema_decay"] == 0.999            # the chapter's configuration
    code, _, err = bench("bench/bertrec.py", "--quick", "--seeds", "1", "--out", tmp_path / "ser.json")
    assert code == 0, err[-3000:]
    ser = json.loads((tmp_path / "ser.json").read_text())
    worker = par["seeds"]["runs"][1]
    for k in ("HR@10", "NDCG@10", "MRR"):
        assert worker[k] == pytest.approx(ser["quality"]["BERT4Rec"][k], abs=1e-12), k


def test_bertrec_candidate_prints_one_json_line_and_rejects_unknown_parameters():
    code, out, err = bench("bench/bertrec_candidate.py", json.dumps({"epochs": 1, "seed": 3}))
    assert code == 0, err[-3000:]
    row = json.loads(out.strip().splitlines()[-1])
    assert row["overrides"] == {"epochs": 1, "seed": 3} and row["epochs_run"] == 1
    assert 0 < row["test_NDCG@10"] <= row["test_HR@10"] <= 1
    code, out, err = bench("bench/bertrec_candidate.py", json.dumps({"hiden_size": 32}))
    assert code != 0 and "unknown BERT4Rec parameter(s) ['hiden_size']" in err
