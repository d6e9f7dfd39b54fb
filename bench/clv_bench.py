"""Benchmark: BG/NBD maximum-likelihood fit, infogap.clv.BetaGeo vs the `lifetimes` package.

    .venv/bin/python bench/clv_bench.py            # CDNOW master, 1M and 10M simulated customers
    .venv/bin/python bench/clv_bench.py --quick    # CDNOW master and 100k only

Writes bench/results/clv.json. Goal (issue 8): ≥ 20× faster than lifetimes at 1M customers with the
same estimates, and 10M customers in under 30 s on 2 cores. Timings include grouping the customers
into distinct (frequency, recency, T) triples. Simulated summaries come from
`infogap.clv.simulate_bgnbd` with CDNOW-like parameters, a 39-week calibration, a 12-week acquisition
window and times rounded to whole days — the resolution `summary_data` produces from dated transactions.

lifetimes 0.11.3 does not import with current numpy/scipy/pandas; it runs in its own virtual environment,
bench/.venvs/lifetimes, built by `make peers` from bench/peers/lifetimes.txt (`--lifetimes-python` to use
another; `--without-lifetimes` times infogap alone). Both sides fit the same customers `--repeats` times, taking
turns (who goes first alternates), lifetimes in a subprocess with one BLAS thread — the setting infogap uses
internally, and lifetimes' fastest on a busy machine — timing its fit alone; the speedup is the range of the
per-repeat ratios.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

from infogap.clv import BetaGeo, simulate_bgnbd
from infogap.dataprep import summary_data
from infogap.datasets import load_cdnow

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from _machine import PeerMissing, machine, peer_python, ratio_range, write_result  # noqa: E402

ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TRUTH = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
PEER_CODE = r"""
import json, sys, time, numpy as np, lifetimes
from lifetimes import BetaGeoFitter
d = np.load(sys.argv[1])
t0 = time.perf_counter(); bg = BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"]); s = time.perf_counter() - t0
print(json.dumps({"seconds": s, "params": {k: float(bg.params_[k]) for k in ["r", "alpha", "a", "b"]}, "version": lifetimes.__version__}))
"""


def ours(f, r, T):
    t0 = time.perf_counter(); bg = BetaGeo().fit(f, r, T)
    return time.perf_counter() - t0, bg


def peer(python, path, timeout):
    "lifetimes' BetaGeoFitter on the saved summary, in its venv with one BLAS thread: {seconds, params, version}."
    try:
        out = subprocess.run([str(python), "-c", PEER_CODE, str(path)], capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, **ONE_BLAS_THREAD})
    except subprocess.TimeoutExpired:
        raise SystemExit(f"lifetimes did not finish within {timeout} s")
    if out.returncode != 0: raise SystemExit("lifetimes failed: " + out.stderr.strip()[-300:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def case(name, f, r, T, python=None, repeats=3, peer_timeout=1800):
    print(f"[{name}] {len(f):,} customers ...", flush=True)
    mine, theirs, p = [], [], None
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "summary.npz"
        np.savez(path, frequency=np.asarray(f, float), recency=np.asarray(r, float), T=np.asarray(T, float))
        for rep in range(repeats):
            if python is not None and rep % 2: p = peer(python, path, peer_timeout); theirs.append(p["seconds"])
            secs, bg = ours(f, r, T); mine.append(secs)
            if python is not None and not rep % 2: p = peer(python, path, peer_timeout); theirs.append(p["seconds"])
    row = {"dataset": name, "customers": int(len(f)), "distinct_triples": bg.n_distinct_, "infogap_seconds": mine,
           "infogap_params": bg.params_, "infogap_loglik": bg.loglik_}
    if p is not None:
        row["lifetimes_seconds"], row["lifetimes_params"], row["lifetimes_version"] = theirs, p["params"], p["version"]
        row["speedup"] = ratio_range(theirs, mine)
        row["max_relative_difference"] = max(abs(bg.params_[k] / p["params"][k] - 1) for k in TRUTH)
    print("   ", {k: v for k, v in row.items() if k not in ("infogap_params", "lifetimes_params")}, flush=True)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CDNOW master and 100k customers only")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lifetimes-10m", action="store_true", help="also time lifetimes on 10M customers (slow, memory hungry)")
    ap.add_argument("--lifetimes-python", default=None, help="python of the lifetimes venv (default: bench/.venvs/lifetimes, built by `make peers`)")
    ap.add_argument("--without-lifetimes", action="store_true", help="time infogap alone (no peer columns)")
    ap.add_argument("--out", default=str(ROOT / "results" / "clv.json"))
    a = ap.parse_args()
    try:
        python = None if a.without_lifetimes else peer_python("lifetimes", a.lifetimes_python)
    except PeerMissing as e:
        raise SystemExit(f"bench/clv_bench.py: {e} (or pass --without-lifetimes)")
    info = machine(peer_blas_threads=1)
    rows = []
    s = summary_data(load_cdnow("master"), "1997-09-30")
    rows.append(case("CDNOW master (23,570 customers, weeks)", s.frequency.to_numpy(), s.recency.to_numpy(), s["T"].to_numpy(),
                     python, a.repeats))
    sizes = [100_000] if a.quick else [1_000_000, 10_000_000]
    for n in sizes:
        t0 = time.perf_counter()
        d = simulate_bgnbd(n, **TRUTH, days_per_unit=7, seed=n)
        print(f"    simulated {n:,} in {time.perf_counter() - t0:.1f}s", flush=True)
        run_peer = n < 10_000_000 or a.lifetimes_10m
        rows.append(case(f"simulated {n:,}", d.frequency.to_numpy(), d.recency.to_numpy(), d["T"].to_numpy(),
                         python if run_peer else None, a.repeats))
        if not run_peer:
            rows[-1]["lifetimes"] = {"skipped": "not run by default (pass --lifetimes-10m): lifetimes holds all 10M rows in autograd"}
        del d
    res = {"benchmark": "BG/NBD fit", "goal": "≥ 20× faster than lifetimes at 1M, same estimates; 10M < 30 s on 2 cores",
           "how": f"per dataset, {a.repeats} repeats; in each, infogap (in this process) and lifetimes (its venv, one BLAS thread, "
                  "fit timed inside the subprocess) fit the same customers, who goes first alternating",
           "results": rows, "machine": info}
    write_result(a.out, res)


if __name__ == "__main__":
    main()
