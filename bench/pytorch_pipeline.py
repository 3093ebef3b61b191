"""PyTorch's data pipeline as a bench peer for `npm run bench` (the data section).

    python3 bench/pytorch_pipeline.py DIR WORKERS BATCH EPOCHS

torchvision's ImageFolder over DIR (PIL decoding), RandomResizedCrop(64),
RandomHorizontalFlip, ToTensor, Normalize, through a DataLoader with
WORKERS worker processes (persistent, so epochs after the first do not pay
for starting them) and batch BATCH, shuffled. Every epoch decodes every
file again, as torchvision does. Prints one JSON line: the images per
epoch and each epoch's seconds.
"""
import json
import sys
import time

import PIL
import torch
import torchvision
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def main():
    root, workers, batch, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(1)
    tf = transforms.Compose([
        transforms.RandomResizedCrop(64), transforms.RandomHorizontalFlip(), transforms.ToTensor(),
        transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    data = datasets.ImageFolder(root, transform=tf)
    loader = DataLoader(data, batch_size=batch, shuffle=True, num_workers=workers, persistent_workers=workers > 0)
    seconds = []
    for _ in range(epochs):
        t0, n = time.perf_counter(), 0
        for x, y in loader:
            n += len(y)
        seconds.append(time.perf_counter() - t0)
    print(json.dumps({"images": n, "seconds": seconds, "shape": list(x.shape[1:]),
                      "versions": f"torch {torch.__version__}, torchvision {torchvision.__version__}, PIL {PIL.__version__}"}))


if __name__ == "__main__":
    main()
