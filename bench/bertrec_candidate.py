"""One BERT4Rec configuration on MovieLens 100k, for choosing the chapter's configuration (issue 10).

    python bench/bertrec_candidate.py '{"ema_decay": 0.999, "seed": 3}'  >> bench/results/bertrec_candidates.jsonl

Trains `bench/bertrec.py`'s full configuration with the JSON object's overrides, and prints one JSON line:
the overrides, wall seconds, epochs run, best epoch, the best validation NDCG@10 (what choices are made on)
and the test metrics (recorded, never used to choose). Two of these can run at once on a 2-core machine
(each uses one torch thread). Not part of `make bench`: it needs an argument.
"""
import json, sys, time

from infogap.bertrec import BERT4Rec, evaluate_next_item, leave_one_out, sequences_from_ratings
from infogap.datasets import load_movielens_100k
from bertrec import FULL   # bench/bertrec.py, next to this file

def main():
    if len(sys.argv) != 2: sys.exit(__doc__)
    overrides = json.loads(sys.argv[1])
    unknown = set(overrides) - set(FULL)
    if unknown: sys.exit(f"unknown BERT4Rec parameter(s) {sorted(unknown)}; known: {sorted(FULL)}")
    ml = load_movielens_100k()
    split = leave_one_out(sequences_from_ratings(ml.ratings), ml.items.item_id.to_numpy())
    t0 = time.perf_counter()
    m = BERT4Rec(**{**FULL, **overrides}, progress=False).fit(split.train, eval_set=(split.valid_histories, split.valid_targets))
    sec = time.perf_counter() - t0
    test = evaluate_next_item(m, split)
    print(json.dumps({"overrides": overrides, "seconds": round(sec), "epochs_run": len(m.history_), "best_epoch": m.best_epoch_,
                      "valid_NDCG@10": round(float(m.history_["valid_NDCG@10"].max()), 4),
                      **{f"test_{k}": round(float(v), 4) for k, v in test.items() if k != "users"}}), flush=True)

if __name__ == "__main__":
    main()
