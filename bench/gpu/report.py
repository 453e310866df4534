"""Writes the GPU section of bench/RESULTS.md (between the gpu:begin and gpu:end markers, replacing
the last one) from the files a bench/gpu/run.sh run left in its output folder: tessera.jsonl and
torch.jsonl (one line per case and pass), device.txt, command.txt, stages.txt and tests.log.

Usage: python3 bench/gpu/report.py [OUT_DIR] [--print]
OUT_DIR defaults to bench/gpu/out; --print shows the section instead of writing RESULTS.md.
"""
import json
import os
import re
import statistics
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")
BEGIN = "<!-- gpu:begin: written by bench/gpu/report.py from a bench/gpu/run.sh run, replaced on each run -->"
END = "<!-- gpu:end -->"
MOVED = 0.10   # BENCHMARKING.md: say so when two runs' medians differ by more than this
KERNELS = {   # name -> (title, the least Tessera/PyTorch ratio the issue asks for, or None)
    "sgemm": ("SGEMM, F32, C = A B of n x n (2 n^3 FLOPs; PyTorch: torch.matmul, TF32 off)", 0.7),
    "attention.forward": ("Flash attention forward, F32, q k v [B, H, N, D], scale 1/sqrt(D) (4 B H N^2 D FLOPs,"
                          " half when causal; PyTorch: scaled_dot_product_attention under no_grad)", 0.5),
    "attention.forward_backward": ("Flash attention forward + backward, F32 (3.5 times the forward's FLOPs;"
                                   " autograd on both sides, a fixed output gradient)", None),
    "moe.forward": ("DeepSeekMoE layer forward, F32, hidden 512, 16 routed experts of width 256 + 2 shared,"
                    " top-4, sigmoid, noaux_tc (FLOPs: router + K routed and the shared SwiGLU per token;"
                    " PyTorch: tests/golden/deepseek_moe.py under no_grad)", None),
    "moe.forward_backward": ("DeepSeekMoE layer forward + backward, F32 (3 times the forward's FLOPs;"
                             " autograd on both sides)", None),
}


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_text(path, default=""):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return f.read().strip()


def test_summary(out):
    """The console launcher's counts, e.g. '6 tests found: 6 successful, 0 failed, 0 skipped, 0 aborted'."""
    log = read_text(os.path.join(out, "tests.log"))
    counts = dict((word, int(n)) for n, word in re.findall(r"\[\s*(\d+) tests (\w+)\s*\]", log))
    if "found" not in counts:
        return "not run" if not log else "no summary in tests.log (the launcher stopped early): " + \
            log.splitlines()[-1][:200]
    return (f"{counts['found']} tests found: {counts.get('successful', 0)} successful, "
            f"{counts.get('failed', 0)} failed, {counts.get('skipped', 0)} skipped, {counts.get('aborted', 0)} aborted")


class Side:
    """One side's records of one case, pass by pass."""

    def __init__(self, records):
        self.records = sorted(records, key=lambda r: r["pass"])
        self.ok = [r for r in self.records if r["status"] == "ok"]

    def status(self):
        if self.ok:
            return None
        if not self.records:
            return "missing"
        r = self.records[0]
        return f"{r['status']}: {r.get('reason', '')}"

    def median_ms(self):
        return statistics.median(r["ms_median"] for r in self.ok)

    def gflops(self):
        return self.ok[0]["gflop"] / (self.median_ms() / 1e3)

    def ms_text(self):
        spread = f"{min(r['ms_min'] for r in self.ok):.3g}-{max(r['ms_max'] for r in self.ok):.3g}"
        return f"{self.median_ms():.3g} ({spread})"

    def moved(self):
        """How far apart the passes' medians are, relative to the smaller (0 with one pass)."""
        ms = [r["ms_median"] for r in self.ok]
        return max(ms) / min(ms) - 1 if len(ms) > 1 else 0.0


def ratio_text(tessera, torch):
    """Tessera's GFLOP/s over PyTorch's, the median over passes where both ran, and each pass's."""
    by_pass = {r["pass"]: r["ms_median"] for r in torch.ok}
    ratios = [by_pass[r["pass"]] / r["ms_median"] for r in tessera.ok if r["pass"] in by_pass]
    if not ratios:
        return None, "-"
    ratio = statistics.median(ratios)
    passes = ", ".join(f"{x:.2f}" for x in ratios)
    return ratio, f"**{ratio:.2f}**" + (f" ({passes})" if len(ratios) > 1 else "")


def table(kernel, tessera_cases, torch_cases):
    """The kernel's lines, and the Tessera / PyTorch ratio of each size (None where a side did not run)."""
    title, target = KERNELS[kernel]
    ratios = []
    sizes = list(dict.fromkeys([r["size"] for r in tessera_cases] + [r["size"] for r in torch_cases]))
    lines = [f"### {title}", "",
             "| size | Tessera GFLOP/s | PyTorch GFLOP/s | Tessera ms | PyTorch ms | Tessera / PyTorch | target | met |",
             "|---|---|---|---|---|---|---|---|"]
    notes = []
    for size in sizes:
        t = Side([r for r in tessera_cases if r["size"] == size])
        p = Side([r for r in torch_cases if r["size"] == size])
        ratio, ratio_cell = ratio_text(t, p) if t.ok and p.ok else (None, "-")
        ratios.append(ratio)
        target_cell = f">= {target}" if target else "-"
        met = "-" if target is None or ratio is None else ("yes" if ratio >= target else "**no**")
        cells = [size]
        cells.append(f"{t.gflops():.1f}" if t.ok else t.status())
        cells.append(f"{p.gflops():.1f}" if p.ok else p.status())
        cells.append(t.ms_text() if t.ok else "-")
        cells.append(p.ms_text() if p.ok else "-")
        cells += [ratio_cell, target_cell, met]
        lines.append("| " + " | ".join(cells) + " |")
        for name, side in (("Tessera", t), ("PyTorch", p)):
            if side.moved() > MOVED:
                notes.append(f"{size}: {name}'s two passes differ by {side.moved():.0%}")
    lines.append("")
    if notes:
        lines += ["Passes more than 10% apart: " + "; ".join(notes) + ".", ""]
    return lines, ratios


def target_line(kernel, ratios):
    title, target = KERNELS[kernel]
    measured = [r for r in ratios if r is not None]
    met = sum(r >= target for r in measured)
    verdict = "not measured" if not measured else ("**met**" if met == len(ratios) else "**not met**")
    return (f"- {kernel}: Tessera at least {target} of PyTorch at every size: {verdict} ({met} of {len(ratios)} sizes"
            f" met, {len(ratios) - len(measured)} not measured).")


def section(out):
    tessera = read_lines(os.path.join(out, "tessera.jsonl"))
    torch = read_lines(os.path.join(out, "torch.jsonl"))
    tessera_device = next((r for r in tessera if r["type"] == "device"), {})
    torch_device = next((r for r in torch if r["type"] == "device"), {})
    command = read_text(os.path.join(out, "command.txt"), "unknown").splitlines()
    stages = read_text(os.path.join(out, "stages.txt"), "none recorded").splitlines()
    smi = [line for line in read_text(os.path.join(out, "device.txt")).splitlines()
           if line.startswith("GPU ") or "driver" in line.lower() and "," in line]
    passes = sorted({r["pass"] for r in tessera + torch if r["type"] == "case"})
    quick = tessera_device.get("quick") or torch_device.get("quick")
    sdpa = ", ".join(k[4:-8] for k, v in torch_device.items() if k.startswith("sdp_") and v)
    lines = [BEGIN, "## Tessera's OpenCL backend on a GPU vs PyTorch (CUDA), fp32 (`bench/gpu/run.sh`)", ""]
    if quick:
        lines += ["**--quick run: small sizes to test the pipeline, not a benchmark.**", ""]
    lines += [
        f"- Tessera's OpenCL device: {tessera_device.get('device', tessera_device.get('error', 'unknown'))};"
        f" JDK {tessera_device.get('java', '?')} (jlinked, carried).",
        f"- nvidia-smi: {'; '.join(smi) if smi else 'not available'}.",
        f"- PyTorch {torch_device.get('torch', '?')}, CUDA {torch_device.get('cuda')}, cuDNN"
        f" {torch_device.get('cudnn')}, on {torch_device.get('device', 'unknown')}; TF32 off (matmul"
        f" {torch_device.get('allow_tf32_matmul')}, cuDNN {torch_device.get('allow_tf32_cudnn')});"
        f" SDPA backends enabled: {sdpa or 'n/a'}.",
        f"- Command: `{command[0]}` (through the device tool, carry `bench/gpu/build` from"
        f" `bench/gpu/build.sh`); {'; '.join(command[1:])}. Report: `python3 bench/gpu/report.py`.",
        f"- OpenCL property suite (OpenClEquivalencePropertiesTest and dev.tessera.tests.opencl) on this"
        f" device: {test_summary(out)}.",
        f"- Stages: {'; '.join(stages)}.",
        "",
        "Method: every case is checked before it is timed (Tessera: SGEMM on three rows of C and the attention"
        " forward on six rows against float64 on the host at the timed size, attention backward and the MoE layer"
        " against the cpu backend at a smaller size; PyTorch: the same SGEMM rows within 2e-6 K, which TF32 would"
        " fail, and attention against a float64 formula). Tessera and PyTorch run in separate processes, one after"
        f" the other, pass by pass ({len(passes)} pass{'es' if len(passes) != 1 else ''}: Tessera, PyTorch,"
        " Tessera, PyTorch). Each side: 3 warm-up calls, then 5 to 30 calls filling about 0.5 s, each between two"
        " device synchronisations (clFinish, torch.cuda.synchronize), timed on the host. Times: median of the"
        " passes' medians (min-max over all calls). **Tessera / PyTorch** = Tessera's GFLOP/s over PyTorch's,"
        " the median over passes (each pass's ratio in brackets): above 1, Tessera is faster.",
        ""]
    tables, targets = [], ["Targets (the issue's):"]
    for kernel in KERNELS:
        t = [r for r in tessera if r["type"] == "case" and r["kernel"] == kernel]
        p = [r for r in torch if r["type"] == "case" and r["kernel"] == kernel]
        if t or p:
            kernel_lines, ratios = table(kernel, t, p)
            tables += kernel_lines
            if KERNELS[kernel][1] is not None:
                targets.append(target_line(kernel, ratios))
    lines += targets + [""] + tables + [END]
    return "\n".join(lines)


def replace_section(text, new):
    if BEGIN in text and END in text:
        return text[:text.index(BEGIN)] + new + text[text.index(END) + len(END):]
    return text.rstrip("\n") + "\n\n" + new + "\n"


def main():
    args = [a for a in sys.argv[1:] if a != "--print"]
    out = args[0] if args else os.path.join(ROOT, "bench", "gpu", "out")
    archive = os.path.join(out, "results.tar.gz")
    if os.path.exists(archive):  # run.sh packs everything, as the device tool returns only a few files
        unpacked = tempfile.mkdtemp(prefix="tessera-gpu-")
        with tarfile.open(archive) as tar:
            tar.extractall(unpacked, filter="data")
        out = unpacked
    new = section(out)
    if "--print" in sys.argv:
        print(new)
        return
    with open(RESULTS) as f:
        text = f.read()
    with open(RESULTS, "w") as f:
        f.write(replace_section(text, new))
    print(f"wrote the gpu section of {RESULTS}")


if __name__ == "__main__":
    main()
