"""One BERT4Rec configuration on MovieLens 100k, for choosing the chapter's configuration (issue 10).

    python bench/bertrec_candidate.py '{"ema_decay": 0.999, "seed": 3}'  >> bench/results/bertrec_candidates.jsonl

Trains `bench/bertrec.py`'s full configuration with the JSON object's overrides, and prints one JSON line:
the overrides, wall seconds, epochs run, best epoch, the best validation NDCG@10 (what choices are made on)
and the test metrics (recorded, never used to choose). Two of these can run at once on a 2-core machine
(each uses one torch thread). Not part of `make bench`: it needs an argument.
"""
import json, sys

from bertrec import FULL, movielens_split, train_seed   # bench/bertrec.py, next to this file

def main():
    if len(sys.argv) != 2: sys.exit(__doc__)
    overrides = json.loads(sys.argv[1])
    unknown = set(overrides) - set(FULL)
    if unknown: sys.exit(f"unknown BERT4Rec parameter(s) {sorted(unknown)}; known: {sorted(FULL)}")
    row = train_seed({**FULL, **overrides}, None, movielens_split())
    print(json.dumps({"overrides": overrides, "seconds": round(row["wall_seconds"]), "epochs_run": row["epochs_run"],
                      "best_epoch": row["best_epoch"], "valid_NDCG@10": round(row["valid_NDCG@10"], 4),
                      **{f"test_{k}": round(float(row[k]), 4) for k in ("HR@10", "NDCG@10", "MRR@10", "MRR")}}), flush=True)

if __name__ == "__main__":
    main()
