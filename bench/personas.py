"""Benchmark: the persona pipeline (RFM features -> log + scaling -> k selection over k=2..10 -> fit -> profiles)
on N simulated customers, against the plain scikit-learn equivalent (KMeans with 10 starts on all customers
for every k, silhouette on a 10,000-customer sample). Writes bench/results/personas.json.
Both sides include `infogap.dataprep.rfm` (reported separately as rfm_seconds); neither includes reading the file.
infogap side: `Personas` with its defaults (k scored on a 5,000-customer sample with 20 bootstraps of 3 starts
per k, one thread; final fit K-Means on the sample, then MiniBatchKMeans from its centres on all customers).

    .venv/bin/python bench/personas.py            # 1,000,000 customers, 3 rounds of both pipelines taking turns
    .venv/bin/python bench/personas.py --n 100000

The simulation (a Python loop in `simulate_customers`) is not timed; it is cached in bench/cache/.
Each pipeline runs in a fresh subprocess so that its peak resident memory (ru_maxrss) is its own."""
import argparse, json, os, platform, resource, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLANTED = {
    "loyal bargain hunters":  dict(share=0.35, r=20.0, alpha=50.0,   a=1.0,  b=400.0, p=6.0, q=40.0, gamma=100.0),
    "premium regulars":       dict(share=0.15, r=20.0, alpha=50.0,   a=1.0,  b=400.0, p=6.0, q=40.0, gamma=1000.0),
    "big-ticket occasionals": dict(share=0.20, r=20.0, alpha=400.0,  a=1.0,  b=400.0, p=6.0, q=40.0, gamma=1000.0),
    "one-and-done":           dict(share=0.30, r=20.0, alpha=1000.0, a=40.0, b=2.0,   p=6.0, q=40.0, gamma=270.0),
}

def simulate(n, path):
    from infogap.datasets import simulate_customers
    import pandas as pd
    if path.exists(): return
    path.parent.mkdir(parents=True, exist_ok=True)
    parts, labels, chunk = [], [], 100_000
    for i, start in enumerate(range(0, n, chunk)):
        m = min(chunk, n - start)
        s = simulate_customers(m, personas=PLANTED, seed=1000 + i)
        d = s.data.copy(); d["customer_id"] += start; parts.append(d)
        labels.append(pd.DataFrame({"customer_id": s.truth["labels"].index + start, "persona": s.truth["labels"].to_numpy()}))
    pd.concat(parts).to_parquet(path)
    pd.concat(labels).to_parquet(path.with_suffix(".labels.parquet"))

def run_pipeline(kind, path, threads):
    "Runs in a subprocess; prints one JSON line."
    import numpy as np, pandas as pd
    from threadpoolctl import threadpool_limits
    from sklearn.metrics import adjusted_rand_score
    from infogap.dataprep import rfm
    tx = pd.read_parquet(path)
    truth = pd.read_parquet(path.with_suffix(".labels.parquet")).set_index("customer_id").persona
    t0 = time.perf_counter()
    with threadpool_limits(threads):
        table = rfm(tx, "2025-06-30")
        t_rfm = time.perf_counter()
        if kind == "infogap":
            from infogap.personas import Personas, RFM_FEATURES, RFM_LOG
            # the defaults: k scored on a 5,000-customer sample (20 bootstraps of 3 starts per k), final fit
            # K-Means (10 starts) on the sample, then MiniBatchKMeans from those centres on all customers
            p = Personas(features=RFM_FEATURES, log=RFM_LOG, k_range=range(2, 11), n_jobs=threads).fit(table)
            labels, k, prof = p.labels_, p.n_personas_, p.profiles_
        else:
            from sklearn.cluster import KMeans
            from sklearn.metrics import silhouette_score
            from sklearn.preprocessing import StandardScaler
            X = table.set_index("customer_id")[["recency", "frequency", "monetary", "avg_order_value"]].copy()
            for c in ["frequency", "monetary", "avg_order_value"]: X[c] = np.log1p(X[c])
            Z = StandardScaler().fit_transform(X)
            fits = {kk: KMeans(kk, n_init=10, random_state=0).fit(Z) for kk in range(2, 11)}
            sil = {kk: silhouette_score(Z, f.labels_, sample_size=10_000, random_state=0) for kk, f in fits.items()}
            k = max(sil, key=sil.get)
            labels = pd.Series(fits[k].labels_, index=X.index)
            prof = table.groupby(labels.to_numpy())[["recency", "frequency", "monetary"]].median()
    secs = time.perf_counter() - t0
    rfm_secs = t_rfm - t0
    ari = adjusted_rand_score(truth.loc[labels.index], labels)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2   # GiB (ru_maxrss is KiB on Linux)
    print(json.dumps(dict(kind=kind, seconds=round(secs, 2), rfm_seconds=round(rfm_secs, 2), peak_rss_gib=round(peak, 3), k=int(k), ari=round(float(ari), 4),
                          customers=int(len(table)))))

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-plain", action="store_true")
    ap.add_argument("--repeats", type=int, default=3, help="rounds of both pipelines, taking turns (for a ratio range)")
    ap.add_argument("--out", default=str(HERE / "results" / "personas.json"))
    ap.add_argument("--_run", default=None)
    a = ap.parse_args()
    path = HERE / "cache" / f"customers_{a.n}.parquet"
    if a._run:
        run_pipeline(a._run, path, a.threads); sys.exit(0)
    import pandas as pd
    sys.path.insert(0, str(HERE))
    from _machine import machine, ratio_range, write_result
    info, cached = machine(threads=a.threads), path.exists()
    t = time.perf_counter(); simulate(a.n, path); sim_s = None if cached else round(time.perf_counter() - t, 1)
    results = []
    kinds = ["infogap"] + ([] if a.skip_plain else ["plain_sklearn"])
    for rep in range(a.repeats):   # the two pipelines take turns, so that both see the same machine over the run
        for kind in (kinds if rep % 2 == 0 else kinds[::-1]):
            out = subprocess.run([sys.executable, __file__, "--n", str(a.n), "--threads", str(a.threads), "--_run", kind],
                                 capture_output=True, text=True)
            if out.returncode: raise SystemExit(out.stderr[-2000:])
            results.append({"repeat": rep, **json.loads(out.stdout.strip().splitlines()[-1])}); print(results[-1], flush=True)
    secs = {kind: [r["seconds"] for r in sorted(results, key=lambda r: r["repeat"]) if r["kind"] == kind] for kind in kinds}
    ratio = None if a.skip_plain else ratio_range(secs["plain_sklearn"], secs["infogap"])   # plain / infogap, per repeat
    res = dict(n_customers=a.n, n_transactions=int(pd.read_parquet(path, columns=["customer_id"]).shape[0]), threads=a.threads,
               simulation_seconds_untimed=sim_s, simulation_cached=cached, repeats=a.repeats, results=results,
               seconds={k: {"min": min(v), "max": max(v)} for k, v in secs.items()},
               peak_rss_gib={k: max(r["peak_rss_gib"] for r in results if r["kind"] == k) for k in kinds},
               plain_over_infogap=ratio, goal="under 60 s and under 4 GB on 2 cores", machine=info)
    write_result(a.out, res, indent=1)
    print(json.dumps(res, indent=1))
