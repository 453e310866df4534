"""Writes tests/src/test/resources/golden/xent.safetensors: cross-entropy and RoPE computed by PyTorch.

Cross-entropy, exactly (float32):
    logits      [6, 11]  standard normal times 3
    targets     [6]      int64 class ids, two of them -100 (PyTorch's default ignore_index)
    loss_mean, loss_sum  F.cross_entropy(logits, targets, reduction=...), 0-d
    loss_none   [6]      reduction="none" (0 where ignored)
    grad_mean   [6, 11]  d loss_mean / d logits
    targets_ignore2 [6]  int64 class ids where 2 is the ignore_index (a class inside [0, 11))
    loss_mean_ignore2, loss_none_ignore2, grad_mean_ignore2: the same with ignore_index=2

RoPE, Hugging Face's Llama formulation written out (rotate_half(x) = cat(-x2, x1) over the
halves of the last dim; inv_freq = theta ** (-arange(0, D, 2) / D); emb = cat(freqs, freqs)):
    rope_x      [2, 3, 5, 8] standard normal, float32, theta = 10000
    rope_pos    [5]          int64 positions 0, 1, 2, 7, 100 (shared by the batch)
    rope_pos2   [2, 5]       int64 positions per sequence (the second is a KV-cache offset, 37..41)
    rope_out, rope_out2      out = x * cos + rotate_half(x) * sin
    rope_w      [2, 3, 5, 8] loss weights; rope_grad = d sum(rope_out * rope_w) / d x
The angles, cos and sin are computed in float64 and then cast to float32, as Tessera's
RotaryEmbedding does (HF computes them in float32: a difference of up to about |angle| * 2^-24,
which for position 100 would dominate the comparison and say nothing about the rotation).

The safetensors file is written by hand (safetensors_io.py), so only PyTorch and NumPy are needed. Run from the repository
root with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 tests/golden/make_xent_golden.py
The test suite (CrossEntropyGoldenTest, RotaryEmbeddingGoldenTest) only reads the committed file.
"""
import torch
import torch.nn.functional as F

import safetensors_io  # beside this script

OUT = "tests/src/test/resources/golden/xent.safetensors"
SEED = 7
torch.manual_seed(SEED)
torch.set_num_threads(1)  # one fixed summation order, so re-running gives the same bytes

# ---------------------------------------------------------------- cross-entropy

logits = torch.randn(6, 11) * 3
targets = torch.tensor([3, -100, 10, 0, -100, 7], dtype=torch.int64)
targets_ignore2 = torch.tensor([2, 5, 2, 1, 10, 0], dtype=torch.int64)


def loss_and_grad(targets, ignore_index):
    leaf = logits.clone().requires_grad_(True)
    mean = F.cross_entropy(leaf, targets, ignore_index=ignore_index, reduction="mean")
    mean.backward()
    with torch.no_grad():
        total = F.cross_entropy(logits, targets, ignore_index=ignore_index, reduction="sum")
        none = F.cross_entropy(logits, targets, ignore_index=ignore_index, reduction="none")
    return mean.detach(), total, none, leaf.grad


loss_mean, loss_sum, loss_none, grad_mean = loss_and_grad(targets, -100)
loss_mean_ignore2, _, loss_none_ignore2, grad_mean_ignore2 = loss_and_grad(targets_ignore2, 2)

# ---------------------------------------------------------------- RoPE

THETA = 10000.0
rope_x = torch.randn(2, 3, 5, 8)
rope_w = torch.randn(2, 3, 5, 8)
rope_pos = torch.tensor([0, 1, 2, 7, 100], dtype=torch.int64)
rope_pos2 = torch.tensor([[0, 1, 2, 3, 4], [37, 38, 39, 40, 41]], dtype=torch.int64)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def cos_sin(positions, dim):
    inv_freq = 1.0 / (THETA ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
    freqs = positions.to(torch.float64)[..., None] * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(torch.float32), emb.sin().to(torch.float32)


def rope(x, positions):
    cos, sin = cos_sin(positions, x.shape[-1])
    if positions.dim() == 2:  # [B, N, D] -> [B, 1, N, D], broadcast over heads
        cos, sin = cos[:, None], sin[:, None]
    return x * cos + rotate_half(x) * sin


x_leaf = rope_x.clone().requires_grad_(True)
rope_out = rope(x_leaf, rope_pos)
(rope_out * rope_w).sum().backward()
rope_grad = x_leaf.grad
rope_out2 = rope(rope_x, rope_pos2)

tensors = {  # int64 first: their data then sits 8-byte aligned
    "targets": targets, "targets_ignore2": targets_ignore2, "rope_pos": rope_pos, "rope_pos2": rope_pos2,
    "logits": logits, "loss_mean": loss_mean, "loss_sum": loss_sum, "loss_none": loss_none,
    "grad_mean": grad_mean, "loss_mean_ignore2": loss_mean_ignore2, "loss_none_ignore2": loss_none_ignore2,
    "grad_mean_ignore2": grad_mean_ignore2,
    "rope_x": rope_x, "rope_w": rope_w, "rope_out": rope_out, "rope_out2": rope_out2, "rope_grad": rope_grad,
}
metadata = {
    "producer": "tests/golden/make_xent_golden.py, torch " + torch.__version__,
    "rope_theta": repr(THETA),
}

size = safetensors_io.write(OUT, tensors, metadata)
print("wrote %s (%d bytes) with torch %s" % (OUT, size, torch.__version__))
print("loss mean %.7f sum %.7f; ignore_index=2 mean %.7f" % (loss_mean, loss_sum, loss_mean_ignore2))
