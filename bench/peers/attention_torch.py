"""PyTorch peer of AttentionBench: materialised causal attention (q @ k^T * scale + causal mask,
softmax, @ v), forward and forward + backward, batch 1, 8 heads, head dim 64, float32, 2 threads.

Times: median of the timed repetitions after warm-up, in milliseconds. Peak memory: each size runs
in a fresh subprocess, and the figure is the growth of the process's maximum resident set size
(resource.getrusage ru_maxrss) from just before the first call to after the last one, in MiB
(tracemalloc cannot see torch's allocator). It includes the score matrix, its softmax and, for
backward, their gradients, plus allocator caching.

Usage: /usr/bin/python3 bench/peers/attention_torch.py [seq ...]   (default 256 1024 2048)
"""
import json
import resource
import subprocess
import sys
import time

HEADS = 8
HEAD_DIM = 64
WARMUP = 3
REPEATS = 10


def measure(seq, mode):
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(21)
    q = torch.randn(1, HEADS, seq, HEAD_DIM, requires_grad=True)
    k = torch.randn(1, HEADS, seq, HEAD_DIM, requires_grad=True)
    v = torch.randn(1, HEADS, seq, HEAD_DIM, requires_grad=True)
    grad_out = torch.randn(1, HEADS, seq, HEAD_DIM)
    mask = torch.full((seq, seq), float("-inf")).triu(1)
    scale = HEAD_DIM ** -0.5

    def forward():
        return torch.softmax(q @ k.transpose(-1, -2) * scale + mask, dim=-1) @ v

    def step():
        if mode == "forward":
            with torch.no_grad():
                forward()
        else:
            q.grad = k.grad = v.grad = None
            forward().backward(grad_out)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(WARMUP):
        step()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times.sort()
    return {"seq": seq, "mode": mode, "median_ms": 1e3 * times[len(times) // 2],
            "min_ms": 1e3 * times[0], "max_ms": 1e3 * times[-1],
            "peak_rss_growth_mib": (rss_after - rss_before) / 1024.0}


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]), sys.argv[3])))
        return
    sizes = [int(s) for s in sys.argv[1:]] or [256, 1024, 2048]
    print("seq  mode              median ms   (min .. max)       peak RSS growth MiB")
    for seq in sizes:
        for mode in ("forward", "forward+backward"):
            line = subprocess.run([sys.executable, __file__, "--one", str(seq), mode],
                                  capture_output=True, text=True, check=True).stdout
            r = json.loads(line)
            print(f"{seq:<5d}{mode:<18s}{r['median_ms']:10.2f}   ({r['min_ms']:.2f} .. {r['max_ms']:.2f})"
                  f"   {r['peak_rss_growth_mib']:8.1f}")


if __name__ == "__main__":
    main()
