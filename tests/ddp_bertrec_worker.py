"""Run by tests/test_bertrec_ddp.py under `torchrun --nproc_per_node=2`: train the tiny BERT4Rec data-parallel
(gloo, CPU) and let rank 0 save the weights to the path given as the first argument."""
import sys

import torch

from infogap.bertrec import BERT4Rec, init_distributed

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from test_bertrec_ddp import CONFIG, toy_sequences  # noqa: E402

rank, world = init_distributed()
assert world == 2, f"expected 2 processes, got {world}"
model = BERT4Rec(**CONFIG).fit(toy_sequences())
if rank == 0:
    torch.save({k: v.detach().cpu() for k, v in model.net_.state_dict().items()}, sys.argv[1])
torch.distributed.destroy_process_group()
