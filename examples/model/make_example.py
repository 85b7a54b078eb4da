#!/usr/bin/python3
"""Writes the example model's weights and input data (run with /usr/bin/python3, NumPy).

The model (config.json) takes `features` and `context`, both (batch, 16):
  mix            Lambda  two inputs: features + 0.5 * context
  dense_in       Dense   16 -> 32, relu
  antirectifier  Lambda  32 -> 64
  scale          Lambda  a variable `s` of 64 per-feature factors
  head           Dense   64 -> 4, softmax
The weights are written as safetensors by hand (8-byte header length, JSON header, data), so
this script needs nothing but NumPy. Seeded: running it again gives the same bytes.
"""
import json
import pathlib
import struct

import numpy as np

here = pathlib.Path(__file__).resolve().parent
rng = np.random.default_rng(20261121)


def glorot(rows, cols):
    limit = np.sqrt(6.0 / (rows + cols))
    return rng.uniform(-limit, limit, size=(rows, cols)).astype(np.float32)


weights = {
    "dense_in/kernel": glorot(16, 32),
    "dense_in/bias": rng.normal(0, 0.1, size=32).astype(np.float32),
    "scale/s": (1.0 + rng.normal(0, 0.2, size=64)).astype(np.float32),
    "head/kernel": glorot(64, 4),
    "head/bias": np.zeros(4, np.float32),
}

header, data = {}, b""
for name in sorted(weights):
    array = np.ascontiguousarray(weights[name])
    header[name] = {"dtype": "F32", "shape": list(array.shape),
                    "data_offsets": [len(data), len(data) + array.nbytes]}
    data += array.tobytes()
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
(here / "model.weights.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + data)

np.save(here / "features.npy", rng.normal(0, 1, size=(3, 16)).astype(np.float32))
np.save(here / "context.npy", rng.normal(0, 1, size=(3, 16)).astype(np.float32))
