"""The kernels compared, one Case per kernel and size: the inputs (random float32, the same arrays
for both sides), what the peer runs, how close the two results must be, and the bytes moved
(for GB/s). The Tessera side of each kernel name is PeerCases.java; outputs carry the same names.

To add a kernel: a builder here returning Cases, called from all_cases, and a `case` line in
PeerCases.java.
"""
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import torch

RMS_ROWS, RMS_COLS, RMS_EPS = 4096, 1024, 1e-6
HEADS, HEAD_DIM = 8, 64
ATTENTION_SEQS = (256, 512, 1024, 2048, 4096)
COPY_BYTES = 256 << 20
# The MoE layer of the issue (REFERENCE: DeepSeekMoE, V3 routing without groups), in Hugging Face keys.
MOE_CONFIG = dict(hidden_size=512, moe_intermediate_size=256, n_routed_experts=16, n_shared_experts=2,
                  num_experts_per_tok=4, scoring_func="sigmoid", topk_method="noaux_tc", norm_topk_prob=True,
                  routed_scaling_factor=2.5)
MOE_TOKENS = (1024, 4096)
# Tokens whose K-th and (K+1)-th choice scores lie closer than this are drawn again: float32 logits
# summed in another order differ by about 1e-6, so both sides must pick the same experts.
MOE_MARGIN = 1e-4
MOE_GRADS_CHECKED = ("gate.weight", "experts.0.gate_proj.weight", "experts.0.down_proj.weight",
                     "shared_experts.up_proj.weight")
GOLDEN = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "golden")


@dataclass
class Case:
    table: str              # the report's table this row goes into
    kernel: str             # the kernel name PeerServer knows
    size: str               # the row's shape label
    inputs: dict            # name -> float32 ndarray, written as NAME.npy for Tessera
    make_peer: Callable     # inputs -> a no-argument function that runs the peer once, returning outputs by name
    peer: str = "PyTorch"
    params: dict = field(default_factory=dict)
    tolerance: dict = field(default_factory=dict)   # output name -> (atol, rtol)
    bytes: Optional[int] = None                     # bytes per call, for GB/s
    target_ratio: Optional[float] = None            # the target for peer time / Tessera time
    target_ceiling: Optional[float] = None          # the target for the fraction of the copy ceiling
    tokens: Optional[int] = None                    # tokens per call, for tokens/s
    parts: bool = False                             # Tessera times the case's parts (PeerCase.parts) after the rounds
    flops: Optional[int] = None                     # floating-point operations per call, for GFLOP/s
    target_peak: Optional[float] = None             # the target for the fraction of the FMA ceiling
    calls: int = 1                                  # ops per timed call (tiny ops run in a loop): times per op divide by it
    blas: bool = True                               # the peer calls BLAS (a matmul): peers.py picks its OpenBLAS threads


def copy_cases(rng):
    """The machine's memory ceiling: a 256 MiB copy, counted as read plus write."""
    src = rng.standard_normal(COPY_BYTES // 4, dtype=np.float32)

    def numpy_copy(inputs):
        src, dst = inputs["src"], np.empty_like(inputs["src"])

        def run():
            np.copyto(dst, src)
            return {"out": dst}
        return run

    return [Case("copy", "copy", "256 MiB", {"src": src}, numpy_copy, peer="NumPy",
                 tolerance={"out": (0.0, 0.0)}, bytes=2 * COPY_BYTES, blas=False)]


def rms_norm_torch(x, w):
    """RMSNorm as torch 1.13 users write it (it has no fused one)."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMS_EPS) * w


def rms_norm_cases(rng):
    """Forward reads x, w and writes y: 8RC + 4C bytes. Backward reads dy, x, w, rstd and writes dx,
    dw: 12RC + 8C + 4R. Forward+backward moves both."""
    r, c = RMS_ROWS, RMS_COLS
    x = rng.standard_normal((r, c), dtype=np.float32)
    w = rng.standard_normal(c, dtype=np.float32)
    dy = rng.standard_normal((r, c), dtype=np.float32)
    forward_bytes = 8 * r * c + 4 * c
    backward_bytes = 12 * r * c + 8 * c + 4 * r

    def forward(inputs):
        x, w = torch.from_numpy(inputs["x"]), torch.from_numpy(inputs["w"])

        def run():
            with torch.no_grad():
                return {"y": rms_norm_torch(x, w)}
        return run

    def forward_backward(inputs):
        x = torch.from_numpy(inputs["x"]).requires_grad_(True)
        w = torch.from_numpy(inputs["w"]).requires_grad_(True)
        dy = torch.from_numpy(inputs["dy"])

        def run():
            x.grad = w.grad = None
            y = rms_norm_torch(x, w)
            y.backward(dy)
            return {"y": y, "dx": x.grad, "dw": w.grad}
        return run

    size = f"[{r}, {c}]"
    params = {"eps": RMS_EPS}
    # dw sums 4096 rows in float: both sides' orders differ, so it gets a looser bound.
    tolerance = {"y": (1e-5, 1e-5), "dx": (1e-5, 1e-4), "dw": (1e-3, 1e-4)}
    return [
        Case("rms_norm", "rms_norm.forward", size, {"x": x, "w": w}, forward, params=params,
             tolerance=tolerance, bytes=forward_bytes, blas=False),
        Case("rms_norm", "rms_norm.forward_backward", size, {"x": x, "w": w, "dy": dy}, forward_backward,
             params=params, tolerance=tolerance, bytes=forward_bytes + backward_bytes,
             target_ratio=3.0, target_ceiling=0.70, blas=False),
    ]


def attention_torch(q, k, v, mask):
    """The materialised formula: softmax(q k^T * scale + causal mask) v, every [N, N] score kept."""
    return torch.softmax(q @ k.transpose(-1, -2) * HEAD_DIM ** -0.5 + mask, dim=-1) @ v


def causal_mask(seq):
    return torch.full((seq, seq), float("-inf")).triu(1)


def attention_inputs(rng, seq):
    shape = (1, HEADS, seq, HEAD_DIM)
    return {name: rng.standard_normal(shape, dtype=np.float32) for name in ("q", "k", "v", "dout")}


def attention_forward_peer(inputs):
    q, k, v = (torch.from_numpy(inputs[n]) for n in ("q", "k", "v"))
    mask = causal_mask(q.shape[2])

    def run():
        with torch.no_grad():
            return {"out": attention_torch(q, k, v, mask)}
    return run


def attention_forward_backward_peer(inputs):
    q, k, v = (torch.from_numpy(inputs[n]).requires_grad_(True) for n in ("q", "k", "v"))
    dout = torch.from_numpy(inputs["dout"])
    mask = causal_mask(q.shape[2])

    def run():
        q.grad = k.grad = v.grad = None
        out = attention_torch(q, k, v, mask)
        out.backward(dout)
        return {"out": out, "dq": q.grad, "dk": k.grad, "dv": v.grad}
    return run


def attention_cases(rng, seqs=ATTENTION_SEQS):
    """Batch 1, 8 heads, head dim 64, causal; Tessera runs its flash kernel, which never holds [N, N]."""
    tolerance = {"out": (1e-5, 1e-4), "dq": (1e-4, 1e-3), "dk": (1e-4, 1e-3), "dv": (1e-4, 1e-3)}
    cases = []
    for seq in seqs:
        inputs = attention_inputs(rng, seq)
        target = 1.5 if seq >= 1024 else None
        forward_inputs = {n: inputs[n] for n in ("q", "k", "v")}
        cases.append(Case("attention.forward", "attention.forward", f"seq {seq}", forward_inputs,
                          attention_forward_peer, tolerance=tolerance, target_ratio=target))
        cases.append(Case("attention.forward_backward", "attention.forward_backward", f"seq {seq}", inputs,
                          attention_forward_backward_peer, tolerance=tolerance, target_ratio=target))
    return cases


def deepseek_moe():
    """The PyTorch reference layer, tests/golden/deepseek_moe.py (sort-based dispatch, HF names)."""
    if GOLDEN not in sys.path:
        sys.path.insert(0, GOLDEN)
    import deepseek_moe
    return deepseek_moe


def moe_module(inputs):
    """The reference layer holding the weights among the inputs (its state dict, one array per HF name)."""
    ref = deepseek_moe()
    module = ref.DeepSeekMoE(ref.MoeConfig(**MOE_CONFIG))
    module.load_state_dict({name: torch.from_numpy(inputs[name]) for name in module.state_dict()})
    return module


def moe_weights(rng):
    """The layer's state dict as float32 arrays: PyTorch's own init (seeded from rng), plus a small
    random selection bias so that noaux_tc's bias takes part in the choice."""
    torch.manual_seed(int(rng.integers(2 ** 31)))
    ref = deepseek_moe()
    module = ref.DeepSeekMoE(ref.MoeConfig(**MOE_CONFIG))
    with torch.no_grad():
        module.gate.e_score_correction_bias.copy_(torch.from_numpy(
            0.05 * rng.standard_normal(MOE_CONFIG["n_routed_experts"], dtype=np.float32)))
    return module, {name: t.detach().numpy().copy() for name, t in module.state_dict().items()}


def moe_tokens(rng, module, tokens):
    """x [tokens, H] with every token's routing decided by at least MOE_MARGIN (close ones drawn again)."""
    x = rng.standard_normal((tokens, MOE_CONFIG["hidden_size"]), dtype=np.float32)
    while True:
        close = module.gate.margins(torch.from_numpy(x)).numpy() < MOE_MARGIN
        if not close.any():
            return x
        x[close] = rng.standard_normal((int(close.sum()), x.shape[1]), dtype=np.float32)


def moe_forward_peer(inputs):
    module, x = moe_module(inputs), torch.from_numpy(inputs["x"])

    def run():
        with torch.no_grad():
            y = module(x)
            return {"y": y, "indices": module.last_routing[0]}
    return run


def moe_forward_backward_peer(inputs):
    module = moe_module(inputs)
    x, dy = torch.from_numpy(inputs["x"]).requires_grad_(True), torch.from_numpy(inputs["dy"])
    params = dict(module.named_parameters())

    def run():
        x.grad = None
        module.zero_grad(set_to_none=True)
        y = module(x)
        y.backward(dy)
        return {"y": y, "indices": module.last_routing[0], "dx": x.grad,
                **{"grad." + name: params[name].grad for name in MOE_GRADS_CHECKED}}
    return run


def moe_cases(rng):
    """The DeepSeekMoE layer, forward and forward+backward (autograd on both sides), same weights.
    The chosen experts must agree exactly (checked as an output); the sums of 4096 tokens in the
    router's weight gradient get the loosest bound."""
    module, weights = moe_weights(rng)
    c = MOE_CONFIG
    params = {"experts": c["n_routed_experts"], "width": c["moe_intermediate_size"], "shared": c["n_shared_experts"],
              "topk": c["num_experts_per_tok"], "scaling": c["routed_scaling_factor"]}
    tolerance = {"y": (1e-5, 1e-4), "indices": (0.0, 0.0), "dx": (1e-5, 1e-4), "grad.gate.weight": (1e-4, 1e-3),
                 **{"grad." + n: (1e-4, 1e-3) for n in MOE_GRADS_CHECKED[1:]}}
    cases = []
    for tokens in MOE_TOKENS:
        x = moe_tokens(rng, module, tokens)
        dy = rng.standard_normal(x.shape, dtype=np.float32)
        size = f"{tokens} tokens"
        cases.append(Case("moe.forward", "moe.forward", size, {"x": x, **weights}, moe_forward_peer, params=params,
                          tolerance=tolerance, target_ratio=1.5, tokens=tokens, parts=True))
        cases.append(Case("moe.forward_backward", "moe.forward_backward", size, {"x": x, "dy": dy, **weights},
                          moe_forward_backward_peer, params=params, tolerance=tolerance, target_ratio=1.5,
                          tokens=tokens, parts=True))
    return cases


def all_cases(seed, attention_seqs=ATTENTION_SEQS):
    """Every case, the two ceilings (copy, FMA loop) first. The CPU-performance kernels (cpu_kernels.py)
    draw from their own generator, so that adding them left the other cases' inputs as they were."""
    import cpu_kernels
    rng = np.random.default_rng(seed)
    cpu_rng = np.random.default_rng([seed, 3])
    return (copy_cases(rng) + cpu_kernels.fma_cases(cpu_rng) + rms_norm_cases(rng) + attention_cases(rng, attention_seqs)
            + moe_cases(rng) + cpu_kernels.cases(cpu_rng))


def as_array(value):
    return value.detach().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


def disagreement(name, tessera, peer, tolerance):
    """max |a - b| / (atol + rtol * max(|a|, |b|)) over the elements: at most 1 means they agree."""
    a, b = np.asarray(tessera, dtype=np.float64), as_array(peer).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"{name}: Tessera's shape {a.shape}, the peer's {b.shape}")
    atol, rtol = tolerance
    diff = np.abs(a - b)
    bound = atol + rtol * np.maximum(np.abs(a), np.abs(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        worst = float(np.where(diff == 0, 0.0, diff / bound).max())
    return {"output": name, "max_abs_diff": float(diff.max()), "atol": atol, "rtol": rtol, "worst": worst}
