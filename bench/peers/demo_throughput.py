"""Training throughput of the demo's model (`make demo`: the `small` preset) in Tessera and in
PyTorch 1.13, side by side in one run: `make bench-demo`.

Tessera's side is a PeerServer JVM running the demo's own TrainStep (case demo.train_step,
DemoTrainStepCase.java), which also writes what the PyTorch side needs: the preset's initial
weights (safetensors, Hugging Face names), its config.json, the first BATCHES training batches of
the synthetic corpus (.npy) and the optimizer settings. The PyTorch side builds the same model
from tests/golden/deepseek_moe.py (DeepseekForCausalLM, the sort-based MoE dispatch), loads those
weights and runs the same step: cross-entropy over the targets, backward, clip_grad_norm_, AdamW
over the same decay and no-decay groups (the preset's peak learning rate, held constant on both
sides), then the aux-loss-free bias update from the step's expert loads. Both in float32 on
THREADS threads, the peer with tcmalloc and its matmuls on one OpenBLAS thread (PEER_ENV: Debian's
pthreads OpenBLAS runs its own thread pool beside PyTorch's OpenMP one, and the two together
oversubscribe the cores).

Before timing, both sides take CHECKED_STEPS steps from the same weights on the same batches and
their losses must agree (the first within FIRST_RTOL; later ones within LATER_RTOL, since the
weights have begun to differ by rounding). Then both warm up, and rounds alternate the sides
(A B, B A, ...), each side timing its own steps, cycling through the same batches. This is done
PASSES times, each pass with a fresh JVM and a fresh PyTorch model, so two medians can be compared.
Tokens/s count the targets a step learns from (what the demo's progress line shows). The result
replaces the demo-train section of bench/RESULTS.md (--print shows it instead).

Usage: /usr/bin/python3 bench/peers/demo_throughput.py [--preset small] [--rounds N] [--print]
       [--java JAVA] [--classpath CP]
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import machine

BATCHES = 8           # distinct batches both sides cycle through; a round's steps on each side
CHECKED_STEPS = 3
FIRST_RTOL = 1e-4     # float32 sums in another order: the first loss differs by about 1e-6
LATER_RTOL = 2e-3
WARMUP_STEPS = 3 * BATCHES
ROUNDS = 10
PATIENCE = 3          # rounds go on, up to this many times ROUNDS, until ROUNDS of them were quiet
PASSES = 2
CLOSE = 0.05          # a ratio this close to 1 says neither side is ahead
MOVED = 0.10          # BENCHMARKING.md: say so when the passes' medians differ by more than this
IGNORE = -100
# OpenBLAS's own threads beside PyTorch's OpenMP threads oversubscribe the two cores: the peer's steps
# then take 1.5 to 3.5 times as long and vary tenfold. One BLAS thread keeps them steady.
PEER_ENV = {"OPENBLAS_NUM_THREADS": "1"}
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
BEGIN = "<!-- demo-train:begin: written by `make bench-demo` (bench/peers/demo_throughput.py), replaced on each run -->"
END = "<!-- demo-train:end -->"


def log(message):
    print(message, file=sys.stderr, flush=True)


class TorchTrainer:
    """The demo's training step in PyTorch, on the model, weights, batches and settings Tessera wrote into `folder`."""

    def __init__(self, folder):
        import numpy as np
        import torch
        from kernels import GOLDEN
        if GOLDEN not in sys.path:
            sys.path.insert(0, GOLDEN)
        import deepseek_moe
        import safetensors_io
        self.torch, self.F = torch, torch.nn.functional
        with open(os.path.join(folder, "config.json")) as f:
            self.hf_config = json.load(f)
        with open(os.path.join(folder, "train.json")) as f:
            self.settings = json.load(f)
        self.model = deepseek_moe.DeepseekForCausalLM(deepseek_moe.DeepseekConfig.from_hf(self.hf_config))
        state, _ = safetensors_io.read(os.path.join(folder, "model.safetensors"))
        self.model.load_state_dict(state, strict=True)
        named = dict(self.model.named_parameters())
        no_decay = set(self.settings["no_decay"])
        if not no_decay <= named.keys():
            raise SystemExit(f"train.json names parameters the PyTorch model lacks: {sorted(no_decay - named.keys())}")
        groups = [{"params": [p for n, p in named.items() if n not in no_decay],
                   "weight_decay": self.settings["weight_decay"]},
                  {"params": [p for n, p in named.items() if n in no_decay], "weight_decay": 0.0}]
        self.optimizer = torch.optim.AdamW(groups, lr=self.settings["lr"])
        self.moe_layers = [layer.mlp for layer in self.model.model.layers
                           if isinstance(layer.mlp, deepseek_moe.DeepSeekMoE)]
        self.inputs = torch.from_numpy(np.load(os.path.join(folder, "input_ids.npy")))
        self.targets = torch.from_numpy(np.load(os.path.join(folder, "targets.npy")))
        self.target_counts = (self.targets != IGNORE).sum(dim=(1, 2)).tolist()
        self.next = 0

    def step(self):
        """One optimizer step on the next batch, as the demo's TrainStep; returns the loss before the update."""
        torch, F = self.torch, self.F
        ids, targets = self.inputs[self.next], self.targets[self.next]
        count = self.target_counts[self.next]
        self.next = (self.next + 1) % len(self.inputs)
        self.optimizer.zero_grad(set_to_none=True)
        logits = self.model(ids)
        token_losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                       ignore_index=IGNORE, reduction="none")
        loss = token_losses.sum() / count
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.settings["clip_norm"])
        self.optimizer.step()
        self.update_bias()
        # what the demo reads back each step: the mean and the per-position losses
        return loss.item(), token_losses.detach().numpy()

    def update_bias(self):
        """DeepSeek-V3's aux-loss-free step: each expert's bias moves by bias_update_speed towards the mean load."""
        speed = self.hf_config["bias_update_speed"]
        with self.torch.no_grad():
            for layer in self.moe_layers:
                indices = layer.last_routing[0]
                loads = self.torch.bincount(indices.reshape(-1), minlength=layer.config.n_routed_experts).double()
                step = speed * self.torch.sign(loads.mean() - loads)
                bias = layer.gate.e_score_correction_bias
                bias.copy_((bias.double() + step).float())


def check(server, trainer, folder):
    """CHECKED_STEPS steps on both sides from the same weights: the losses, which must agree."""
    import numpy as np
    out = os.path.join(folder, "tessera-out")
    os.makedirs(out, exist_ok=True)
    steps = []
    for i in range(CHECKED_STEPS):
        server.ask("check", out)
        tessera = float(np.load(os.path.join(out, "loss.npy"))[0])
        torch_loss = trainer.step()[0]
        rtol = FIRST_RTOL if i == 0 else LATER_RTOL
        relative = abs(tessera - torch_loss) / abs(torch_loss)
        steps.append({"step": i + 1, "tessera": tessera, "torch": torch_loss, "relative": relative, "rtol": rtol})
        log(f"  step {i + 1}: loss Tessera {tessera!r}, PyTorch {torch_loss!r}, relative difference {relative:.1e}")
        if not relative <= rtol:
            raise SystemExit(f"step {i + 1}: the losses disagree by {relative:.2e} (more than {rtol:g}); nothing was timed")
    return steps


def measure(server, trainer, rounds, others):
    """Warm-up of both, then rounds alternating which side goes first, BATCHES steps per side per round."""
    from peers import quiet_count, time_peer
    run_peer = trainer.step
    server.time(WARMUP_STEPS)
    time_peer(run_peer, WARMUP_STEPS)
    jvm = server.process.pid
    measured, jvm_during_peer = [], []

    def peer_turn():
        # the JVM's own background work (GC, JIT, freeing) while PyTorch runs slows PyTorch: measured
        ticks, start = machine.process_ticks(jvm), time.perf_counter()
        times = time_peer(run_peer, BATCHES)
        jvm_during_peer.append((machine.process_ticks(jvm) - ticks) / TICKS_PER_S / (time.perf_counter() - start))
        return times

    r = 0
    while r < rounds or (quiet_count(measured) < rounds and r < PATIENCE * rounds):
        others.share()
        if r % 2 == 0:
            tessera, peer = server.time(BATCHES), peer_turn()
        else:
            peer, tessera = peer_turn(), server.time(BATCHES)
        measured.append((tessera, peer, others.share()))
        log(f"  round {r + 1}: Tessera {statistics.median(tessera) * 1e3:.1f} ms/step,"
            f" PyTorch {statistics.median(peer) * 1e3:.1f} ms/step, others' CPU {measured[-1][2]:.0%},"
            f" the JVM's CPU during PyTorch's turn {jvm_during_peer[-1]:.2f} cores")
        r += 1
    return measured, jvm_during_peer


def one_pass(java, classpath, preset, rounds, work, index):
    from peers import summarise
    from tessera import TesseraServer
    folder = os.path.join(work, f"pass{index}")
    os.makedirs(folder)
    with TesseraServer(java, classpath) as server:
        server.setup("demo.train_step", folder, {"preset": preset, "batches": BATCHES})
        trainer = TorchTrainer(folder)
        agreement = check(server, trainer, folder)
        others = machine.OtherLoad([os.getpid(), server.process.pid])
        measured, jvm_during_peer = measure(server, trainer, rounds, others)
        summary = summarise(measured)
    summary["jvm_during_peer"] = statistics.median(jvm_during_peer)
    summary["agreement"] = agreement
    summary["targets_per_step"] = statistics.mean(trainer.target_counts)
    summary["rows"], summary["length"] = trainer.inputs.shape[1], trainer.inputs.shape[2]
    summary["model"] = {"parameters": sum(p.numel() for p in trainer.model.parameters()),
                        "config": trainer.hf_config, "settings": {k: v for k, v in trainer.settings.items()
                                                                   if k != "no_decay"}}
    return summary


def tokens_per_s(summary, side, which="median_s"):
    return summary["targets_per_step"] / summary[side][which]


def section(facts, passes, preset, rounds):
    from peers import QUIET
    from report import fmt_load
    f, first = facts, passes[0]
    c, s = first["model"]["config"], first["model"]["settings"]
    blas = (f"OpenBLAS, kernel {f['openblas_core']}, {f['openblas_threads']} threads"
            if f["openblas_core"] else "NOT OpenBLAS (reference BLAS: the peer's matmuls are crippled)")
    lines = [
        BEGIN,
        f"## Training throughput of the demo's model: Tessera vs PyTorch (`make bench-demo`)",
        "",
        f"The `{preset}` preset's model{' (what `make demo` trains)' if preset == 'small' else ''}:"
        f" {c['num_hidden_layers']} layers (the first"
        f" dense, then MoE), hidden {c['hidden_size']}, {c['num_attention_heads']} query and"
        f" {c['num_key_value_heads']} key/value heads, {c['n_routed_experts']} routed experts of width"
        f" {c['moe_intermediate_size']} (top-{c['num_experts_per_tok']}, sigmoid, noaux_tc) and"
        f" {c['n_shared_experts']} shared, vocabulary {c['vocab_size']}: {first['model']['parameters']:,} parameters."
        f" A step: a batch of {first['rows']} x {first['length']} positions"
        f" ({first['targets_per_step']:.0f} targets on average over the {BATCHES} batches), forward, cross-entropy,"
        f" backward, clipping to norm {s['clip_norm']:g}, AdamW (lr {s['lr']:g} held constant, weight decay"
        f" {s['weight_decay']:g} off the norms), the bias update. Float32, {f['tessera_threads']} threads each.",
        "",
        "- Tessera: the demo's own `TrainStep` in a PeerServer JVM (case `demo.train_step`), JDK"
        f" {f['java']}, {f['tessera_vector_bits']}-bit vectors.",
        f"- PyTorch {f['torch']} ({f['torch_threads']} threads, ATen CPU capability {f['torch_cpu_capability']},"
        f" BLAS {blas}; tcmalloc {'preloaded' if f['tcmalloc'] else 'NOT preloaded'}; OpenBLAS kept to one thread"
        " because its own pool beside PyTorch's OpenMP threads oversubscribes the two cores and makes PyTorch's"
        " steps 1.5 to 3.5 times slower and erratic): the same model from"
        " `tests/golden/deepseek_moe.py` (sort-based dispatch), Tessera's initial weights loaded from safetensors,"
        " `torch.optim.AdamW`, `clip_grad_norm_`.",
        f"- Machine: {f['cpu']} ({f['cpu_family_model']}), {f['cpus']} CPUs, hypervisor {f['hypervisor']}."
        f" Load average (1, 5, 15 min): {fmt_load(f['load_before'])} at the start, {fmt_load(f['load_after'])} at the end.",
        f"- {f['date']}, commit {f['commit']}, `{f['command']}`, {f['minutes']:.1f} minutes in all.",
        "",
        "Method: both sides start from the same weights and take the same batches of the synthetic corpus;"
        f" their first {CHECKED_STEPS} losses are compared before anything is timed. Then each warms up"
        f" ({WARMUP_STEPS} steps) and rounds alternate the sides (A B, B A, ...), {BATCHES} steps per side per"
        " round, each side timing its own steps. A round counts only when other processes took less than"
        f" {QUIET:.0%} of the CPUs during it; rounds go on (up to {PATIENCE}x) until {rounds} are quiet, and a pass"
        " that never got enough uses all of its rounds. Tokens/s = targets per step / the median step time (in"
        " brackets: from the fastest and the slowest step). **Ratio** = PyTorch's step time / Tessera's, the"
        " median (min-max) of the per-round ratios: above 1, Tessera is faster. **Others' CPU**: the share of the"
        " machine's CPU time that other processes took during the rounds used (steal included); **the JVM's CPU in"
        " PyTorch's turns** (median over the rounds) shows whether Tessera's background threads (GC, JIT, freeing)"
        " slowed its peer. Each pass is a fresh JVM and a fresh PyTorch model.",
        "",
        "| pass | Tessera tokens/s | PyTorch tokens/s | ratio | Tessera ms/step | PyTorch ms/step | rounds used"
        " | others' CPU | the JVM's CPU in PyTorch's turns |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for i, p in enumerate(passes, 1):
        rounds = f"{p['rounds']} of {p['rounds_run']}" + ("" if p["quiet_only"] else " (not enough quiet ones: all)")
        lines.append(
            f"| {i} | **{tokens_per_s(p, 'tessera'):,.0f}** ({tokens_per_s(p, 'tessera', 'max_s'):,.0f}-"
            f"{tokens_per_s(p, 'tessera', 'min_s'):,.0f}) | **{tokens_per_s(p, 'peer'):,.0f}**"
            f" ({tokens_per_s(p, 'peer', 'max_s'):,.0f}-{tokens_per_s(p, 'peer', 'min_s'):,.0f})"
            f" | **{p['ratio_median']:.2f}x** ({p['ratio_min']:.2f}-{p['ratio_max']:.2f})"
            f" | {p['tessera']['median_s'] * 1e3:.1f} | {p['peer']['median_s'] * 1e3:.1f} | {rounds}"
            f" | {p['others_during']:.0%} | {p['jvm_during_peer']:.2f} cores |")
    lines.append("")
    lines += agreement_lines(passes)
    lines += verdict_lines(passes)
    lines.append(END)
    return "\n".join(lines)


def agreement_lines(passes):
    steps = passes[0]["agreement"]
    return ["Agreement (pass 1; every pass checks it): " + "; ".join(
        f"step {a['step']} loss {a['tessera']:.7f} vs {a['torch']:.7f} (relative {a['relative']:.1e},"
        f" bound {a['rtol']:g})" for a in steps) + ".", ""]


def verdict_lines(passes):
    medians = [p["ratio_median"] for p in passes]
    lines = []
    for side, name in (("tessera", "Tessera"), ("peer", "PyTorch")):
        times = [p[side]["median_s"] for p in passes]
        if max(times) / min(times) - 1 > MOVED:
            lines.append(f"{name}'s median step time moved by {max(times) / min(times) - 1:.0%} between the passes"
                         " (more than 10%): the machine's load changed.")
    ahead = all(m > 1 + CLOSE for m in medians)
    behind = all(m < 1 - CLOSE for m in medians)
    target = ("**met**: Tessera trains faster in every pass" if ahead
              else "**not met**: PyTorch trains faster in every pass" if behind
              else f"**not settled**: the passes disagree, or a ratio lies within {CLOSE:.0%} of 1")
    busy = "" if all(p["quiet_only"] for p in passes) else "; measured on a busy machine (not enough quiet rounds)"
    lines.append(f"Target (issue #8: Tessera ahead): {target} (ratios {', '.join(f'{m:.2f}x' for m in medians)}"
                 f"{busy}).")
    return lines + [""]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small", choices=("tiny", "small"))
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--passes", type=int, default=PASSES)
    parser.add_argument("--print", action="store_true", help="print the section instead of writing bench/RESULTS.md")
    parser.add_argument("--java", help="the JDK 25 java (default: scripts/jdk25.sh)")
    parser.add_argument("--classpath", help="Tessera's class path (default: what `make classpath` wrote)")
    args = parser.parse_args()
    machine.reexec_with_peer_environment(PEER_ENV)
    import numpy
    import torch
    import report
    from tessera import TesseraServer, default_classpath, default_java
    torch.set_num_threads(machine.THREADS)
    java, classpath = args.java or default_java(), args.classpath or default_classpath()
    flags = [f"--{k} {v}" for k, v in (("preset", args.preset), ("rounds", args.rounds), ("passes", args.passes))
             if v != parser.get_default(k)]
    command = "make bench-demo" + (f" DEMO_BENCH_ARGS='{' '.join(flags)}'" if flags else "")
    started = time.perf_counter()
    with TesseraServer(java, classpath) as server:
        facts = machine.facts(torch, numpy, server.ask("info"), command)
    log(f"Tessera {facts['java']} ({facts['tessera_threads']} threads) vs torch {facts['torch']}"
        f" ({facts['torch_threads']} threads), tcmalloc {facts['tcmalloc']}, OpenBLAS {facts['openblas_core']},"
        f" load {facts['load_before']}")
    passes = []
    with tempfile.TemporaryDirectory(prefix="tessera-demo-train-") as work:
        for i in range(args.passes):
            log(f"pass {i + 1} of {args.passes}")
            passes.append(one_pass(java, classpath, args.preset, args.rounds, work, i))
            p = passes[-1]
            log(f"pass {i + 1}: Tessera {tokens_per_s(p, 'tessera'):,.0f} tokens/s, PyTorch"
                f" {tokens_per_s(p, 'peer'):,.0f} tokens/s, ratio {p['ratio_median']:.2f}")
    facts["load_after"] = os.getloadavg()
    facts["minutes"] = (time.perf_counter() - started) / 60
    text = section(facts, passes, args.preset, args.rounds)
    if args.print:
        print(text)
    else:
        report.replace_section(text, BEGIN, END)
        log("wrote its section of bench/RESULTS.md")


if __name__ == "__main__":
    main()
