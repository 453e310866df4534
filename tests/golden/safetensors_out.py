"""Writes a safetensors file by hand, so that golden scripts need only PyTorch and NumPy.

The format: an 8-byte little-endian header length, a JSON header padded with spaces to a
multiple of 8 (so the data section starts 8-byte aligned), then each tensor's raw little-endian
bytes in the order given. Float32 and int64 tensors only, which is all the golden files hold.
"""
import json
import struct

import numpy as np

DTYPES = {np.dtype("<f4"): "F32", np.dtype("<i8"): "I64"}


def write_safetensors(path, tensors, metadata):
    """Writes the dict of torch tensors (name -> tensor, in file order) and returns the file size."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        a = t.detach().contiguous().numpy()  # keeps 0-d tensors 0-d
        raw = a.tobytes()
        header[name] = {"dtype": DTYPES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    return 8 + len(text) + offset
