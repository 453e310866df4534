"""Writes the golden files of the io tests into tests/src/test/resources/golden/.

The .npy files come from NumPy's own writer, the .safetensors file from the safetensors
library, so the tests check Tessera against the bytes those libraries really produce. Run from
the repository root:  python3 tests/golden/make_io_golden.py   (NumPy, safetensors)
The test suite itself only reads the committed files.
"""
import numpy as np
from numpy.lib import format as npy_format
from safetensors import TensorSpec, serialize_file

OUT = "tests/src/test/resources/golden/"

# --- .npy: what np.save writes (version 1.0, C order, little-endian unless asked otherwise)
np.save(OUT + "f4_2x3.npy", (np.arange(6, dtype="<f4") / 4).reshape(2, 3))
np.save(OUT + "f4_empty_0x3.npy", np.zeros((0, 3), dtype="<f4"))
np.save(OUT + "i8_vector.npy", np.array([-3, 2**53 + 1, 7], dtype="<i8"))
np.save(OUT + "b1_2x2.npy", np.array([[True, False], [False, True]]))
np.save(OUT + "f2_scalar.npy", np.array(-1.5, dtype="<f2"))
# column-major data: [[0, 1, 2], [3, 4, 5]] stored as 0 3 1 4 2 5
np.save(OUT + "f8_fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
np.save(OUT + "i4_big_endian.npy", np.array([1, -2, 70000], dtype=">i4"))
for version in [(2, 0), (3, 0)]:
    with open(OUT + "f4_v%d.npy" % version[0], "wb") as f:
        npy_format.write_array(f, np.array([1.0, -0.5], dtype="<f4"), version=version)

# --- .safetensors: one tensor of every dtype Tessera has, a 0-d one, an empty one, metadata.
bf16_bits = (np.array([1.0, -2.5, 0.15625], dtype="<f4").view("<u4") >> 16).astype("<u2")
arrays = {
    "f64": ("float64", np.array([1.5, -2.25], dtype="<f8")),
    "i64": ("int64", np.array([-1, 2**53 + 1, 7], dtype="<i8")),
    "empty": ("float32", np.zeros((0, 3), dtype="<f4")),
    "f32": ("float32", np.array([[0.5, -1.0], [3.25, 1e-3]], dtype="<f4")),
    "i32": ("int32", np.array(42, dtype="<i4")),
    "bf16": ("bfloat16", bf16_bits),
    "f16": ("float16", np.array([0.5, 65504], dtype="<f2")),
    "bool": ("bool", np.array([True, False, True])),
}
specs = {
    name: TensorSpec(dtype=dtype, shape=a.shape, data_ptr=a.ctypes.data, data_len=a.nbytes)
    for name, (dtype, a) in arrays.items()
}
serialize_file(specs, OUT + "all_dtypes.safetensors", metadata={"format": "np"})
