"""Benchmark for infogap.bertrec (issue 10): BERT4Rec on MovieLens 100k.

Measures, on the chapter's protocol (leave-one-out by time, full ranking over all 1,682 items, history
excluded):
  * training throughput: training windows (sequences) per second and tokens per second,
  * inference latency: users per second for a top-10 list over all items (batch inference),
  * quality: test HR@10, NDCG@10, MRR@10 of BERT4Rec, popularity and item-kNN, next to RecBole 1.2.1's
    scores on the same protocol, read from the run's record in bench/results/peers/ (an external reference:
    one run per model on an H100; its first training segment ran with autograd anomaly detection on, so its
    wall time is not a speed figure and none is quoted here; see bench/results/peers/README.md).

    python bench/bertrec.py                          # full configuration, CPU (time limit 540 s)
    python bench/bertrec.py --device cuda            # on a GPU (mixed precision)
    python bench/bertrec.py --quick                  # 2 epochs: a smoke test of the script
    python bench/bertrec.py --checkpoint best.pt     # evaluate + time inference of a saved model (no training)
    python bench/bertrec.py --seeds 0 1 2            # also retrain with other seeds: the spread of the test scores
    python bench/bertrec.py --seeds 0 1 2 3 4 --jobs 2   # the extra seeds two at a time (one torch thread each)

Writes bench/results/bertrec.json (or --out). Wall times on a shared machine are reported together with
the process CPU time and the load average, so that contention is visible.
"""
import argparse, json, os, platform, sys, time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from infogap.bertrec import FULL_CONFIG, BERT4Rec, ItemKNNRecommender, evaluate_next_item, leave_one_out, sequences_from_ratings
from infogap.datasets import load_movielens_100k
from infogap.similarity import PopularityRecommender

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine, write_result  # noqa: E402

FULL = dict(FULL_CONFIG)   # the chapter's full configuration (chapter 08, bench/bertrec_notes.md)
PEERS = Path(__file__).resolve().parent / "results" / "peers"

def recbole_reference() -> dict:
    "RecBole 1.2.1's test scores on this protocol, from the records in results/peers/ (one run per model)."
    out = {}
    for model in ("BERT4Rec", "SASRec"):
        rel = f"bench/results/peers/recbole-1.2.1-ml100k-{model}.json"
        r = json.loads((PEERS / Path(rel).name).read_text())
        t = r["test_result"]
        out[model] = {"HR@10": t["hit@10"], "NDCG@10": t["ndcg@10"], "MRR@10": t["mrr@10"],
                      "device": r["versions"]["device"], "runs": 1, "record": rel}
    return out

RECBOLE = recbole_reference()

def seed_run(model, wall_seconds, test_metrics) -> dict:
    "One row of the seed table: the run's seed, early-stopping epochs, time, best validation and test metrics."
    return {"seed": model.seed, "best_epoch": model.best_epoch_, "epochs_run": len(model.history_),
            "wall_seconds": wall_seconds, "valid_NDCG@10": float(model.history_["valid_NDCG@10"].max()), **test_metrics}

def movielens_split():
    "The chapter's protocol: MovieLens 100k, leave-one-out by time over the whole catalogue."
    ml = load_movielens_100k()
    return leave_one_out(sequences_from_ratings(ml.ratings), ml.items.item_id.to_numpy())

def train_seed(cfg, device, split) -> dict:
    "Train one extra seed (run in a worker process when --jobs > 1) → its seed-table row."
    m = BERT4Rec(**cfg, device=device, progress=False)
    w0 = time.perf_counter(); m.fit(split.train, eval_set=(split.valid_histories, split.valid_targets))
    return seed_run(m, time.perf_counter() - w0, evaluate_next_item(m, split).to_dict())

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    ap.add_argument("--quick", action="store_true", help="2 epochs only (smoke test)")
    ap.add_argument("--time-limit", type=float, default=FULL["time_limit"])
    ap.add_argument("--checkpoint", help="evaluate this saved BERT4Rec instead of training")
    ap.add_argument("--save", help="save the trained model here")
    ap.add_argument("--seeds", type=int, nargs="+", default=None,
                    help="seeds to train (the first one is timed and profiled; the others give the spread of the scores)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="train the extra seeds in this many processes at once (the first seed is always timed alone)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "bertrec.json"))
    a = ap.parse_args()
    device = None if a.device == "auto" else a.device
    split = movielens_split()
    res = {"machine": machine(torch=torch.__version__, torch_threads_default=torch.get_num_threads(),
                              torch_threads_used="num_threads=1 inside fit/score on CPU (see the chapter: 1 thread is 3-10x faster than 2 for this model)",
                              gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None),
           "protocol": "MovieLens 100k, leave-one-out by time (ties by item id), full ranking over 1,682 items, "
                       "history excluded; early stopping on validation NDCG@10",
           "recbole_1.2.1": RECBOLE}
    seeds = a.seeds or [FULL["seed"]]
    cfg = {**FULL, "seed": seeds[0], "time_limit": a.time_limit, **({"epochs": 2} if a.quick else {})}
    if a.checkpoint:
        model = BERT4Rec.load(a.checkpoint, device=device)
        res["training"] = {"from_checkpoint": a.checkpoint, "best_epoch": model.best_epoch_,
                           "epochs_logged": len(model.history_), "config": model.get_params()}
    else:
        model = BERT4Rec(**cfg, device=device, progress=True)
        w0, c0 = time.perf_counter(), time.process_time()
        model.fit(split.train, eval_set=(split.valid_histories, split.valid_targets))
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        windows = len(model._windows([model._tokens(s) for s in split.train], np.random.default_rng(0)))
        tokens = sum(min(len(s), model.max_len) for s in split.train) + sum(max(0, len(s) - model.max_len) for s in split.train)
        n_ep = len(model.history_)
        res["training"] = {"config": model.get_params(), "device": str(model.device_), "epochs_run": n_ep,
                           "best_epoch": model.best_epoch_, "wall_seconds": wall, "cpu_seconds": cpu,
                           "windows_per_epoch": windows, "sequences_per_second": windows * n_ep / wall,
                           "tokens_per_second_approx": tokens * n_ep / wall,
                           "learning_curve": model.history_.round(5).to_dict("list")}
        if a.save: model.save(a.save)
    # inference latency: top-10 over all items for every test user, batch inference
    hist = list(split.test_histories)
    model.recommend_many(hist[:64], n=10)                         # warm-up
    w0 = time.perf_counter(); model.recommend_many(hist, n=10, batch_size=256); lat = time.perf_counter() - w0
    w0 = time.perf_counter(); model.score_items(hist, batch_size=256); sc = time.perf_counter() - w0
    res["inference"] = {"users": len(hist), "users_per_second_top10": len(hist) / lat,
                        "users_per_second_scores_only": len(hist) / sc, "batch_size": 256}
    res["quality"] = {"BERT4Rec": evaluate_next_item(model, split).to_dict(),
                      "popularity": evaluate_next_item(PopularityRecommender().fit(split.train), split).to_dict(),
                      "item-kNN (k=100)": evaluate_next_item(ItemKNNRecommender(100).fit(split.train), split).to_dict()}
    res["quality"]["BERT4Rec_vs_RecBole_NDCG@10"] = res["quality"]["BERT4Rec"]["NDCG@10"] / RECBOLE["BERT4Rec"]["NDCG@10"]
    if len(seeds) > 1 and not a.checkpoint:
        runs = [seed_run(model, res["training"]["wall_seconds"], res["quality"]["BERT4Rec"])]
        cfgs = [{**cfg, "seed": sd} for sd in seeds[1:]]
        if a.jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            # spawn, not fork: a forked child can hang in an OpenMP pool its parent already started
            with ProcessPoolExecutor(a.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                runs += list(pool.map(train_seed, cfgs, [device] * len(cfgs), [split] * len(cfgs)))
        else:
            runs += [train_seed(c, device, split) for c in cfgs]
        res["seeds_jobs"] = a.jobs
        df = pd.DataFrame(runs)
        res["seeds"] = {"runs": runs, "mean": df.drop(columns="seed").mean().to_dict(),
                        "std": df.drop(columns="seed").std(ddof=1).to_dict()}
    write_result(a.out, res)
    print(json.dumps({k: res[k] for k in ("inference", "quality", "seeds") if k in res}, indent=2, default=float))

if __name__ == "__main__":
    main()
