"""Loads a scratchnet model file into PyTorch and runs it on byte images.

    python3 torch_load.py MODEL.safetensors IMAGES.u8 LABELS.u8 PROBS.f32

Reads the safetensors file by hand (u64 LE header length, JSON header, raw
little-endian data: the format's whole definition), builds the same network
as a torch.nn.Sequential from the architecture in its __metadata__, loads the
weights with load_state_dict(strict=True) and evaluates it on the images
(count x 784 bytes, each pixel taken as float32(byte / 255) as scratchnet's
loader does). Writes the softmax probabilities (count x classes, float32 LE)
to PROBS.f32 and prints one JSON line: the state_dict keys with their shapes,
the module, the count of correct predictions.

The names: scratchnet's `layers.<i>.<param>` is PyTorch's `<i>.<param>` in an
nn.Sequential with the same layers (activations, pooling and Flatten count as
layers in both, so the indices agree). Conv2D weights are
[out, in, kH, kW] in both; a Dense weight is [in, out] (the tutorial's W, x @ W)
where nn.Linear's is [out, in] (x @ W.T), so it is transposed.
"""

import json
import struct
import sys

import numpy as np
import torch
from torch import nn


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__")
    body = raw[8 + n :]
    tensors = {}
    for name, entry in header.items():
        assert entry["dtype"] == "F32", (name, entry["dtype"])
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(entry["shape"])
    return metadata, tensors


def torch_layer(spec):
    """The nn module for one layer of scratchnet's architecture JSON."""
    kind = spec["kind"]
    if kind == "conv2d":
        return nn.Conv2d(spec["inChannels"], spec["outChannels"], spec["kernelSize"], stride=spec["stride"], padding=spec["padding"])
    if kind == "maxpool2d":
        return nn.MaxPool2d(spec["size"], stride=spec["stride"])
    if kind == "avgpool2d":
        return nn.AvgPool2d(spec["size"], stride=spec["stride"])
    if kind == "flatten":
        return nn.Flatten()
    if kind == "dense":
        return nn.Linear(spec["inputUnits"], spec["outputUnits"])
    if kind == "relu":
        return nn.ReLU()
    if kind == "sigmoid":
        return nn.Sigmoid()
    if kind == "tanh":
        return nn.Tanh()
    raise SystemExit(f"torch_load.py: layer kind {kind!r} has no PyTorch counterpart here")


def state_dict(architecture, tensors):
    """scratchnet's tensors under PyTorch's names: layers.<i>.<param> -> <i>.<param>, Dense weights transposed."""
    out = {}
    for name, value in tensors.items():
        prefix, index, param = name.split(".")
        assert prefix == "layers", name
        if architecture["layers"][int(index)]["kind"] == "dense" and param == "weight":
            value = value.T
        out[f"{index}.{param}"] = torch.from_numpy(np.array(value, copy=True))  # a writable, contiguous copy
    return out


def main():
    model_path, images_path, labels_path, probs_path = sys.argv[1:5]
    metadata, tensors = read_safetensors(model_path)
    architecture = json.loads(metadata["architecture"])
    net = nn.Sequential(*[torch_layer(spec) for spec in architecture["layers"]])
    net.load_state_dict(state_dict(architecture, tensors), strict=True)
    net.eval()

    shape = architecture.get("inputShape", [architecture["inputUnits"]])
    features = int(np.prod(shape))
    images = np.fromfile(images_path, dtype=np.uint8).reshape(-1, features)
    labels = np.fromfile(labels_path, dtype=np.uint8)
    # float32(byte / 255), correctly rounded, as scratchnet's loader gives the network.
    x = torch.from_numpy((images.astype(np.float64) / 255).astype(np.float32)).reshape(-1, *shape)
    with torch.no_grad():
        probs = torch.cat([torch.softmax(net(batch), dim=1) for batch in torch.split(x, 1000)])
    probs.numpy().astype("<f4").tofile(probs_path)
    correct = int((probs.argmax(dim=1).numpy() == labels).sum())
    print(json.dumps({
        "keys": {k: list(v.shape) for k, v in net.state_dict().items()},
        "module": str(net),
        "correct": correct,
        "torch": torch.__version__,
    }))


main()
