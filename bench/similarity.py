"""Benchmark for infogap.similarity (issue 5).

1. MovieLens 100k, the same 5 folds, side by side with scikit-surprise: KNNBasic(cosine) / KNNWithMeans(pearson),
   user- and item-based, k=40 — RMSE and seconds for fit + predict of every test fold, `--repeats` times with
   the two libraries taking turns; the speed ratio is reported as the range over the repeats.
2. Scale: item-item top-50 neighbours (plain cosine, chunked, sparse) on a simulated ratings matrix,
   by default 1,000,000 users x 100,000 items x 50,000,000 ratings, with planted item clusters
   (the share of neighbours inside an item's own cluster checks the result).

    python bench/similarity.py                       # both parts, full scale (~7 min on 2 shared cores: simulating
                                                     #   the 50M ratings ~6 min, the top-50 similarities ~40 s)
    python bench/similarity.py --scale 0.1           # users, items and ratings x 0.1
    python bench/similarity.py --skip-scale / --skip-movielens

Writes bench/results/similarity.json (a partial run keeps the other part's previous results). Peak memory is the
process's maximum resident set size, simulation included.
"""
import argparse, json, os, resource, sys, time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from infogap.similarity import KNNRecommender, kfold_split, similarity_matrix
from infogap.datasets import load_movielens_100k

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import end_machine, machine, ratio_range, write_result  # noqa: E402

def peak_gb() -> float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2

def movielens(repeats=3):
    """Both libraries on the same 5 folds, `repeats` times, taking turns setting by setting (who goes first
    alternates): seconds for fit + predict of all folds per repeat, RMSE (identical every repeat), ratio range."""
    from surprise import Dataset, Reader, KNNBasic, KNNWithMeans
    ratings = load_movielens_100k().ratings[["user_id", "item_id", "rating"]]
    folds = kfold_split(ratings, 5, seed=0)
    data = [(ratings.iloc[tr].sort_values(["user_id", "item_id"]), ratings.iloc[te]) for tr, te in folds]
    settings = [(kind, metric, center, Algo) for kind in ("user", "item")
                for metric, center, Algo in (("cosine", False, KNNBasic), ("pearson", True, KNNWithMeans))]

    def run(who, kind, metric, center, Algo):
        t0, errs = time.perf_counter(), []
        for train, test in data:
            if who == "ours":
                p = KNNRecommender(kind=kind, metric=metric, center=center, k=40).fit(train).predict(
                    test.user_id.to_numpy(), test.item_id.to_numpy())
            else:
                a = Algo(k=40, sim_options={"name": metric, "user_based": kind == "user"}, verbose=False).fit(
                    Dataset.load_from_df(train, Reader(rating_scale=(1, 5))).build_full_trainset())
                p = np.array([x.est for x in a.test(list(test.itertuples(index=False, name=None)))])
            errs.append(np.sqrt(np.mean((p - test.rating.to_numpy()) ** 2)))
        return float(np.mean(errs)), time.perf_counter() - t0

    rows = [{"kind": kind, "metric": metric, "surprise_algo": Algo.__name__, "ours_seconds": [], "surprise_seconds": []}
            for kind, metric, center, Algo in settings]
    for rep in range(repeats):
        for j, (r, st) in enumerate(zip(rows, settings)):
            for who in (("ours", "surprise") if (rep + j) % 2 == 0 else ("surprise", "ours")):
                rmse, secs = run(who, *st)
                r[f"{who}_seconds"].append(secs)
                if r.setdefault(f"{who}_rmse", rmse) != rmse: raise SystemExit(f"{who} {st[:2]}: RMSE changed between repeats")
        print(f"repeat {rep + 1}/{repeats} (load {os.getloadavg()[0]:.1f}):",
              ", ".join(f"{r['kind']} {r['metric']} {r['surprise_seconds'][-1] / r['ours_seconds'][-1]:.1f}x" for r in rows), flush=True)
    for r in rows:
        r["speedup"] = ratio_range(r["surprise_seconds"], r["ours_seconds"])
        r["rmse_difference"] = r["ours_rmse"] - r["surprise_rmse"]
    return {"how": f"KNNRecommender and Surprise on the same 5 folds, {repeats} repeats, taking turns setting by setting; "
                   "seconds: fit + predict of all 5 folds", "surprise_version": __import__("surprise").__version__,
            "repeats": repeats, "results": rows}

def simulate(n_users, n_items, n_ratings, cluster_size=100, seed=0):
    "Users with lognormal activity; 80% of each user's ratings inside one home cluster of items, 20% Zipf-popular anywhere."
    rng = np.random.default_rng(seed)
    n_clusters = n_items // cluster_size
    act0, home0 = rng.lognormal(0, 0.5, n_users), rng.integers(0, n_clusters, n_users)
    draws = 1.02 * n_ratings  # repeated (user, item) draws collapse into one rating: draw more until there are enough
    while True:
        act = np.maximum(1, np.round(act0 / act0.sum() * draws)).astype(np.int64)
        users = np.repeat(np.arange(n_users, dtype=np.int64), act)
        home = home0[users]
        inside = rng.random(len(users)) < 0.8
        items = np.where(inside, home * cluster_size + rng.integers(0, cluster_size, len(users)),
                         (rng.zipf(1.3, len(users)) - 1) % n_items)
        del home, inside
        key = np.unique(users * n_items + items)
        del users, items
        if len(key) >= n_ratings: break
        draws *= 1.02 * n_ratings / len(key)
    if len(key) > n_ratings: key = np.sort(rng.choice(key, n_ratings, replace=False))
    u, i = key // n_items, key % n_items
    del key
    r = np.clip(np.round(3.5 + rng.normal(0, 1, len(i))), 1, 5)
    R = sp.csr_array((r.astype(np.float32), (u.astype(np.int32), i.astype(np.int32))), shape=(n_users, n_items))
    return R

def scale(f, n_jobs, top_k=50):
    nu, ni, nr = int(1_000_000 * f), int(100_000 * f), int(50_000_000 * f)
    t0 = time.perf_counter(); R = simulate(nu, ni, nr); t_sim = time.perf_counter() - t0
    print(f"simulated {R.shape[0]:,} x {R.shape[1]:,}, {R.nnz:,} ratings in {t_sim:.0f}s", flush=True)
    t0 = time.perf_counter()
    S = similarity_matrix(R, "cosine", "item", top_k=top_k, corated=False, n_jobs=n_jobs, progress=True)
    t = time.perf_counter() - t0
    rows = np.repeat(np.arange(S.shape[0]), np.diff(S.indptr))
    same = float(np.mean(rows // 100 == S.indices // 100))
    res = {"users": nu, "items": ni, "ratings": int(R.nnz), "top_k": top_k, "metric": "cosine (plain, chunked)",
           "n_jobs": n_jobs, "simulate_seconds": t_sim, "similarity_seconds": t, "peak_memory_gb": peak_gb(),
           "neighbours_in_own_cluster": same, "goal": "under 600 s and under 12 GB on 2 cores at full scale"}
    print(res, flush=True)
    return res

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="MovieLens part: timing repeats of both libraries")
    ap.add_argument("--skip-movielens", action="store_true"); ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "similarity.json"))
    a = ap.parse_args()
    p = Path(a.out)
    out = json.loads(p.read_text()) if p.exists() else {}  # a partial run keeps the other part's last results
    def part(run):                                         # each part carries the machine it ran on (load before/after)
        info = machine(); res = run(); end_machine(info)
        return res | {"machine": info}
    if not a.skip_movielens: out["movielens_100k"] = part(lambda: movielens(a.repeats))
    if not a.skip_scale: out["scale"] = part(lambda: scale(a.scale, a.n_jobs))
    out.pop("machine", None)
    write_result(p, out)
