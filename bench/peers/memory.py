"""Peak extra memory of attention forward+backward, Tessera and PyTorch measured alike: a fresh
process per size; a warm-up at a tiny size (so code loading and JIT compilation are done); the
inputs for the size loaded; a garbage collection, so that dead objects are freed before the call
and not during it; the allocator's free memory handed back to the kernel; then VmHWM is
reset to VmRSS (/proc/self/clear_refs) and the growth of VmHWM over one call is the peak extra
memory. The JVM's heap is fixed and touched at start
(-Xms = -Xmx, AlwaysPreTouch), so heap growth does not count; Tessera's tensors live outside it."""
import ctypes
import gc
import json
import os
import subprocess
import sys
import time

import numpy as np

import kernels
from machine import THREADS
from tessera import TesseraServer

TINY_SEQ = 64
WARM_CALLS = 20


def extra_bytes(answer):
    """Peak minus resident before the call; without a reset, the growth of the old peak (an underestimate)."""
    if answer["peak_reset"]:
        return answer["hwm_after"] - answer["rss_before"]
    return max(0, answer["hwm_after"] - answer["hwm_before"])


def status_bytes(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def trim_malloc():
    """Hands the allocator's free memory back to the kernel (tcmalloc's release, else glibc's
    malloc_trim), so that memory a call takes from earlier frees counts as growth."""
    process = ctypes.CDLL(None)
    for name, argument in (("MallocExtension_ReleaseFreeMemory", ()), ("malloc_trim", (ctypes.c_size_t(0),))):
        if hasattr(process, name):
            getattr(process, name)(*argument)
            return name
    return None


def measure_call(run):
    """The same measurement as PeerServer's `memory` command, in this process."""
    gc.collect()    # as the server's settle(): dead objects' memory goes back before, not during, the call
    time.sleep(0.3)
    trimmed = trim_malloc()
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        reset = True
    except OSError:
        reset = False
    before, peak_before = status_bytes("VmRSS"), status_bytes("VmHWM")
    run()
    return {"trimmed": trimmed, "peak_reset": reset, "rss_before": before, "hwm_before": peak_before,
            "hwm_after": status_bytes("VmHWM")}


def load(folder):
    return {name: np.load(os.path.join(folder, name + ".npy")) for name in ("q", "k", "v", "dout")}


def torch_child(tiny_folder, folder):
    """Runs in a fresh Python process (the driver's environment: tcmalloc, threads); prints one JSON line."""
    import torch
    torch.set_num_threads(THREADS)
    warm = kernels.attention_forward_backward_peer(load(tiny_folder))
    for _ in range(WARM_CALLS):
        warm()
    run = kernels.attention_forward_backward_peer(load(folder))
    print(json.dumps(measure_call(run)))


def tessera_peak(java, classpath, tiny_folder, folder):
    with TesseraServer(java, classpath) as server:
        server.setup("attention.forward_backward", tiny_folder, {})
        server.time(WARM_CALLS)
        server.setup("attention.forward_backward", folder, {})
        return extra_bytes(server.ask("memory"))


def torch_peak(tiny_folder, folder):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers.py")
    done = subprocess.run([sys.executable, script, "--memory-child", tiny_folder, folder],
                          capture_output=True, text=True, check=True)
    return extra_bytes(json.loads(done.stdout.strip().splitlines()[-1]))


def write_tiny_inputs(folder, seed):
    os.makedirs(folder, exist_ok=True)
    for name, array in kernels.attention_inputs(np.random.default_rng(seed), TINY_SEQ).items():
        np.save(os.path.join(folder, name + ".npy"), array)


def curve(java, classpath, folders_by_seq, work_folder, seed, log):
    """{seq: (Tessera bytes, PyTorch bytes)} for attention forward+backward, one fresh process per side and size."""
    tiny = os.path.join(work_folder, "tiny")
    write_tiny_inputs(tiny, seed)
    points = {}
    for seq, folder in sorted(folders_by_seq.items()):
        points[seq] = (tessera_peak(java, classpath, tiny, folder), torch_peak(tiny, folder))
        log(f"memory seq {seq}: Tessera {points[seq][0] / 2**20:.1f} MiB, PyTorch {points[seq][1] / 2**20:.1f} MiB")
    return points
