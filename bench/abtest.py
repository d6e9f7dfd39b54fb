"""Benchmark: analysing 10,000 simulated A/B experiments x 20 conversion metrics (200,000 comparisons).

infogap (vectorised): one `proportions_ztest` call on (10000, 20) arrays + one `adjust_pvalues(..., "holm")`
along the metric axis. Peer: a Python loop calling statsmodels' `proportions_ztest` and
`confint_proportions_2indep(method="wald")` per comparison and `multipletests(method="holm")` per experiment.
Both must give identical results (max abs difference of z, p, CI ends and Holm-adjusted p reported; the
goal is <= 1e-9) and infogap should be >= 50x faster.

    .venv/bin/python bench/abtest.py [--experiments 10000] [--metrics 20] [--loop-experiments N]

statsmodels' `multipletests` calls `gc.collect()` on every call, which dominates the loop (its cost grows with
the number of objects alive in the process, so it varies from machine to machine and run to run), so the JSON
also reports the speedup on the tests alone (z-test + CI, no multiple-testing step). The loop is slow, so it runs
on the first `--loop-experiments` experiments (default 300: 6,000 comparisons), and infogap runs on the *same*
experiments in the same repeat: the speed ratios are measured on that common work, `--repeats` times (who goes
first alternates), and reported as a range. infogap's time on all experiments is reported too, and the loop's
time scaled linearly to all of them is labelled `extrapolated`. `--loop-experiments 0` runs the loop on all of
them (10 to 30 min). Writes bench/results/abtest.json."""
import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import statsmodels
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest as sm_ztest

from infogap import __version__
from infogap.abtest import adjust_pvalues, proportions_ztest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine, ratio_range, write_result  # noqa: E402


def simulate(n_exp, n_metrics, seed=0):
    "Counts for n_exp experiments x n_metrics metrics: ~U(2k, 20k) users per arm, base rates 1%-30%, 30% of cells with a 5% lift."
    g = np.random.default_rng(seed)
    n_a = g.integers(2_000, 20_000, (n_exp, 1)) * np.ones((1, n_metrics), int)
    n_b = g.integers(2_000, 20_000, (n_exp, 1)) * np.ones((1, n_metrics), int)
    p = g.uniform(0.01, 0.3, (n_exp, n_metrics))
    lift = np.where(g.random((n_exp, n_metrics)) < 0.3, 0.05, 0.0)
    return g.binomial(n_a, p), n_a, g.binomial(n_b, p * (1 + lift)), n_b


def infogap_run(x_a, n_a, x_b, n_b):
    r = proportions_ztest(x_a, n_a, x_b, n_b)
    return r.statistic, r.pvalue, r.ci[0], r.ci[1], adjust_pvalues(r.pvalue, "holm", axis=1)


def statsmodels_run(x_a, n_a, x_b, n_b, timings):
    "The loop; `timings` gets the seconds spent in the per-comparison calls and in multipletests separately."
    E, M = x_a.shape
    z, p, lo, hi, padj = (np.empty((E, M)) for _ in range(5))
    t_tests = t_holm = 0.0
    for e in range(E):
        t0 = time.perf_counter()
        for m in range(M):
            z[e, m], p[e, m] = sm_ztest([x_b[e, m], x_a[e, m]], [n_b[e, m], n_a[e, m]])
            lo[e, m], hi[e, m] = confint_proportions_2indep(x_b[e, m], n_b[e, m], x_a[e, m], n_a[e, m], method="wald", compare="diff")
        t1 = time.perf_counter()
        padj[e] = multipletests(p[e], method="holm")[1]
        t_tests += t1 - t0; t_holm += time.perf_counter() - t1
    timings.update(tests=t_tests, holm=t_holm)
    return z, p, lo, hi, padj


def mean_time(f, calls):
    "Mean seconds of `calls` calls of f (a few ms each: one call is too short to time alone) and the last result."
    t0 = time.perf_counter()
    for _ in range(calls): out = f()
    return (time.perf_counter() - t0) / calls, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", type=int, default=10_000)
    ap.add_argument("--metrics", type=int, default=20)
    ap.add_argument("--loop-experiments", type=int, default=300,
                    help="run the statsmodels loop (and infogap, for the ratio) on this many experiments (0: all; 10-30 min)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--calls", type=int, default=20, help="infogap calls averaged per timing (each takes milliseconds)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "abtest.json"))
    a = ap.parse_args()
    info = machine()
    x_a, n_a, x_b, n_b = simulate(a.experiments, a.metrics)
    k = a.experiments if not a.loop_experiments else min(a.loop_experiments, a.experiments)
    sub = tuple(v[:k] for v in (x_a, n_a, x_b, n_b))
    t = {key: [] for key in ("statsmodels", "statsmodels_tests", "statsmodels_multipletests", "infogap", "infogap_tests",
                             "infogap_all", "infogap_all_tests")}
    for rep in range(a.repeats):
        def ours():
            s1, ours_k = mean_time(lambda: infogap_run(*sub), a.calls)
            s2, _ = mean_time(lambda: proportions_ztest(*sub), a.calls)
            s3, ours_all = mean_time(lambda: infogap_run(x_a, n_a, x_b, n_b), a.calls)
            s4, _ = mean_time(lambda: proportions_ztest(x_a, n_a, x_b, n_b), a.calls)
            t["infogap"].append(s1); t["infogap_tests"].append(s2); t["infogap_all"].append(s3); t["infogap_all_tests"].append(s4)
            return ours_k
        def loop():
            timings = {}
            t0 = time.perf_counter(); out = statsmodels_run(*sub, timings); t["statsmodels"].append(time.perf_counter() - t0)
            t["statsmodels_tests"].append(timings["tests"]); t["statsmodels_multipletests"].append(timings["holm"])
            return out
        if rep % 2: peer, ours_k = loop(), ours()
        else: ours_k, peer = ours(), loop()
        print(f"repeat {rep + 1}/{a.repeats} (load {os.getloadavg()[0]:.1f}): statsmodels loop {t['statsmodels'][-1]:.1f} s, "
              f"infogap {t['infogap'][-1] * 1e3:.2f} ms on the same {k} experiments", flush=True)
    names = ["z", "pvalue", "ci_low", "ci_high", "pvalue_holm"]
    diffs = {nm: float(np.max(np.abs(o - q))) for nm, o, q in zip(names, ours_k, peer)}
    identical = all(v <= 1e-9 for v in diffs.values())
    speedup, speedup_tests = ratio_range(t["statsmodels"], t["infogap"]), ratio_range(t["statsmodels_tests"], t["infogap_tests"])
    res = dict(benchmark="abtest: z-test + Wald CI + Holm over experiments x metrics",
               experiments=a.experiments, metrics=a.metrics, comparisons=a.experiments * a.metrics,
               same_work_experiments=k, repeats=a.repeats,
               how=f"per repeat: the statsmodels loop on the first {k} experiments, and infogap on the same {k} (mean of "
                   f"{a.calls} calls) and on all {a.experiments}; who goes first alternates",
               seconds=t, speedup=speedup, speedup_tests_only=speedup_tests, goal_speedup=50,
               statsmodels_seconds_extrapolated_to_all=[s * a.experiments / k for s in t["statsmodels"]],
               extrapolated=k < a.experiments,
               meets_goal=bool(min(speedup["min"], speedup_tests["min"]) >= 50 and identical),
               max_abs_difference=diffs, identical=identical,
               versions={"infogap": __version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__},
               machine=info)
    write_result(a.out, res)
    print(f"infogap {np.median(t['infogap_all']) * 1e3:.1f} ms on all {a.experiments}; on the same {k} experiments the statsmodels "
          f"loop is {speedup['min']:.0f}-{speedup['max']:.0f}x slower ({speedup_tests['min']:.0f}-{speedup_tests['max']:.0f}x "
          f"without multipletests); max |difference| {max(diffs.values()):.2e}")
    if not identical: raise SystemExit(f"results differ: {diffs}")


if __name__ == "__main__":
    main()
