"""Writes tests/src/test/resources/golden/llama_block.safetensors: one Llama-style decoder block
computed by PyTorch, forward and every gradient.

The block, exactly as Hugging Face's LlamaDecoderLayer computes it (float32 throughout):
    x      [B=2, N=7, HIDDEN=16]    standard normal
    h      = x + o_proj(attention(rope(q), rope(k), v))    q, k, v = {q,k,v}_proj(rms_norm(x) * input_layernorm.weight)
    out    = h + down_proj(silu(gate_proj(m)) * up_proj(m))   m = rms_norm(h) * post_attention_layernorm.weight
    loss   = sum(out * probe)                               probe [2, 7, 16] standard normal
with 4 query heads and 2 key/value heads of size 4 (grouped-query: query head i reads kv head
i // 2), causal attention with scale 1/sqrt(4), rotary embeddings in the half-split
(rotate_half) layout with theta = 10000 at positions 0..6, RMSNorm eps = 1e-6, and the
feed-forward width 24. Every Linear has no bias and the [out, in] layout; the norm weights are
drawn around 1 so that they matter. The file holds the weights under their Hugging Face names
(self_attn.q_proj.weight ...), x, probe, out, and the gradient of the loss with respect to x
and every weight under "grad." + name.

Run from the repository root with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 tests/golden/make_llama_block_golden.py
The test suite only reads the committed file.
"""
import math

import torch
import torch.nn.functional as F

import safetensors_io  # beside this script

OUT = "tests/src/test/resources/golden/llama_block.safetensors"
SEED = 5
B, N, HIDDEN, HEADS, KV_HEADS, HEAD_DIM, INTERMEDIATE = 2, 7, 16, 4, 2, 4, 24
THETA, EPS = 10000.0, 1e-6

torch.manual_seed(SEED)
torch.set_num_threads(1)  # one fixed summation order, so re-running gives the same bytes


def linear_weight(out_features, in_features):
    bound = in_features ** -0.5
    return (torch.rand(out_features, in_features) * 2 - 1) * bound


weights = {
    "input_layernorm.weight": 1 + 0.1 * torch.randn(HIDDEN),
    "self_attn.q_proj.weight": linear_weight(HEADS * HEAD_DIM, HIDDEN),
    "self_attn.k_proj.weight": linear_weight(KV_HEADS * HEAD_DIM, HIDDEN),
    "self_attn.v_proj.weight": linear_weight(KV_HEADS * HEAD_DIM, HIDDEN),
    "self_attn.o_proj.weight": linear_weight(HIDDEN, HEADS * HEAD_DIM),
    "post_attention_layernorm.weight": 1 + 0.1 * torch.randn(HIDDEN),
    "mlp.gate_proj.weight": linear_weight(INTERMEDIATE, HIDDEN),
    "mlp.up_proj.weight": linear_weight(INTERMEDIATE, HIDDEN),
    "mlp.down_proj.weight": linear_weight(HIDDEN, INTERMEDIATE),
}
x = torch.randn(B, N, HIDDEN)
probe = torch.randn(B, N, HIDDEN)


def rms_norm(t, weight):
    variance = t.pow(2).mean(-1, keepdim=True)
    return weight * (t * torch.rsqrt(variance + EPS))


def rotate_half(t):
    half = t.shape[-1] // 2
    return torch.cat((-t[..., half:], t[..., :half]), dim=-1)


def rope(t, positions):
    inv_freq = 1.0 / (THETA ** (torch.arange(0, HEAD_DIM, 2, dtype=torch.float64) / HEAD_DIM))
    angles = positions.to(torch.float64)[:, None] * inv_freq[None, :]
    angles = torch.cat((angles, angles), dim=-1)
    cos, sin = angles.cos().to(t.dtype), angles.sin().to(t.dtype)
    return t * cos + rotate_half(t) * sin


def heads(t, count):
    return t.view(B, N, count, HEAD_DIM).transpose(1, 2)  # [B, count, N, HEAD_DIM]


def attention(q, k, v):
    group = HEADS // KV_HEADS
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    scores = q @ k.transpose(-1, -2) / math.sqrt(HEAD_DIM)
    causal = torch.ones(N, N, dtype=torch.bool).tril()
    scores = scores.masked_fill(~causal, float("-inf"))
    return scores.softmax(-1) @ v


def block(x, w):
    positions = torch.arange(N)
    normed = rms_norm(x, w["input_layernorm.weight"])
    q = rope(heads(normed @ w["self_attn.q_proj.weight"].T, HEADS), positions)
    k = rope(heads(normed @ w["self_attn.k_proj.weight"].T, KV_HEADS), positions)
    v = heads(normed @ w["self_attn.v_proj.weight"].T, KV_HEADS)
    attended = attention(q, k, v).transpose(1, 2).reshape(B, N, HEADS * HEAD_DIM)
    h = x + attended @ w["self_attn.o_proj.weight"].T
    m = rms_norm(h, w["post_attention_layernorm.weight"])
    hidden = F.silu(m @ w["mlp.gate_proj.weight"].T) * (m @ w["mlp.up_proj.weight"].T)
    return h + hidden @ w["mlp.down_proj.weight"].T


leaves = {name: t.clone().requires_grad_(True) for name, t in weights.items()}
x_leaf = x.clone().requires_grad_(True)
out = block(x_leaf, leaves)
loss = (out * probe).sum()
loss.backward()

tensors = dict(weights)
tensors.update({"x": x, "probe": probe, "out": out, "loss": loss, "grad.x": x_leaf.grad})
tensors.update({"grad." + name: leaf.grad for name, leaf in leaves.items()})
metadata = {
    "producer": "tests/golden/make_llama_block_golden.py, torch " + torch.__version__,
    "config": "hidden=%d heads=%d kv_heads=%d head_dim=%d intermediate=%d theta=%r eps=%r causal"
              % (HIDDEN, HEADS, KV_HEADS, HEAD_DIM, INTERMEDIATE, THETA, EPS),
}
size = safetensors_io.write(OUT, tensors, metadata)
print("wrote %s (%d bytes) with torch %s; loss %.7f" % (OUT, size, torch.__version__, loss.item()))
