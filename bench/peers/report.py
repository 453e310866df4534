"""Writes the run's section of bench/RESULTS.md (replacing the last one), the memory curve
bench/attention_memory.png, and bench/peers/results.json (which the next run compares with)."""
import json
import os

from tessera import ROOT

RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")
PICTURE = os.path.join(ROOT, "bench", "attention_memory.png")
RAW = os.path.join(ROOT, "bench", "peers", "results.json")
NOTES = os.path.join(ROOT, "bench", "peers", "notes.md")   # hand-written reading of the results, kept across runs
BEGIN = "<!-- peers:begin: written by `make bench-peers` (bench/peers/peers.py), replaced on each run -->"
END = "<!-- peers:end -->"
NOTES_MARK = "<!-- peers:notes: bench/peers/notes.md, copied here by the writer (peers.py --notes copies it alone) -->"
MOVED = 0.10    # BENCHMARKING.md: say so when two runs' medians differ by more than this
MIB = 1 << 20


def write(facts, rows, memory_points, quick=False, only=None):
    """With `only` (peers.py --only), the rows and memory curve this run skipped come from the last run."""
    previous = load_previous()
    measured_memory = memory_points is not None
    if only:
        rows, memory_points = carry_over(rows, memory_points, previous)
    ceiling = max(gbps(r, side) for r in rows if r["table"] == "copy" for side in ("tessera", "peer"))
    peak, peak_note = fma_peak(rows, previous)
    section = "\n".join([BEGIN, *header(facts, ceiling, peak, peak_note), *carried_note(rows, measured_memory),
                         *tables(rows, ceiling, peak, previous, facts), *moe_parts_table(rows),
                         *memory_table(memory_points), *agreement(rows), *run_to_run(rows, previous), *notes(), END])
    if quick:
        print(section)
        return
    if measured_memory:
        draw(memory_points)
    replace_section(section)
    with open(RAW, "w") as raw:
        json.dump({"facts": facts, "rows": rows,
                   "memory": {str(seq): list(v) for seq, v in memory_points.items()}}, raw, indent=1)


def carry_over(rows, memory_points, previous):
    """Every row of the last run that this one did not rerun, in the last run's order (new kinds after),
    each marked with the run it comes from; the last run's memory curve when this one measured none."""
    if not previous:
        raise SystemExit("--only needs the last full run's bench/peers/results.json to keep the other rows")
    old_facts = previous["facts"]
    fresh = {(r["kernel"], r["size"]): r for r in rows}
    merged = []
    for old in previous["rows"]:
        key = (old["kernel"], old["size"])
        if key in fresh:
            merged.append(fresh.pop(key))
        else:
            merged.append({"tokens": None, "parts": None, "flops": None, "target_peak": None, "calls": 1,
                           **openblas_before_choice(old, old_facts), **old,
                           "carried_from": old.get("carried_from") or f"{old_facts['date']}, commit {old_facts['commit']}"})
    merged += fresh.values()
    if memory_points is None:
        memory_points = {int(seq): tuple(v) for seq, v in previous["memory"].items()}
    return merged, memory_points


def openblas_before_choice(old, old_facts):
    """A row measured before peers.py chose the OpenBLAS threads per case ran on the count its run
    started with; the last run's facts give it for the rows that run measured, none older do."""
    if "openblas" in old or old.get("carried_from") or old_facts.get("openblas_threads") is None:
        return {}
    return {"openblas": {"threads": old_facts["openblas_threads"], "median_s": None}}


def carried_note(rows, measured_memory):
    carried = sorted({r["carried_from"] for r in rows if r.get("carried_from")})
    if not carried:
        return []
    kernels = ", ".join(dict.fromkeys(r["kernel"] for r in rows if r.get("carried_from")))
    return [f"Rows carried over unchanged from an earlier run ({'; '.join(carried)}; this run used `--only`):"
            f" {kernels}{'' if measured_memory else ', and the attention memory curve'}. Their ratios were measured"
            " within that run; the ceiling above is this run's copy.", ""]


def load_previous():
    if not os.path.exists(RAW):
        return None
    with open(RAW) as raw:
        return json.load(raw)


def gbps(row, side):
    return row["bytes"] / row[side]["median_s"] / 1e9


def gflops(row, side):
    return row["flops"] / row[side]["median_s"] / 1e9


def fma_peak(rows, previous):
    """The FMA ceiling: the better of this run's two FMA loops. A busy neighbour halves it on this
    2-core machine, which would overstate every fraction of it; so when this run's FMA row got no
    quiet rounds, the last run's quiet figure stands in, and the note says so."""
    fma = [r for r in rows if r["table"] == "fma"]
    if not fma:
        return None, None
    best = lambda group: max(gflops(r, side) for r in group for side in ("tessera", "peer"))
    if any(r["quiet_only"] for r in fma):
        return best([r for r in fma if r["quiet_only"]]), None
    busy = f"this run's FMA loops ran only while others took {fma[0]['others_during']:.0%} of the CPUs ({best(fma):.1f} GFLOP/s)"
    old = [r for r in (previous or {}).get("rows", []) if r["table"] == "fma" and r.get("quiet_only")]
    if old:
        return best(old), f"{busy}, so this is the last quiet measurement ({previous['facts']['date']})"
    return best(fma), f"{busy}: fractions of it are overstated"


def notes():
    if not os.path.exists(NOTES):
        return []
    with open(NOTES) as f:
        return [NOTES_MARK, f.read().rstrip("\n"), ""]


def refresh_notes():
    """Copies the current notes.md into the last run's section, its measured part left as it was."""
    with open(RESULTS) as results:
        text = results.read()
    if BEGIN not in text or END not in text:
        raise SystemExit("--notes: bench/RESULTS.md has no section written by a run yet")
    end = text.index(END)
    cut = text.index(NOTES_MARK) if NOTES_MARK in text[:end] else end
    text = text[:cut] + "\n".join([*notes(), END]) + text[end + len(END):]
    with open(RESULTS, "w") as results:
        results.write(text)


def header(f, ceiling, peak, peak_note=None):
    absent = ", ".join(f["flags_absent"]) or "none"
    blas = (f"OpenBLAS, kernel {f['openblas_core']}, {f['openblas_threads']} threads by default"
            + (f" (OPENBLAS_CORETYPE={f['openblas_coretype_env']})" if f["openblas_coretype_env"] else "")
            if f["openblas_core"] else "NOT OpenBLAS (reference BLAS: the peer's matmuls are crippled)")
    return [
        "## Tessera vs PyTorch and NumPy, side by side (`make bench-peers`)",
        "",
        f"- Machine: {f['cpu']} ({f['cpu_family_model']}), {f['cpus']} CPUs, {f['threads_per_core']} thread(s) per core,"
        f" hypervisor {f['hypervisor']}, {f['memory_gib']:.0f} GiB. Flags: {', '.join(f['flags'])}; absent: {absent}.",
        f"- Load average (1, 5, 15 min): {fmt_load(f['load_before'])} at the start, {fmt_load(f['load_after'])} at the end.",
        f"- Tessera: JDK {f['java']}, {f['tessera_threads']} threads, {f['tessera_vector_bits']}-bit vectors.",
        f"- PyTorch {f['torch']} ({f['torch_threads']} threads, ATen CPU capability {f['torch_cpu_capability']},"
        f" BLAS_INFO={f['torch_blas']}); NumPy {f['numpy']}; Python {f['python']}; BLAS behind both: {blas}.",
        f"- tcmalloc preloaded into the peers' process: {'yes' if f['tcmalloc'] else 'NO (libtcmalloc-minimal4 missing)'}.",
        *peer_blas_lines(f),
        f"- {f['date']}, commit {f['commit']}, `{f['command']}`, {f['minutes']:.1f} minutes in all.",
        "",
        "Method: each kernel and size runs in a fresh Tessera JVM (as JMH forks) beside this Python"
        " process. Each gets the same random float32 inputs on both sides (written by NumPy, read by"
        " Tessera from .npy), both results are compared before timing (tolerances at the end), both sides"
        " warm up, then rounds alternate the sides (A B, B A, ...) in the same seconds, each side timing its"
        " own calls. Times: median (min-max) of the calls in the rounds used. **Speedup** = peer time / Tessera time,"
        " the median (min-max) of the per-round ratios: above 1, Tessera is faster. GB/s count the bytes"
        " a kernel must read and write once. **Best calls**: the peer's fastest call over Tessera's fastest."
        " **Others' CPU**: the share of the machine's CPU time that processes other than the two"
        " benchmarked ones took during the rounds used (from /proc/stat, steal included). The machine is"
        f" shared, so a round counts only when that share stayed under {f['quiet']:.0%}; rounds go on (up to"
        f" {f['patience']:g}x the planned time) until enough are quiet, and a row that never got enough"
        " says so and uses all its rounds. Such rows are noisy: a descheduled OpenMP thread (PyTorch)"
        " stalls every parallel op, which a work-stealing pool (Tessera) mostly absorbs, so contention"
        " inflates the speedups. **Peer's OpenBLAS threads**: NumPy and PyTorch share one pthreads OpenBLAS,"
        " whose threads can compete with PyTorch's OpenMP threads for the cores, so before each case whose"
        f" peer calls BLAS the peer ran about {f['choice_seconds']:g} s on each of"
        f" {' and '.join(map(str, f['openblas_choices']))} OpenBLAS threads (openblas_set_num_threads, in"
        " alternating turns, busy turns run again as rounds are) and kept the faster for the case; the column"
        " gives that count and each count's median call time (-: the peer calls no BLAS; ?: a row from a run"
        " that did not record it).",
        "",
        f"**Ceiling** (the better of the two copies, read plus write): **{ceiling:.1f} GB/s**."
        + (f" **FMA ceiling** (the better of the two FMA-bound loops, {f['tessera_threads']} threads):"
           f" **{peak:.1f} GFLOP/s**" + (f" ({peak_note})." if peak_note else ".") if peak else ""),
        "",
    ]


def peer_blas_lines(f):
    """Which BLAS each peer ran, and the case length when --seconds changed it (older runs recorded neither)."""
    lines = []
    if f.get("peer_blas"):
        b = f["peer_blas"]
        lines.append(f"- BLAS each peer ran ({b['source']}): NumPy {b['numpy']}; PyTorch {b['torch']}."
                     f" OpenBLAS says: `{f.get('openblas_config')}`, {f['openblas_threads']} threads by default.")
    if f.get("case_seconds") and f["case_seconds"] != f.get("case_seconds_default"):
        lines.append(f"- Shortened run: {f['case_seconds']:g} s of timed rounds per case (default"
                     f" {f['case_seconds_default']:g} s), so fewer rounds per row than a default run.")
    return lines


def openblas_threads(row):
    """The OpenBLAS threads the peer ran with and, when they were chosen, each count's median call
    time, flagged when the choice was timed while others kept the CPUs busy."""
    if "openblas" not in row:
        return "?"
    choice = row["openblas"]
    if choice is None:
        return "-"
    if not choice["median_s"]:
        return f"{choice['threads']} (default)"
    noisy = "" if choice["quiet_only"] else f"; not enough quiet turns, others' CPU {choice['others_during']:.0%}"
    return (f"{choice['threads']} (" + ", ".join(f"{t}: {s * 1e3:.3g}" for t, s in choice["median_s"].items())
            + f" ms{noisy})")


def fmt_load(load):
    return ", ".join(f"{x:.2f}" for x in load)


def speedup(row):
    rounds = f"{row['rounds']} of {row['rounds_run']} rounds" + ("" if row["quiet_only"] else ", not enough quiet ones")
    return f"**{row['ratio_median']:.2f}x** ({row['ratio_min']:.2f}-{row['ratio_max']:.2f}, {rounds})"


def best_speedup(row):
    """Peer's fastest call / Tessera's fastest: the least disturbed pair when the machine is busy."""
    return f"{row['peer']['min_s'] / row['tessera']['min_s']:.2f}x"


def times(side):
    return f"{side['median_s'] * 1e3:.2f} ({side['min_s'] * 1e3:.2f}-{side['max_s'] * 1e3:.2f})"


def target(row, ceiling, peak=None):
    parts = []
    if row["target_ratio"]:
        met = row["ratio_median"] >= row["target_ratio"]
        parts.append(f">= {row['target_ratio']:g}x: " + ("met" if met else
                     f"missed (at {row['ratio_median'] / row['target_ratio']:.0%} of it)"))
    if row["target_ceiling"]:
        fraction = gbps(row, "tessera") / ceiling
        parts.append(f">= {row['target_ceiling']:.0%} of copy: " + ("met" if fraction >= row["target_ceiling"] else
                     f"missed ({fraction:.0%})"))
    if row.get("target_peak") and peak:
        fraction = gflops(row, "tessera") / peak
        parts.append(f">= {row['target_peak']:.0%} of FMA peak: " + ("met" if fraction >= row["target_peak"] else
                     f"missed ({fraction:.0%})"))
    return "; ".join(parts) or "-"


def previous_ratio(row, previous):
    if row.get("carried_from"):
        return "(carried over)"
    old = find(previous, row)
    return f"{old['ratio_median']:.2f}x" if old else "-"


def find(previous, row):
    if not previous:
        return None
    return next((r for r in previous["rows"] if r["kernel"] == row["kernel"] and r["size"] == row["size"]), None)


TITLES = {
    "copy": "Copy, 256 MiB F32 (the memory ceiling)",
    "rms_norm": "RMSNorm, F32 [4096, 1024], eps 1e-6 (PyTorch: x * rsqrt(mean(x^2) + eps) * w, autograd)",
    "attention.forward": "Attention forward, causal, batch 1, 8 heads, head dim 64, F32"
                         " (Tessera: flash kernel; PyTorch: materialised softmax(q k^T * scale + mask) v)",
    "attention.forward_backward": "Attention forward+backward (autograd on both sides), same shapes",
    "moe.forward": "DeepSeekMoE layer forward, hidden 512, 16 routed experts of width 256 + 2 shared, top-4,"
                   " sigmoid, noaux_tc with a selection bias, no groups, normalised top-k, scaling 2.5, F32"
                   " (PyTorch: tests/golden/deepseek_moe.py, the same sort-based dispatch, under no_grad;"
                   " Tessera: dev.tessera.moe.DeepSeekMoE under Grad.off, the same weights)",
    "fma": "FMA-bound loop, F32 (the compute ceiling): 12 independent FMA chains of 16 lanes per thread, no memory"
           " traffic; Tessera: Vector API (FmaCeiling.java), the peer: the same chains in C (bench/peers/fma.c)",
    "sgemm": "SGEMM, square F32, C = op(A) op(B), T: that operand is a transposed view of a contiguous array"
             " (both sides: the same layout); the peer column names NumPy (OpenBLAS sgemm) or PyTorch (torch.matmul)",
    "linear.moe": "A Linear's x W^T at the MoE expert shapes, M x in x out (x [M, in], W [out, in]), F32"
                  " (Tessera: F.linear without bias; NumPy: x @ W.T, OpenBLAS sgemm)",
    "bmm": "Batched matmul, B x M x K times B x K x N, attention-sized blocks, F32 (PyTorch: torch.bmm)",
    "memory": "Memory-bound ops on [4096, 4096] F32 (64 MiB in): broadcast add, activations (exp, silu,"
              " exact gelu), softmax over rows, sum and max over rows (PyTorch: x + b, torch.exp, F.silu,"
              " F.gelu, torch.softmax, torch.sum, torch.amax)",
    "tiny": "Fixed cost of an op: a 1-element add (1000 per timed call: a Java loop in Tessera, a Python loop"
            " calling torch.add in PyTorch, as each one's user writes it); times per op",
    "moe.forward_backward": "DeepSeekMoE layer forward+backward (autograd on both sides; every parameter's"
                            " gradient and the input's), same layer",
}


def tables(rows, ceiling, peak, previous, facts):
    lines = []
    for table in dict.fromkeys(r["table"] for r in rows):
        group = [r for r in rows if r["table"] == table]
        peer = group[0]["peer_name"]
        lines += [f"### {TITLES[table]}", ""]
        if group[0].get("flops"):
            lines += flops_table(group, peak, previous, facts)
        elif group[0].get("calls", 1) > 1:
            lines += [f"| size | Tessera us per op | {peer} us per op | speedup | best calls | peer's OpenBLAS threads"
                      " | others' CPU | previous run |", "|---|---|---|---|---|---|---|---|"]
            for r in group:
                lines.append(f"| {r['size']} | {per_op(r['tessera'], r['calls'])} | {per_op(r['peer'], r['calls'])}"
                             f" | {speedup(r)} | {best_speedup(r)} | {openblas_threads(r)} | {r['others_during']:.0%}"
                             f" | {previous_ratio(r, previous)} |")
        elif group[0]["bytes"]:
            lines += [f"| kernel | size | Tessera GB/s | {peer} GB/s | Tessera ms | {peer} ms | speedup |"
                      f" best calls | Tessera / ceiling | {peer} / ceiling | target | peer's OpenBLAS threads"
                      " | others' CPU | previous run |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
            for r in group:
                lines.append(f"| {r['kernel']} | {r['size']} | {gbps(r, 'tessera'):.1f} | {gbps(r, 'peer'):.1f}"
                             f" | {times(r['tessera'])} | {times(r['peer'])} | {speedup(r)} | {best_speedup(r)}"
                             f" | {gbps(r, 'tessera') / ceiling:.0%} | {gbps(r, 'peer') / ceiling:.0%}"
                             f" | {target(r, ceiling, peak)} | {openblas_threads(r)} | {r['others_during']:.0%}"
                             f" | {previous_ratio(r, previous)} |")
        elif group[0].get("tokens"):
            lines += [f"| size | Tessera tokens/s | {peer} tokens/s | Tessera ms | {peer} ms | speedup | best calls"
                      " | target | peer's OpenBLAS threads | others' CPU | previous run |",
                      "|---|---|---|---|---|---|---|---|---|---|---|"]
            for r in group:
                lines.append(f"| {r['size']} | {tokens_per_s(r, 'tessera')} | {tokens_per_s(r, 'peer')} | {times(r['tessera'])}"
                             f" | {times(r['peer'])} | {speedup(r)} | {best_speedup(r)} | {target(r, ceiling)}"
                             f" | {openblas_threads(r)} | {r['others_during']:.0%} | {previous_ratio(r, previous)} |")
        else:
            lines += [f"| size | Tessera ms | {peer} ms | speedup | best calls | target | peer's OpenBLAS threads"
                      " | others' CPU | previous run |", "|---|---|---|---|---|---|---|---|---|"]
            for r in group:
                lines.append(f"| {r['size']} | {times(r['tessera'])} | {times(r['peer'])} | {speedup(r)} | {best_speedup(r)}"
                             f" | {target(r, ceiling)} | {openblas_threads(r)} | {r['others_during']:.0%}"
                             f" | {previous_ratio(r, previous)} |")
        lines.append("")
    return lines


def flops_table(group, peak, previous, facts):
    """GFLOP/s of both sides and their fractions of this run's FMA ceiling; the peer is named per row."""
    lines = []
    if any(r["peer_name"] in ("NumPy", "PyTorch") for r in group) and facts.get("peer_blas"):
        b = facts["peer_blas"]
        lines += [f"BLAS behind the peers: NumPy {b['numpy']}; PyTorch {b['torch']}; OpenBLAS kernel"
                  f" {facts['openblas_core']}, {facts['openblas_threads']} threads by default (each row's own: the"
                  f" peer's OpenBLAS threads column); PyTorch {facts['torch_threads']}"
                  f" threads; Tessera {facts['tessera_threads']} threads.", ""]
    fraction = (lambda r, side: f"{gflops(r, side) / peak:.0%}") if peak else (lambda r, side: "-")
    lines += ["| kernel | size | peer | Tessera GFLOP/s | peer GFLOP/s | Tessera ms | peer ms | speedup | best calls"
              " | Tessera / FMA peak | peer / FMA peak | target | peer's OpenBLAS threads | others' CPU | previous run |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in group:
        lines.append(f"| {r['kernel']} | {r['size']} | {r['peer_name']} | {gflops(r, 'tessera'):.1f} | {gflops(r, 'peer'):.1f}"
                     f" | {times(r['tessera'])} | {times(r['peer'])} | {speedup(r)} | {best_speedup(r)}"
                     f" | {fraction(r, 'tessera')} | {fraction(r, 'peer')} | {target(r, None, peak)}"
                     f" | {openblas_threads(r)} | {r['others_during']:.0%} | {previous_ratio(r, previous)} |")
    return lines


def per_op(side, calls):
    return f"{side['median_s'] / calls * 1e6:.3f} ({side['min_s'] / calls * 1e6:.3f}-{side['max_s'] / calls * 1e6:.3f})"


def tokens_per_s(row, side):
    return f"{row['tokens'] / row[side]['median_s']:,.0f}"


DISPATCH = ("router", "plan", "permute", "unpermute")   # the layer's work besides the experts' GEMMs
DISPATCH_TARGET = 0.15


def moe_parts_table(rows):
    """Sparse efficiency and the dispatch share, from the parts Tessera timed in each MoE case's JVM."""
    timed = [r for r in rows if r.get("parts")]
    if not timed:
        return []
    lines = ["### DeepSeekMoE layer in Tessera: sparse efficiency and where the forward's time goes", "",
             "Timed in the same JVM right after each row's rounds above, every part once per round in turn"
             f" (medians of the rounds). **Dense**: every expert (16 routed and the shared one) on every token,"
             " summed, as plain SwiGLU modules (full-height GEMMs, no routing, no dispatch). **Layer / dense**"
             " against the ideal (k + shared) / (E + shared) = (4 + 2) / (16 + 2) = 0.33: the FLOPs the routing"
             " saves. The forward's pieces run on inputs from one real forward: router (gate GEMM, sigmoid,"
             " biased top-k, weights), plan (stable sort by expert, counts), permute (row gather), the routed"
             " experts (three grouped GEMMs and silu * up), unpermute (weighted combine into F32), shared"
             f" (one SwiGLU of width 512). **Dispatch share** = router + plan + permute + unpermute over the"
             f" layer (target under {DISPATCH_TARGET:.0%}); **pieces / layer** = their sum with the experts and"
             " the shared expert over the layer (near 1: the pieces account for the layer).", "",
             "| kernel | size | layer ms | dense ms | layer / dense (ideal 0.33) | router ms | plan ms | permute ms"
             " | experts ms | unpermute ms | shared ms | dispatch share | pieces / layer | others' CPU |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in timed:
        p = {name: v["median_s"] for name, v in r["parts"]["seconds"].items()}
        ms = lambda name: f"{p[name] * 1e3:.2f}" if name in p else "-"
        efficiency = f"{p['layer'] / p['dense']:.2f}"
        if all(name in p for name in DISPATCH):
            share = sum(p[name] for name in DISPATCH) / p["layer"]
            dispatch = f"**{share:.0%}** ({'met' if share < DISPATCH_TARGET else 'missed'})"
            pieces = f"{sum(p[n] for n in (*DISPATCH, 'experts', 'shared')) / p['layer']:.2f}"
        else:
            dispatch = pieces = "-"
        lines.append(f"| {r['kernel']} | {r['size']} | {ms('layer')} | {ms('dense')} | **{efficiency}** | {ms('router')}"
                     f" | {ms('plan')} | {ms('permute')} | {ms('experts')} | {ms('unpermute')} | {ms('shared')}"
                     f" | {dispatch} | {pieces} | {r['parts']['others_during']:.0%} |")
    return lines + [""]


def memory_table(points):
    lines = ["### Peak extra memory, attention forward+backward", "",
             "Each side and size in a fresh process: a warm-up at seq 64, the inputs loaded, a garbage"
             " collection (System.gc() and 0.3 s for the cleaners; gc.collect() in Python), the allocator's free"
             " memory handed back to the kernel (glibc malloc_trim in the JVM, tcmalloc's ReleaseFreeMemory in"
             " Python), then the growth of VmHWM (/proc/self/status, reset to VmRSS just before) over one call. The JVM's heap is fixed and"
             " touched at start (-Xms1g -Xmx1g -XX:+AlwaysPreTouch), so heap growth does not count; Tessera's"
             " tensors are native memory. PyTorch's causal mask ([N, N], built before the call) is not counted.",
             "", "| seq | Tessera MiB | PyTorch MiB | PyTorch / Tessera |", "|---|---|---|---|"]
    for seq, (tessera, peer) in sorted(points.items()):
        ratio = f"{peer / tessera:.1f}x" if tessera > 0 else "-"
        lines.append(f"| {seq} | {tessera / MIB:.1f} | {peer / MIB:.1f} | {ratio} |")
    return lines + ["", "![Peak extra memory of attention forward+backward](attention_memory.png)", ""]


def agreement(rows):
    lines = ["### Agreement checked before timing", "",
             "Largest |Tessera - peer| per output; every element lies within atol + rtol * max(|a|, |b|)."
             " MoE: `indices` are the experts each token chose, which must be identical (tokens whose K-th and"
             " (K+1)-th choice scores lie within 1e-4 were drawn again); `grad.NAME` is a parameter's gradient.", ""]
    for r in rows:
        checks = ", ".join(f"{a['output']} {a['max_abs_diff']:.1e} (atol {a['atol']:g}, rtol {a['rtol']:g})"
                           for a in r["agreement"])
        lines.append(f"- {r['kernel']} {r['size']}: {checks}")
    return lines + [""]


def run_to_run(rows, previous):
    if not previous:
        return ["No previous run to compare with (bench/peers/results.json is written by this one).", ""]
    f = previous["facts"]
    moved = []
    for r in rows:
        old = find(previous, r)
        if not old or r.get("carried_from"):
            continue
        for side, name in (("tessera", "Tessera"), ("peer", r["peer_name"])):
            change = r[side]["median_s"] / old[side]["median_s"] - 1
            if abs(change) > MOVED:
                moved.append(f"{r['kernel']} {r['size']} {name} {change:+.0%}")
    summary = "; ".join(moved) if moved else "none"
    return [f"Previous run: {f['date']}, commit {f['commit']}. Medians that moved by more than"
            f" {MOVED:.0%} since: {summary}.", ""]


def draw(points):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seqs = sorted(points)
    tessera = [points[s][0] / MIB for s in seqs]
    peer = [points[s][1] / MIB for s in seqs]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    ax.plot(seqs, peer, "o-", color="tab:red", label="PyTorch 1.13, materialised")
    ax.plot(seqs, tessera, "o-", color="tab:blue", label="Tessera, flash kernel")
    # Guides through the largest point: how a linear and a quadratic curve would fall from there.
    for values, power, label in ((peer, 2, "~seq^2"), (tessera, 1, "~seq")):
        guide = [values[-1] * (s / seqs[-1]) ** power for s in seqs]
        ax.plot(seqs, guide, ":", color="gray", linewidth=1)
        ax.annotate(label, (seqs[0], guide[0]), fontsize=8, color="gray", ha="left", va="bottom")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(seqs, [str(s) for s in seqs])
    ax.set_xlabel("sequence length (batch 1, 8 heads, head dim 64, causal, F32)")
    ax.set_ylabel("peak extra memory, MiB (log)")
    ax.set_title("Attention forward+backward: peak extra memory per call")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(PICTURE)
    plt.close(fig)


def replace_section(section, begin=BEGIN, end=END):
    """Puts the section (which starts with `begin` and ends with `end`) in place of the last one, or at the end."""
    with open(RESULTS) as results:
        text = results.read()
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(RESULTS, "w") as results:
        results.write(text)
