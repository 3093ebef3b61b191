"""A plain PyTorch training loop: the cross-check of the bench's PyTorch peer.

    OPENBLAS_NUM_THREADS=1 python3 bench/pytorch_train_loop.py THREADS MODEL BATCH SECONDS

What a PyTorch user would write to time training: torch.set_num_threads
once, then zero_grad / forward / cross-entropy / backward / step on one
random batch, repeated. No protocol, no per-case OpenBLAS switching, its
own clock. It prints {"imagesPerSecond": ...} (the best of three equal
spans after a warm-up). bench/src/pytorch.ts runs it beside the peer
(bench/pytorch_peer.py) and the report says how far the two are apart: a
peer that runs PyTorch slower than this loop would flatter convnode.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

from pytorch_peer import INPUTS, MODELS, OPTIMIZERS


def main():
    threads, model_name, batch, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = MODELS[model_name]()
    opt = OPTIMIZERS[model_name](model.parameters())
    x = torch.randn(batch, *INPUTS[model_name])
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    best = 0.0
    for _ in range(3):
        steps, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds / 3:
            step()
            steps += 1
        best = max(best, steps * batch / (time.perf_counter() - t0))
    print(json.dumps({"imagesPerSecond": best, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
