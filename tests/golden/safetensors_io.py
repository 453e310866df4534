"""The safetensors writer the golden scripts share, and a reader for the files Tessera writes, by
hand so that only PyTorch and NumPy are needed: an 8-byte little-endian header length, a JSON
header padded with spaces to a multiple of 8 (so the data section starts 8-byte aligned), then the
raw little-endian bytes of each tensor in the order given."""
import json
import struct

import numpy as np

DTYPES = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}


def write(path, tensors, metadata):
    """Writes the named torch tensors (0-d ones stay 0-d) and the string metadata; returns the file size."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        a = t.detach().contiguous().numpy()
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


def read(path):
    """The named torch tensors (F32, F64, I64) and the string metadata of a safetensors file."""
    import torch
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    by_name = {name: dtype for dtype, name in DTYPES.items()}
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=by_name[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, metadata
