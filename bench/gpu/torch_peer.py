"""PyTorch's side of bench/gpu (run.sh): the cases GpuBench times, with the same names, sizes and
FLOP counts, on CUDA in fp32 (TF32 off for matmul and cuDNN), one JSON line per case.

Each case is checked before it is timed: SGEMM on three rows against float64 (the bound also proves
TF32 was off), attention's forward on six rows and its backward at a small size against the
float64 formula. The MoE layer is tests/golden/deepseek_moe.py (the reference Tessera's layer is
tested against) with bench/peers' config. Timing as GpuBench's: 3 warm-up calls, then 5 to 30
calls filling --case-s seconds, each between two torch.cuda.synchronize().

Usage: python3 bench/gpu/torch_peer.py [--quick] [--pass N] [--out FILE] [--budget-s S] [--case-s S]
                                       [--only PREFIX]
Without CUDA it runs on the CPU (to test the pipeline; such numbers are no GPU peer).
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "peers"))
try:
    import kernels  # bench/peers: MOE_CONFIG and the reference layer's module
except ImportError as e:  # it needs NumPy, which a CUDA machine's Python may lack: then no MoE cases
    kernels, KERNELS_MISSING = None, f"bench/peers/kernels.py cannot be imported: {e}"

WARMUP_CALLS, MIN_REPS, MAX_REPS = 3, 5, 30
SGEMM_SIZES, SGEMM_QUICK = (1024, 2048, 4096, 8192), (64, 96)
ATTENTION = dict(batch=4, heads=16, head_dims=(64, 128), seqs=(1024, 2048, 4096))
ATTENTION_QUICK = dict(batch=1, heads=2, head_dims=(16, 32), seqs=(64, 128))
ATTENTION_CHECK_SEQ = 200
MOE_TOKENS, MOE_QUICK = (1024, 4096, 16384), (32,)


class NotRun(Exception):
    """A case this PyTorch cannot run (reported as "not run", not as a failure)."""


class Runner:
    def __init__(self, args, device):
        self.args, self.device = args, device
        self.deadline = time.monotonic() + args.budget_s
        self.failed = False
        self.file = open(args.out, "a") if args.out else None

    def record(self, kind, **fields):
        return {"side": "torch", "pass": self.args.pass_, "type": kind, **fields}

    def write(self, line):
        text = json.dumps(line)
        print(text, flush=True)
        if self.file:
            self.file.write(text + "\n")
            self.file.flush()

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize()

    def once(self, call):
        self.sync()
        start = time.perf_counter()
        call()
        self.sync()
        return (time.perf_counter() - start) * 1e3

    def measure(self, call):
        estimate = min(self.once(call) for _ in range(WARMUP_CALLS))
        reps = int(max(MIN_REPS, min(MAX_REPS, round(self.args.case_s * 1e3 / estimate))))
        ms = sorted(self.once(call) for _ in range(reps))
        median = ms[reps // 2] if reps % 2 else (ms[reps // 2 - 1] + ms[reps // 2]) / 2
        return dict(ms_median=median, ms_min=ms[0], ms_max=ms[-1], reps=reps)

    def run(self, kernel, size, gflop, prepare):
        """prepare() -> (check, call): check raises when the result is wrong; call is timed."""
        if not kernel.startswith(self.args.only):
            return
        line = self.record("case", kernel=kernel, size=size, gflop=gflop)
        if time.monotonic() > self.deadline:
            self.write({**line, "status": "not run", "reason": f"time budget of {self.args.budget_s} s spent"})
            return
        print(f"[torch] {kernel} {size}", file=sys.stderr, flush=True)
        stage = "inputs"
        try:
            check, call = prepare()
            stage = "check"
            check()
            stage = "timing"
            timing = self.measure(call)
            line.update(status="ok", check="passed", **timing, gflops=gflop / (timing["ms_median"] / 1e3))
        except NotRun as e:
            line.update(status="not run", reason=str(e))
        except Exception as e:  # a case never ends the run
            line.update(status="failed", reason=f"{stage}: {type(e).__name__}: {e}")
            self.failed = True
        finally:
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
        self.write(line)


def close(what, got, want, atol, rtol):
    """Raises unless every element of got lies within atol + rtol * |want| (want in float64)."""
    got, want = got.double().cpu(), want.double().cpu()
    bad = (got - want).abs() > atol + rtol * want.abs()
    if bad.any():
        i = int(bad.flatten().nonzero()[0])
        raise AssertionError(f"{what}: element {i} is {got.flatten()[i].item()}, expected "
                             f"{want.flatten()[i].item()} (atol {atol}, rtol {rtol})")


def sgemm_cases(runner, quick):
    for n in SGEMM_QUICK if quick else SGEMM_SIZES:
        def prepare(n=n):
            g = torch.Generator(device=runner.device).manual_seed(7 + n)
            a = torch.randn(n, n, device=runner.device, generator=g)
            b = torch.randn(n, n, device=runner.device, generator=g)

            def check():
                c = torch.matmul(a, b)
                rows = torch.tensor([0, n // 2 + 1, n - 1], device=runner.device)
                close(f"sgemm {n}", c[rows], a[rows].double() @ b.double(), 2e-6 * n, 0)
            return check, lambda: torch.matmul(a, b)
        runner.run("sgemm", f"{n}x{n}x{n}", 2.0 * n ** 3 / 1e9, prepare)


def attention_reference(q, k, v, causal):
    """softmax(q k^T / sqrt(D) [+ causal mask]) v in float64, differentiable."""
    q, k, v = q.double(), k.double(), v.double()
    logits = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if causal:
        n = q.shape[-2]
        hidden = torch.ones(n, n, dtype=torch.bool, device=q.device).triu(1)
        logits = logits.masked_fill(hidden, float("-inf"))
    return logits.softmax(-1) @ v


def attention_cases(runner, quick):
    c = ATTENTION_QUICK if quick else ATTENTION
    sdpa = getattr(F, "scaled_dot_product_attention", None)
    batch, heads = c["batch"], c["heads"]
    for d in c["head_dims"]:
        for n in c["seqs"]:
            inputs = {}

            def make(n=n, d=d):
                if sdpa is None:
                    raise NotRun(f"torch {torch.__version__} has no scaled_dot_product_attention")
                if not inputs:
                    g = torch.Generator(device=runner.device).manual_seed(31 * n + d)
                    inputs.update({name: torch.randn(batch, heads, n, d, device=runner.device, generator=g)
                                   for name in ("q", "k", "v", "grad_out")})
                return inputs
            for backward in (False, True):
                for causal in (False, True):
                    forward = 4.0 * batch * heads * n * n * d / (2 if causal else 1) / 1e9
                    kernel = "attention.forward_backward" if backward else "attention.forward"
                    size = f"B{batch} H{heads} N{n} D{d}" + (" causal" if causal else "")
                    prepare = (lambda make=make, causal=causal, backward=backward:
                               attention_prepare(runner, sdpa, make(), causal, backward))
                    runner.run(kernel, size, 3.5 * forward if backward else forward, prepare)
            inputs.clear()


def attention_prepare(runner, sdpa, inputs, causal, backward):
    q, k, v, grad_out = (inputs[name] for name in ("q", "k", "v", "grad_out"))
    if not backward:
        def forward():
            with torch.no_grad():
                return sdpa(q, k, v, is_causal=causal)

        def check():
            out = forward()
            n = q.shape[2]
            for b, h in ((0, 0), (q.shape[0] - 1, q.shape[1] - 1)):
                rows = torch.tensor([0, n // 2 + 1, n - 1], device=runner.device)
                full = attention_reference(q[b, h], k[b, h], v[b, h], causal)
                close(f"attention forward [{b}, {h}]", out[b, h, rows], full[rows], 1e-4, 1e-3)
        return check, forward
    leaves = [t.detach().clone().requires_grad_(True) for t in (q, k, v)]

    def forward_backward():
        sdpa(*leaves, is_causal=causal).backward(grad_out)
        for leaf in leaves:
            leaf.grad = None

    def check():
        n = min(ATTENTION_CHECK_SEQ, q.shape[2])
        small = [t[:1, :2, :n].detach().clone().requires_grad_(True) for t in (q, k, v)]
        reference = [t.detach().double().requires_grad_(True) for t in small]
        dout = grad_out[:1, :2, :n]
        out = sdpa(*small, is_causal=causal)
        out.backward(dout)
        want = attention_reference(*reference, causal)
        want.backward(dout.double())
        close("attention backward out", out, want, 1e-4, 1e-3)
        for name, got, ref in zip(("dq", "dk", "dv"), small, reference):
            close(f"attention backward {name}", got.grad, ref.grad, 1e-4, 1e-3)
    return check, forward_backward


def moe_cases(runner, quick):
    if kernels is None:
        def missing():
            raise NotRun(KERNELS_MISSING)
        for tokens in MOE_QUICK if quick else MOE_TOKENS:
            for kernel in ("moe.forward", "moe.forward_backward"):
                runner.run(kernel, f"{tokens} tokens", 0.0, missing)
        return
    c = kernels.MOE_CONFIG
    hidden, width, experts = c["hidden_size"], c["moe_intermediate_size"], c["n_routed_experts"]
    per_token = (c["num_experts_per_tok"] + c["n_shared_experts"]) * 6.0 * hidden * width
    reference = kernels.deepseek_moe()
    for tokens in MOE_QUICK if quick else MOE_TOKENS:
        forward = (2.0 * tokens * hidden * experts + tokens * per_token) / 1e9
        for backward in (False, True):
            def prepare(tokens=tokens, backward=backward):
                torch.manual_seed(0)
                module = reference.DeepSeekMoE(reference.MoeConfig(**c)).to(runner.device)
                g = torch.Generator(device=runner.device).manual_seed(11 + tokens)
                x = torch.randn(tokens, hidden, device=runner.device, generator=g)
                dy = torch.randn(tokens, hidden, device=runner.device, generator=g)
                if not backward:
                    def call():
                        with torch.no_grad():
                            module(x)
                else:
                    leaf = x.requires_grad_(True)

                    def call():
                        module(leaf).backward(dy)
                        leaf.grad = None
                        module.zero_grad(set_to_none=True)
                # The layer is the reference the Tessera layer is tested against: nothing to check it by.
                return (lambda: None), call
            kernel = "moe.forward_backward" if backward else "moe.forward"
            runner.run(kernel, f"{tokens} tokens", 3 * forward if backward else forward, prepare)


def device_record(runner):
    d = runner.device
    fields = dict(torch=torch.__version__, cuda=torch.version.cuda, quick=runner.args.quick,
                  allow_tf32_matmul=torch.backends.cuda.matmul.allow_tf32,
                  allow_tf32_cudnn=torch.backends.cudnn.allow_tf32)
    if d.type == "cuda":
        fields["device"] = torch.cuda.get_device_name(d)
        fields["cudnn"] = torch.backends.cudnn.version()
        for backend in ("flash", "mem_efficient", "math"):
            enabled = getattr(torch.backends.cuda, f"{backend}_sdp_enabled", None)
            if enabled is not None:
                fields[f"sdp_{backend}_enabled"] = enabled()
    else:
        fields["device"] = f"cpu, {torch.get_num_threads()} threads (no CUDA: not a GPU peer)"
    return runner.record("device", **fields)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to test the pipeline")
    parser.add_argument("--pass", dest="pass_", type=int, default=1)
    parser.add_argument("--out", help="append the JSON lines to this file too")
    parser.add_argument("--budget-s", type=float, default=150.0, help="cases not started by then are not run")
    parser.add_argument("--case-s", type=float, default=0.5, help="the timed calls' share of each case")
    parser.add_argument("--only", default="", help="only kernels whose name starts with this")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    runner = Runner(args, device)
    runner.write(device_record(runner))
    for family in (sgemm_cases, attention_cases, moe_cases):
        family(runner, args.quick)
    sys.exit(1 if runner.failed else 0)


if __name__ == "__main__":
    main()
