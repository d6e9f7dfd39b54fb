"""BERT4Rec data-parallel (issue 23, item 4): 2 CPU processes under torchrun (gloo) train the same weights, to
floating-point tolerance, as one process with the same global batch and seed. Tiny model, a few steps; dropout 0
(dropout masks are the one random draw each process makes on its own)."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

CONFIG = dict(hidden_size=16, n_layers=1, n_heads=2, max_len=8, epochs=2, batch_size=10, dropout=0.0, lr=3e-3,
              seed=3, progress=False, num_threads=1)


def toy_sequences(n_users: int = 41, seed: int = 0):
    """41 users walking through 20 items in order, sometimes skipping one, 3-8 items each (one window per user):
    4 full batches of 10 and a last batch of 1, which leaves the second process without rows."""
    rng = np.random.default_rng(seed)
    return [[int(i) for i in np.cumsum(rng.integers(1, 3, size=rng.integers(3, 9))) % 20] for _ in range(n_users)]


def test_two_processes_train_the_one_process_weights(tmp_path):
    from infogap.bertrec import BERT4Rec
    one = BERT4Rec(**CONFIG).fit(toy_sequences())
    out = tmp_path / "ddp.pt"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH")]))}
    p = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                        str(Path(__file__).with_name("ddp_bertrec_worker.py")), str(out)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    two = torch.load(out)
    ref = one.net_.state_dict()
    assert two.keys() == ref.keys()
    for k, v in ref.items():
        torch.testing.assert_close(two[k], v, rtol=1e-4, atol=1e-5, msg=lambda m: f"{k}: {m}")
    # the tolerance tells runs apart: one epoch fewer is far outside it
    short = BERT4Rec(**{**CONFIG, "epochs": 1}).fit(toy_sequences()).net_.state_dict()
    assert max(float((short[k] - two[k]).abs().max()) for k in ref) > 1e-2
