"""PyTorch's RMSNorm on the shape RmsNormBench times: F32 [4096, 1024], 2 threads.

torch 1.13 has no F.rms_norm, so the norm is written out as users of that version write it:
x * rsqrt(mean(x^2) + eps) * w. "forward" times that; "forward+backward" times it and
autograd's backward to x and w from a given dy. Bytes per call are RmsNormBench's, so the GB/s
compare directly: forward 8RC + 4C, backward 12RC + 8C + 4R, forward+backward their sum.

Run: /usr/bin/python3 bench/peers/rmsnorm_torch.py   (prints the median and the spread of the repeats)
"""
import statistics
import time

import torch

ROWS, COLS, EPS = 4096, 1024, 1e-6
WARMUP, REPEATS = 10, 40

FORWARD_BYTES = 8 * ROWS * COLS + 4 * COLS
BACKWARD_BYTES = 12 * ROWS * COLS + 8 * COLS + 4 * ROWS


def rms_norm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * w


def timed(step):
    for _ in range(WARMUP):
        step()
    seconds = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return seconds


def report(name, seconds, nbytes):
    median = statistics.median(seconds)
    print(f"{name:18s} median {median * 1e6:9.0f} us  ({min(seconds) * 1e6:.0f} to {max(seconds) * 1e6:.0f})"
          f"  {nbytes / median / 1e9:6.2f} GB/s")


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    x = torch.randn(ROWS, COLS)
    w = torch.randn(COLS)
    dy = torch.randn(ROWS, COLS)

    def forward():
        with torch.no_grad():
            rms_norm(x, w)

    xg = x.clone().requires_grad_(True)
    wg = w.clone().requires_grad_(True)

    def forward_backward():
        xg.grad = None
        wg.grad = None
        rms_norm(xg, wg).backward(dy)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, F32 [{ROWS}, {COLS}]")
    report("forward", timed(forward), FORWARD_BYTES)
    report("forward+backward", timed(forward_backward), FORWARD_BYTES + BACKWARD_BYTES)


if __name__ == "__main__":
    main()
