"""Tessera side by side with PyTorch and NumPy on this machine, in one run: `make bench-peers`.

For each kernel and size (kernels.py): the same random float32 inputs go to Tessera (a PeerServer
JVM per case, reading .npy files) and to the peer (in this process); both results are compared before any
timing; both sides warm up; then rounds alternate the two sides (A B, B A, A B, ...), each side
timing its own calls. The machine is shared: rounds during which other processes took a visible
share of the CPUs are run again (up to a limit) and left out when enough quiet ones remain.
Reported: each side's median and range over the calls of the rounds used, and the median of the
per-round ratios (peer time / Tessera time: above 1, Tessera is faster). A 256 MiB copy in Tessera
and NumPy gives the memory ceiling; attention's peak memory is measured in fresh processes
(memory.py). Results go into a marked section of bench/RESULTS.md, the picture into
bench/attention_memory.png, the raw numbers into bench/peers/results.json (read back by the next
run to flag medians that moved by more than 10%).

Cases with parts (the MoE layer) then have Tessera time those parts in turn in the same JVM
(PeerCase.parts: a dense baseline, the layer's dispatch pieces).

NumPy and PyTorch share Debian's pthreads OpenBLAS, whose threads can compete with PyTorch's
OpenMP threads for the cores (oversubscription), while NumPy's large SGEMMs need them. So before
the check of each case whose peer calls BLAS, the peer is timed briefly with OpenBLAS on each
thread count in OPENBLAS_CHOICES and keeps the faster one for the case; the row records the choice.

Usage: python3 bench/peers/peers.py [--quick] [--only PREFIX ...] [--seconds S] [--notes] [--java JAVA] [--classpath CP]
--only reruns the kernels whose names start with a prefix (and the copy and the FMA loop, for this
run's ceilings); the section keeps every other row from the last run's results.json, marked as
carried over. --seconds shortens (or lengthens) each case's timed rounds (default CASE_S). --notes only copies the
hand-written bench/peers/notes.md into the last section (each run also copies it).
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import machine

WARMUP_S = 3.0      # per case, both sides together, after at least WARMUP_CALLS calls each
WARMUP_CALLS = 3
ROUND_S = 0.25      # each side's share of one round
CASE_S = 20.0       # timed rounds per case, both sides together
MIN_ROUNDS, MAX_ROUNDS = 5, 15
QUIET = 0.10        # a round counts only if other processes took less than this share of the CPUs...
PATIENCE = 2.5      # ...and rounds go on for up to this many times the planned time to collect enough of them
PARTS_ROUNDS = 15   # rounds of the parts timing (each part once per round)
SEED = 20240601
CEILINGS = ("copy", "fma")   # run with every --only: the memory and compute ceilings of this run
OPENBLAS_CHOICES = (machine.THREADS, 1)   # the peer's OpenBLAS thread counts tried per case; a tie keeps the first
CHOICE_WARMUP_S = 0.3   # each count's warm-up (at least one call), then...
CHOICE_TURNS = 4        # ...this many quiet turns per count (up to PATIENCE times as many run), alternating the order...
CHOICE_S = 1.0          # ...lasting this long per count over CHOICE_TURNS turns (at least one call a turn)


def log(message):
    print(message, file=sys.stderr, flush=True)


def time_peer(run, reps):
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def time_peer_for(run, seconds):
    """The peer's call times over at least `seconds`, and at least one call."""
    seconds_taken, start = [], time.perf_counter()
    while not seconds_taken or time.perf_counter() - start < seconds:
        seconds_taken += time_peer(run, 1)
    return seconds_taken


def choose_openblas_threads(peer_run, others):
    """Times the peer with OpenBLAS on each count of OPENBLAS_CHOICES and leaves OpenBLAS on the
    faster one. After a warm-up on each count, the counts take turns in alternating order (A B,
    B A, ...), so that whatever slows a case's first seconds (its fresh JVM may still be compiling)
    does not count against one of them only. A busy neighbour can change which count wins, so turns
    during which others took QUIET or more of the CPUs are run again, as the interleaved rounds are.
    Returns what the row records: the count chosen, each count's median call time over the turns
    used (keyed by the count as a string, as JSON has it), and how quiet those turns were."""
    for threads in OPENBLAS_CHOICES:
        machine.set_openblas_threads(threads)
        time_peer_for(peer_run, CHOICE_WARMUP_S)
    turns = []   # each: (call times by count, others' share of the CPUs meanwhile)
    quiet_turns = lambda: [t for t in turns if t[1] < QUIET]
    while len(turns) < CHOICE_TURNS or (len(quiet_turns()) < CHOICE_TURNS and len(turns) < PATIENCE * CHOICE_TURNS):
        others.share()
        calls = {}
        for threads in OPENBLAS_CHOICES[::1 if len(turns) % 2 == 0 else -1]:
            machine.set_openblas_threads(threads)
            calls[threads] = time_peer_for(peer_run, CHOICE_S / CHOICE_TURNS)
        turns.append((calls, others.share()))
    used = quiet_turns() if len(quiet_turns()) >= CHOICE_TURNS else turns
    medians = {threads: statistics.median(s for calls, _ in used for s in calls[threads]) for threads in OPENBLAS_CHOICES}
    chosen = min(OPENBLAS_CHOICES, key=medians.get)
    machine.set_openblas_threads(chosen)
    return {"threads": chosen, "median_s": {str(t): s for t, s in medians.items()}, "turns": len(used),
            "turns_run": len(turns), "quiet_only": used is not turns,
            "others_during": statistics.mean(share for _, share in used)}


def check(case, server, peer_run, folder):
    """Runs both once and compares every output; raises if any lies outside its tolerance."""
    import numpy as np
    import kernels
    out_folder = os.path.join(folder, "tessera-out")
    os.makedirs(out_folder, exist_ok=True)
    names = server.ask("check", out_folder)["outputs"]
    peer_outputs = peer_run()
    if sorted(names) != sorted(peer_outputs):
        raise SystemExit(f"{case.kernel}: Tessera returns {names}, the peer {sorted(peer_outputs)}")
    results = [kernels.disagreement(n, np.load(os.path.join(out_folder, n + ".npy")), peer_outputs[n],
                                    case.tolerance[n]) for n in names]
    for r in results:
        if not r["worst"] <= 1:
            raise SystemExit(f"{case.kernel} {case.size}: {r['output']} disagrees: max |diff| {r['max_abs_diff']:.3g}"
                             f" (atol {r['atol']}, rtol {r['rtol']}); nothing was timed")
    return results


def interleave(server, peer_run, budget_s, others):
    """Warm-up of both, then rounds alternating the order. Returns the rounds, each (Tessera's call
    times, the peer's call times, the share of the CPUs other processes took meanwhile)."""
    warm_tessera, warm_peer = [], []
    start = time.perf_counter()
    while len(warm_peer) < WARMUP_CALLS or time.perf_counter() - start < WARMUP_S:
        warm_tessera += server.time(1)
        warm_peer += time_peer(peer_run, 1)
    t_tessera = statistics.median(warm_tessera[len(warm_tessera) // 2:])
    t_peer = statistics.median(warm_peer[len(warm_peer) // 2:])
    reps_tessera, reps_peer = max(1, round(ROUND_S / t_tessera)), max(1, round(ROUND_S / t_peer))
    round_s = reps_tessera * t_tessera + reps_peer * t_peer
    wanted = min(MAX_ROUNDS, max(MIN_ROUNDS, int(budget_s / round_s)))
    deadline = time.perf_counter() + PATIENCE * wanted * round_s
    rounds = []
    while len(rounds) < wanted or (quiet_count(rounds) < wanted and time.perf_counter() < deadline):
        others.share()
        if len(rounds) % 2 == 0:
            tessera, peer = server.time(reps_tessera), time_peer(peer_run, reps_peer)
        else:
            peer, tessera = time_peer(peer_run, reps_peer), server.time(reps_tessera)
        rounds.append((tessera, peer, others.share()))
    return rounds


def time_parts(server, others, rounds):
    """Tessera's parts of the case, in turn, in the case's JVM: each part's median and fastest call."""
    others.share()
    parts = server.ask("parts", rounds)["parts"]
    share = others.share()
    log("  parts: " + ", ".join(f"{name} {p['median_s'] * 1e3:.2f} ms" for name, p in parts.items())
        + f" (others' CPU {share:.0%})")
    return {"seconds": parts, "rounds": rounds, "others_during": share}


def quiet_count(rounds):
    return sum(1 for r in rounds if r[2] < QUIET)


def summarise(rounds):
    """Both sides' times and the per-round ratios, over the quiet rounds when there are enough of them."""
    quiet = [r for r in rounds if r[2] < QUIET]
    used = quiet if len(quiet) >= MIN_ROUNDS else rounds

    def side(index):
        calls = [s for r in used for s in r[index]]
        return {"median_s": statistics.median(calls), "min_s": min(calls), "max_s": max(calls), "calls": len(calls)}
    ratios = [statistics.median(peer) / statistics.median(tessera) for tessera, peer, _ in used]
    return {"tessera": side(0), "peer": side(1), "rounds": len(used), "rounds_run": len(rounds),
            "quiet_only": used is quiet, "others_during": statistics.mean(r[2] for r in used),
            "ratio_median": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios)}


def write_inputs(case, folder):
    import numpy as np
    os.makedirs(folder, exist_ok=True)
    for name, array in case.inputs.items():
        np.save(os.path.join(folder, name + ".npy"), array)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test: attention up to seq 1024, short rounds, the report printed instead of written")
    parser.add_argument("--only", nargs="+", metavar="PREFIX", help="rerun only the kernels named PREFIX... (e.g. moe); keep the other rows")
    parser.add_argument("--seconds", type=float, metavar="S", help=f"timed rounds per case, both sides together (default {CASE_S:g})")
    parser.add_argument("--notes", action="store_true", help="copy bench/peers/notes.md into the last section and stop (nothing is measured)")
    parser.add_argument("--java", help="the JDK 25 java (default: scripts/jdk25.sh)")
    parser.add_argument("--classpath", help="Tessera's class path (default: what `make classpath` wrote)")
    parser.add_argument("--memory-child", nargs=2, metavar=("TINY", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.notes:
        import report
        report.refresh_notes()
        return
    machine.reexec_with_peer_environment()
    if args.memory_child:
        import memory
        memory.torch_child(*args.memory_child)
        return
    flags = " ".join((["--quick"] if args.quick else []) + (["--only", *args.only] if args.only else [])
                     + ([f"--seconds {args.seconds:g}"] if args.seconds else []))
    run(args, "make bench-peers" + (f" PEERS_ARGS='{flags}'" if flags else "")
        + " (bench/peers/peers.py: the JDK and class path from the Makefile)")


def run(args, command):
    import numpy
    import torch
    import kernels
    import memory
    import report
    from tessera import TesseraServer, default_classpath, default_java

    torch.set_num_threads(machine.THREADS)
    java, classpath = args.java or default_java(), args.classpath or default_classpath()
    seqs = kernels.ATTENTION_SEQS[:3] if args.quick else kernels.ATTENTION_SEQS
    budget = args.seconds or (3.0 if args.quick else CASE_S)
    started = time.perf_counter()
    rows = []
    with TesseraServer(java, classpath) as server:
        facts = machine.facts(torch, numpy, server.ask("info"), command)
    facts.update(quiet=QUIET, patience=PATIENCE, case_seconds=budget, case_seconds_default=CASE_S,
                 openblas_choices=list(OPENBLAS_CHOICES), choice_seconds=CHOICE_S)
    log(f"Tessera {facts['java']} ({facts['tessera_threads']} threads) vs torch {facts['torch']}"
        f" ({facts['torch_threads']} threads), tcmalloc {facts['tcmalloc']}, OpenBLAS {facts['openblas_core']}")
    # None when libblas.so.3 is not OpenBLAS: then there is no thread count to choose.
    default_openblas = facts["openblas_threads"]
    with tempfile.TemporaryDirectory(prefix="tessera-peers-") as work:
        attention_folders = {}
        for i, case in enumerate(kernels.all_cases(SEED, seqs)):
            if args.only and case.kernel not in CEILINGS and not case.kernel.startswith(tuple(args.only)):
                continue
            folder = os.path.join(work, f"case{i}")
            write_inputs(case, folder)
            # A fresh JVM per case, as JMH forks: no case inherits another's JIT profile or pooled blocks.
            with TesseraServer(java, classpath) as server:
                server.setup(case.kernel, folder, case.params)
                peer_run = case.make_peer(case.inputs)
                others = machine.OtherLoad([os.getpid(), server.process.pid])
                openblas = None
                if case.blas and default_openblas is not None:
                    openblas = choose_openblas_threads(peer_run, others)
                    log(f"{case.kernel} {case.size}: {case.peer} on {openblas['threads']} OpenBLAS thread(s) ("
                        + ", ".join(f"{t}: {s * 1e3:.3g} ms" for t, s in openblas["median_s"].items())
                        + f" over {openblas['turns']} of {openblas['turns_run']} turns,"
                        f" others' CPU {openblas['others_during']:.0%})")
                agreement = check(case, server, peer_run, folder)
                summary = summarise(interleave(server, peer_run, budget, others))
                parts = time_parts(server, others, 5 if args.quick else PARTS_ROUNDS) if case.parts else None
            if openblas:
                machine.set_openblas_threads(default_openblas)
            rows.append({"table": case.table, "kernel": case.kernel, "size": case.size, "peer_name": case.peer,
                         "bytes": case.bytes, "tokens": case.tokens, "target_ratio": case.target_ratio,
                         "target_ceiling": case.target_ceiling, "flops": case.flops, "target_peak": case.target_peak,
                         "calls": case.calls, "agreement": agreement, "parts": parts, "openblas": openblas, **summary})
            if case.kernel == "attention.forward_backward":
                attention_folders[int(case.size.split()[1])] = folder
            log(f"{case.kernel} {case.size}: Tessera {summary['tessera']['median_s'] * 1e3:.2f} ms,"
                f" {case.peer} {summary['peer']['median_s'] * 1e3:.2f} ms,"
                f" ratio {summary['ratio_median']:.2f} over {summary['rounds']} of {summary['rounds_run']} rounds,"
                f" others' CPU {summary['others_during']:.0%}")
            del peer_run
        memory_points = memory.curve(java, classpath, attention_folders, work, SEED, log) if attention_folders else None
    facts["load_after"] = os.getloadavg()
    facts["minutes"] = (time.perf_counter() - started) / 60
    report.write(facts, rows, memory_points, quick=args.quick, only=args.only)
    log(f"done in {facts['minutes']:.1f} min: bench/RESULTS.md, bench/attention_memory.png, bench/peers/results.json")


if __name__ == "__main__":
    main()
