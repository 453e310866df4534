"""The peers' environment (set before torch is imported) and the facts the report records about
the machine and the libraries. See BENCHMARKING.md in the project's shared notes for why each
setting matters: tcmalloc (page faults), thread counts, OpenBLAS's kernel choice."""
import ctypes
import datetime
import functools
import os
import platform
import subprocess
import sys
import time

THREADS = 2
TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"
READY = "TESSERA_PEERS_ENV"
FLAGS_OF_INTEREST = ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_fp16", "amx_tile")


def reexec_with_peer_environment(extra=None):
    """Restarts this script once with tcmalloc preloaded, the thread counts pinned, OpenBLAS
    told its kernel when it would otherwise fall back to SSE3 on an AVX-512 CPU, and the
    variables in `extra`."""
    if os.environ.get(READY) == "1":
        return
    env = dict(os.environ, **{READY: "1", "OMP_NUM_THREADS": str(THREADS)}, **(extra or {}))
    if os.path.exists(TCMALLOC):
        env["LD_PRELOAD"] = (TCMALLOC + " " + env.get("LD_PRELOAD", "")).strip()
    # Loading the library here is harmless: exec replaces this process, and the new one reads the variable.
    if openblas()[0] == "Prescott" and "avx512f" in cpu_flags():
        env["OPENBLAS_CORETYPE"] = "SKYLAKEX"
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def jvm_environment():
    """The driver's environment without its preload: the JVM runs with its own allocator."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


@functools.cache
def libblas():
    """libblas.so.3, which numpy and torch call for GEMM: once they have loaded it, dlopen hands back
    their copy, so what is set through this handle is what their calls use."""
    return ctypes.CDLL("libblas.so.3")


def openblas():
    """(kernel name, threads) of the OpenBLAS behind libblas.so.3, which numpy and torch call for
    GEMM; (None, None) when libblas.so.3 is another BLAS (Debian's reference one is very slow)."""
    lib = libblas()
    if not hasattr(lib, "openblas_get_corename"):
        return None, None
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return lib.openblas_get_corename().decode(), openblas_threads()


def openblas_threads():
    """The number of threads OpenBLAS's calls use now, or None when libblas.so.3 is another BLAS."""
    lib = libblas()
    return lib.openblas_get_num_threads() if hasattr(lib, "openblas_get_num_threads") else None


def set_openblas_threads(threads):
    """Sets the number of threads OpenBLAS's calls use from now on, in this process (numpy's and
    torch's alike), and checks that OpenBLAS took it."""
    lib = libblas()
    if not hasattr(lib, "openblas_set_num_threads"):
        raise RuntimeError("set_openblas_threads: libblas.so.3 is not OpenBLAS")
    lib.openblas_set_num_threads(threads)
    if openblas_threads() != threads:
        raise RuntimeError(f"set_openblas_threads({threads}): OpenBLAS reports {openblas_threads()} threads")


def peer_blas(torch, numpy):
    """The BLAS each peer's own binary loads: threadpoolctl's account when it is installed, else the
    libraries NumPy's core extension and libtorch_cpu link (ldd, symlinks resolved), with NumPy's
    build config and torch's BLAS_INFO beside them."""
    try:
        from threadpoolctl import threadpool_info
        pools = [f"{p['internal_api']} {p.get('version')} {p.get('architecture')}, {p['num_threads']} threads"
                 f" ({p['filepath']})" for p in threadpool_info() if p["user_api"] == "blas"]
        return {"source": "threadpoolctl", "numpy": "; ".join(pools), "torch": "; ".join(pools)}
    except ImportError:
        pass
    with open("/proc/self/maps") as maps:
        torch_cpu = next((line.split()[-1] for line in maps if "libtorch_cpu.so" in line), None)
    numpy_libraries = getattr(numpy.__config__, "blas_opt_info", {}).get("libraries", "?")
    config = torch.__config__.show().replace(",", "\n")
    blas_info = next((p.split("BLAS_INFO=")[1] for p in config.splitlines() if "BLAS_INFO=" in p), "?")
    return {"source": "ldd and the build configs (threadpoolctl is not installed)",
            "numpy": f"built against {numpy_libraries}; links {linked_blas(numpy.core._multiarray_umath.__file__)}",
            "torch": f"BLAS_INFO={blas_info}; links {linked_blas(torch_cpu) if torch_cpu else '?'}"}


def linked_blas(binary):
    """`name -> real file` for each BLAS library that ldd resolves for the binary."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    found = [(line.split("=>")[0].strip(), line.split("=>")[1].split("(")[0].strip())
             for line in out.splitlines() if "blas" in line and "=>" in line]
    return ", ".join(f"{name} -> {os.path.realpath(path)}" for name, path in found) or "no BLAS library"


def openblas_config():
    """OpenBLAS's own build line (version, DYNAMIC_ARCH, the kernel), or None when libblas.so.3 is another BLAS."""
    lib = libblas()
    if not hasattr(lib, "openblas_get_config"):
        return None
    lib.openblas_get_config.restype = ctypes.c_char_p
    return lib.openblas_get_config().decode().strip()


def cpu_flags():
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def lscpu():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def memory_gib():
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1 << 20)
    return float("nan")


def tcmalloc_loaded():
    with open("/proc/self/maps") as maps:
        return "libtcmalloc" in maps.read()


def git(*args):
    done = subprocess.run(["git", *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else "?"


def facts(torch, numpy, tessera_info, command):
    """Everything the report's machine paragraph says, gathered at the start of the run."""
    cpu = lscpu()
    flags = cpu_flags()
    config = torch.__config__.show()
    openblas_core, openblas_threads = openblas()
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if dirty not in ("", "?") else ""),
        "command": command,
        "cpu": cpu.get("Model name", platform.processor()),
        "cpu_family_model": f"family {cpu.get('CPU family', '?')}, model {cpu.get('Model', '?')}",
        "cpus": cpu.get("CPU(s)", "?"),
        "threads_per_core": cpu.get("Thread(s) per core", "?"),
        "hypervisor": cpu.get("Hypervisor vendor", "none"),
        "memory_gib": memory_gib(),
        "flags": [f for f in FLAGS_OF_INTEREST if f in flags],
        "flags_absent": [f for f in FLAGS_OF_INTEREST if f not in flags],
        "java": tessera_info["java"],
        "tessera_threads": tessera_info["threads"],
        "tessera_vector_bits": tessera_info["vector_bits"],
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "torch_cpu_capability": next((l.split(":", 1)[1].strip() for l in config.splitlines()
                                      if "CPU capability usage" in l), "?"),
        "torch_blas": next((p.split("BLAS_INFO=")[1] for p in config.replace(",", "\n").splitlines()
                            if "BLAS_INFO=" in p), "?"),
        "numpy": numpy.__version__,
        "openblas_core": openblas_core,
        "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
        "openblas_threads": openblas_threads,
        "openblas_config": openblas_config(),
        "peer_blas": peer_blas(torch, numpy),
        "tcmalloc": tcmalloc_loaded(),
        "load_before": os.getloadavg(),
    }


class OtherLoad:
    """How much of the machine's CPU time processes other than ours took between two readings:
    all busy time in /proc/stat (steal included: other VMs on the host) less our processes' own
    user and system time. The machine is shared, and a busy neighbour slows an OpenMP runtime that
    spin-waits for a descheduled thread far more than it slows a work-stealing pool."""

    def __init__(self, pids):
        self.pids = pids
        self.ticks_per_s = os.sysconf("SC_CLK_TCK")
        self.cpus = os.cpu_count()
        self.last = self.reading()

    def reading(self):
        with open("/proc/stat") as stat:
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
        ours = sum(process_ticks(pid) for pid in self.pids)
        return time.perf_counter(), user + nice + system + irq + softirq + steal, ours

    def share(self):
        """The fraction of all CPUs others used since the last call."""
        now = self.reading()
        (t0, busy0, ours0), (t1, busy1, ours1) = self.last, now
        self.last = now
        return max(0.0, (busy1 - busy0) - (ours1 - ours0)) / max(1e-9, (t1 - t0) * self.ticks_per_s * self.cpus)


def process_ticks(pid):
    """The CPU time all of a process's threads have used (user plus system), in clock ticks."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
