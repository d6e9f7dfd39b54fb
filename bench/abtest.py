"""Benchmark: analysing 10,000 simulated A/B experiments x 20 conversion metrics (200,000 comparisons).

infogap (vectorised): one `proportions_ztest` call on (10000, 20) arrays + one `adjust_pvalues(..., "holm")`
along the metric axis. Peer: a Python loop calling statsmodels' `proportions_ztest` and
`confint_proportions_2indep(method="wald")` per comparison and `multipletests(method="holm")` per experiment.
Both must give identical results (max abs difference of z, p, CI ends and Holm-adjusted p reported; the
goal is <= 1e-9) and infogap should be >= 50x faster.

    .venv/bin/python bench/abtest.py [--experiments 10000] [--metrics 20] [--loop-experiments N]

statsmodels' `multipletests` calls `gc.collect()` on every call, which dominates the loop, so the JSON also
reports the speedup on the tests alone (z-test + CI, no multiple-testing step) -- the fair number. The loop is
slow, so by
default it runs on the first 300 experiments (6,000 comparisons) and its time is scaled linearly to the full set
(reported as `extrapolated`); results are compared on those experiments. `--loop-experiments 0` runs it on all
of them (about half an hour). Writes bench/results/abtest.json."""
import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import statsmodels
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest as sm_ztest

from infogap import __version__
from infogap.abtest import adjust_pvalues, proportions_ztest


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


def best_of(f, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter(); out = f(); times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", type=int, default=10_000)
    ap.add_argument("--metrics", type=int, default=20)
    ap.add_argument("--loop-experiments", type=int, default=300,
                    help="run the statsmodels loop on this many experiments only (0: all; the full loop takes ~30 min)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "abtest.json"))
    a = ap.parse_args()
    x_a, n_a, x_b, n_b = simulate(a.experiments, a.metrics)
    t_ig, ours = best_of(lambda: infogap_run(x_a, n_a, x_b, n_b), 5)
    k = a.experiments if not a.loop_experiments else min(a.loop_experiments, a.experiments)
    timings = {}
    t_sm, peer = best_of(lambda: statsmodels_run(x_a[:k], n_a[:k], x_b[:k], n_b[:k], timings), 1)
    t_sm_full = t_sm * a.experiments / k
    t_sm_tests = timings["tests"] * a.experiments / k
    t_ig_tests, _ = best_of(lambda: proportions_ztest(x_a, n_a, x_b, n_b), 5)
    names = ["z", "pvalue", "ci_low", "ci_high", "pvalue_holm"]
    diffs = {nm: float(np.max(np.abs(o[:k] - q))) for nm, o, q in zip(names, ours, peer)}
    identical = all(v <= 1e-9 for v in diffs.values())
    res = dict(benchmark="abtest: z-test + Wald CI + Holm over experiments x metrics",
               experiments=a.experiments, metrics=a.metrics, comparisons=a.experiments * a.metrics,
               infogap_seconds=t_ig, statsmodels_seconds=t_sm_full, statsmodels_experiments_timed=k,
               extrapolated=k < a.experiments, speedup=t_sm_full / t_ig, goal_speedup=50,
               # statsmodels' multipletests runs gc.collect() on every call, which dominates the loop; the fair
               # number is the speedup on the tests alone (z-test + CI), without multipletests:
               statsmodels_multipletests_seconds=timings["holm"] * a.experiments / k,
               infogap_tests_only_seconds=t_ig_tests, statsmodels_tests_only_seconds=t_sm_tests,
               speedup_tests_only=t_sm_tests / t_ig_tests,
               meets_goal=bool(min(t_sm_full / t_ig, t_sm_tests / t_ig_tests) >= 50 and identical),
               max_abs_difference=diffs, identical=identical,
               infogap_version=__version__, statsmodels_version=statsmodels.__version__, numpy_version=np.__version__,
               python=platform.python_version(), machine=platform.machine(), processor=platform.processor() or platform.machine())
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=2) + "\n")
    print(f"infogap {t_ig * 1e3:.1f} ms, statsmodels loop {t_sm_full:.1f} s{' (extrapolated)' if k < a.experiments else ''}: "
          f"{res['speedup']:.0f}x faster ({res['speedup_tests_only']:.0f}x without multipletests); max |difference| {max(diffs.values()):.2e} -> {a.out}")
    if not identical: raise SystemExit(f"results differ: {diffs}")


if __name__ == "__main__":
    main()
