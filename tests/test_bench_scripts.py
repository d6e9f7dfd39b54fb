"""The benchmark scripts still run and agree with themselves (quick versions).

`bench/bertrec.py --jobs` trains extra seeds in spawned worker processes: those must train exactly the model
a serial run trains (one torch thread each, same seed), or the stored five-seed study would not be reproducible.

The peer benchmarks find the peers' venvs inside the repository (bench/.venvs/<peer>, built by `make peers`) and,
when one is missing, stop at once with a message naming `make peers`. Checks that need a built peer venv skip
with that reason when it is absent (`make test` does not build them)."""
import json, os, subprocess, sys

import pytest

from conftest import ROOT

PEERS = sorted(p.stem for p in (ROOT / "bench" / "peers").glob("*.txt"))


def bench(*args, timeout=600, env=None):
    p = subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    return p.returncode, p.stdout, p.stderr


def need_peer(peer):
    if not (ROOT / "bench" / ".venvs" / peer / "bin" / "python").exists():
        pytest.skip(f"no bench/.venvs/{peer}: run `make peers` to build the peers' venvs")


def test_every_peer_requirement_is_pinned_and_never_torch():
    assert {"lifetimes", "statsforecast"} <= set(PEERS)
    for peer in PEERS:
        reqs = [ln.strip() for ln in (ROOT / "bench" / "peers" / f"{peer}.txt").read_text().splitlines()
                if ln.strip() and not ln.startswith("#")]
        assert reqs and all("==" in r and not r.startswith("-") for r in reqs), (peer, reqs)
        assert not [r for r in reqs if r.lower().startswith("torch==") and r != "torch==2.13.0"], peer


def test_peer_venvs_are_looked_up_inside_the_repository():
    code = ("import sys; sys.path.insert(0, 'bench'); import _machine as m; "
            "print(m.venvs()); print(*[m.peer_python(p, 'x') for p in sys.argv[1:]])")
    env = {k: v for k, v in os.environ.items() if k != "INFOGAP_PEER_VENVS"}
    p = subprocess.run([sys.executable, "-c", code, *PEERS], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode != 0 and "no lifetimes environment at x: run `make peers`" in p.stderr   # an explicit path must exist
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert p.stdout.strip() == str(ROOT / "bench" / ".venvs"), p.stderr
    assert ".venvs/" in (ROOT / ".gitignore").read_text()


@pytest.mark.parametrize("script, args", [("bench/forecast.py", ["--skip-accuracy", "--speed-out", "x.json"]),
                                          ("bench/clv_bench.py", ["--quick", "--out", "x.json"]),
                                          ("bench/peer_fixtures.py", [])])
def test_peer_benchmarks_without_the_peer_venv_say_make_peers(tmp_path, script, args):
    code, out, err = bench(script, *[tmp_path / a if a.endswith(".json") else a for a in args], timeout=300,
                           env={"INFOGAP_PEER_VENVS": str(tmp_path / "none")})
    assert code != 0 and "run `make peers`" in err and str(tmp_path / "none") in err, (code, err[-2000:])
    assert not (tmp_path / "x.json").exists()


def test_forecast_bench_times_the_three_libraries_on_the_same_series(tmp_path):
    need_peer("statsforecast")
    pytest.importorskip("pmdarima", reason="pmdarima is not installed (a peer of this benchmark)")
    code, out, err = bench("bench/forecast.py", "--skip-accuracy", "--speed-series", "1", "--repeats", "2",
                           "--speed-out", tmp_path / "speed.json")
    assert code == 0, err[-3000:]
    res = json.loads((tmp_path / "speed.json").read_text())
    assert res["statsforecast_runs_in"] == "bench/.venvs/statsforecast/bin/python"
    for lib in ("infogap", "pmdarima", "statsforecast"):
        assert len(res[lib]["wall_s"]) == len(res[lib]["cpu_s"]) == 2 and min(res[lib]["wall_s"]) > 0
    r = res["ratios"]["pmdarima_over_infogap_wall"]
    assert r["per_repeat"] == [p / o for p, o in zip(res["pmdarima"]["wall_s"], res["infogap"]["wall_s"])]
    assert r["min"] <= r["median"] <= r["max"] and len(res["machine"]["load_average_at_start"]) == 3


def test_peer_fixtures_are_reproduced_by_the_pinned_peers():
    "tests/fixtures' lifetimes and statsforecast answers come from bench/peers' pinned versions, re-run today."
    for peer in ("lifetimes", "statsforecast"): need_peer(peer)
    code, out, err = bench("bench/peer_fixtures.py")
    assert code == 0, (out + err)[-3000:]


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


def test_forecast_ets_bench_writes_what_the_chapter_reads(tmp_path):
    """`bench/forecast_ets.py` on one series (s0, one of the quickest to search): it writes the keys chapter 05 reads
    to `--out`, its row is the stored study's first row (same models, hold-out months inside the intervals), and the
    stored results file is left alone."""
    stored = ROOT / "bench" / "results" / "forecast_ets.json"
    before = stored.read_bytes()
    code, out, err = bench("bench/forecast_ets.py", "--series", "1", "--out", tmp_path / "ets.json")
    assert code == 0, err[-3000:]
    assert stored.read_bytes() == before
    res = json.loads((tmp_path / "ets.json").read_text())
    assert {"seed", "holdout_months", "seconds", "machine", "pooled", "series"} <= set(res) and res["holdout_months"] == 12
    assert {f"{s}_MASE_{k}" for s in ("mean", "median") for k in ("arima", "ets", "combination")} <= set(res["pooled"])
    assert {"ets_better", "arima_better", "coverage_arima", "coverage_ets", "cpu_s_arima", "cpu_s_ets"} <= set(res["pooled"])
    row, = res["series"]
    first = json.loads(before)["series"][0]
    for k in ("series", "arima_model", "ets_model", "arima_inside", "ets_inside"):
        assert row[k] == first[k], k
    for k in ("arima_MASE", "ets_MASE", "combination_MASE"):
        assert row[k] == pytest.approx(first[k], abs=1e-3), k
    assert res["pooled"]["cpu_s_arima"] == pytest.approx(row["arima_cpu_s"]) and row["arima_cpu_s"] > 0


def test_bertrec_notes_match_the_stored_runs():
    "The weight-averaging decision in bench/bertrec_notes.md (moved there from chapter 08) against the stored runs."
    import numpy as np
    import pandas as pd
    from scipy import stats
    res = ROOT / "bench" / "results"
    new = pd.DataFrame(json.loads((res / "bertrec.json").read_text())["seeds"]["runs"]).set_index("seed")
    old = pd.DataFrame(json.loads((res / "bertrec_without_ema.json").read_text())["seeds"]["runs"]).set_index("seed")
    assert new["valid_NDCG@10"].mean() >= old["valid_NDCG@10"].mean()                  # the rule that adopted it
    assert round(old["valid_NDCG@10"].mean(), 4) == 0.1133 and round(new["valid_NDCG@10"].mean(), 4) == 0.1150
    assert round(old["NDCG@10"].mean(), 4) == 0.0798 and round(new["NDCG@10"].mean(), 4) == 0.0825
    diff = new["NDCG@10"] - old["NDCG@10"]
    assert round(diff.min(), 3) == -0.006 and round(diff.max(), 3) == 0.012
    t = stats.ttest_rel(new["NDCG@10"], old["NDCG@10"])
    assert t.pvalue > 0.05 and round(t.pvalue, 1) == 0.4                                # ... and the gain is not significant
    cand = pd.read_json(res / "bertrec_candidates.jsonl", lines=True)
    cand = cand.assign(seed=cand.overrides.str["seed"], ema_decay=cand.overrides.str.get("ema_decay"))
    e995, e999 = (cand[cand.ema_decay == d].set_index("seed").sort_index() for d in (0.995, 0.999))
    assert e995["valid_NDCG@10"].mean() < e999.loc[[0, 1, 2], "valid_NDCG@10"].mean()  # same seeds
    np.testing.assert_allclose(e999["test_NDCG@10"].to_numpy(), new["NDCG@10"].to_numpy(), atol=1e-4)
