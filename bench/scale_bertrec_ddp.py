"""BERT4Rec data-parallel (issue 23, item 4): chapter 08's full configuration on MovieLens 100k, trained with
`torchrun` over several processes — one per GPU (NCCL), or CPU processes (gloo) — then evaluated like the chapter
(leave-one-out by time, full ranking, NDCG@10 / HR@10 on the test items). Rank 0 writes the record.

    torchrun --standalone --nproc_per_node=2 bench/scale_bertrec_ddp.py --out bench/results/bertrec_ddp.json
    .venv/bin/python bench/scale_bertrec_ddp.py --epochs 2 --out /tmp/ddp.json     # one process, a smoke run

`--batch-size` is the *global* batch (split between the processes), so a run on N processes takes the same steps
as the one-process run of the chapter. The record holds the seconds per epoch, the time to early stop and the
test metrics, next to the chapter's CPU record (bench/results/bertrec.json) and RecBole's (bench/results/peers/)."""
import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine, write_result  # noqa: E402

from infogap.bertrec import (BERT4Rec, evaluate_next_item, init_distributed, leave_one_out,  # noqa: E402
                             sequences_from_ratings)
from infogap.datasets import load_movielens_100k  # noqa: E402

FULL_CONFIG = dict(hidden_size=64, n_layers=2, n_heads=2, max_len=50, mask_prob=0.3, epochs=400, batch_size=32,
                   lr=2e-3, warmup_steps=200, weight_decay=0.01, dropout=0.2, last_item_prob=0.1, patience=20,
                   lr_decay=0.5, lr_patience=10, ema_decay=0.999, eval_every=1, time_limit=None, num_threads=1, seed=0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=FULL_CONFIG["epochs"])
    ap.add_argument("--batch-size", type=int, default=FULL_CONFIG["batch_size"], help="global batch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=None, help="seconds of training after which to stop (recorded)")
    ap.add_argument("--amp", choices=["auto", "on", "off"], default="auto",
                    help="mixed precision on CUDA: auto = the model's default (bf16 on a GPU), off = float32")
    ap.add_argument("--sharing", type=int, default=1,
                    help="how many runs share the device at once (recorded: their seconds are not one run's alone)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "bertrec_ddp.json"))
    args = ap.parse_args(argv)
    rank, world = init_distributed()
    ml = load_movielens_100k()
    split = leave_one_out(sequences_from_ratings(ml.ratings), ml.items.item_id.to_numpy())
    cfg = {**FULL_CONFIG, "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed, "progress": rank == 0,
           "time_limit": args.time_limit, "amp": {"auto": None, "on": True, "off": False}[args.amp]}
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BERT4Rec(**cfg).fit(split.train, eval_set=(split.valid_histories, split.valid_targets))
    seconds = time.perf_counter() - t0
    stopped_by_time = any("time_limit" in str(w.message) for w in caught)
    if rank == 0:
        test = evaluate_next_item(model, split)
        device = model.device_
        result = {"processes": world, "backend": torch.distributed.get_backend() if world > 1 else None,
                  "device": str(device), "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
                  "config": cfg, "epochs_run": len(model.history_), "best_epoch": int(model.best_epoch_),
                  "runs_sharing_the_device": args.sharing, "stopped_by_time_limit": stopped_by_time,
                  "peak_gpu_memory_mb": torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None,
                  "seconds_to_stop": seconds, "seconds_per_epoch": seconds / len(model.history_),
                  "test": {k: float(v) for k, v in test.items()},
                  "history": json.loads(model.history_.to_json(orient="records")),
                  "machine": machine(torch=torch.__version__)}
        write_result(args.out, result)
    if world > 1: torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
