package dev.tessera.bench;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.MoePlan;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.ValuesIndices;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The routed-expert path of an MoE layer, F32 on the cpu: hidden 512, 16 SwiGLU experts of width
 * 256, top-4 routing (ids and softmax weights from a random top-k), T = 1024 or 4096 tokens, so
 * M = 4T permuted rows. {@code fused*} runs the catalog's dispatch: moe_plan, moe_permute, three
 * grouped_matmul (gate, up, down), silu * up, moe_unpermute. {@code baseline*} runs the same math
 * through the ops that existed before: a stable argsort of the ids, index_select, one narrow +
 * matmul per expert and matrix, cat, and an index_add of the weighted rows. {@code *ForwardBackward}
 * adds the backward of {@code sum(y * dy)} to x, the routing weights and all 48 weight matrices.
 *
 * <p>{@code groupedGate} against {@code plainGate}: the gate product alone, as a grouped matmul over
 * the 16 experts' row segments, and as one matmul of the same [4T, 512] x [512, 256] size: the cost
 * of splitting one GEMM into 16.
 *
 * <p>Work: each of the three products is 4T x 512 x 256 multiply-adds, 1.6 G for T = 1024 and 6.4 G
 * for T = 4096 per forward; the backward does twice that.
 */
public class MoeDispatchBench extends KernelBench {
    private static final int HIDDEN = 512;
    private static final int WIDTH = 256;
    private static final int EXPERTS = 16;
    private static final int TOP_K = 4;

    @Param({"1024", "4096"})
    public int tokens;

    private Tensor x;
    private Tensor ids;
    private Tensor weights;
    private Tensor dy;
    /** Token of each assignment a = t K + k, for the baseline's gathers. */
    private Tensor tokenOf;
    private final List<Tensor> gate = new ArrayList<>();
    private final List<Tensor> up = new ArrayList<>();
    private final List<Tensor> down = new ArrayList<>();
    private Tensor xp;
    private Tensor counts;
    private Tensor gateAll;

    @Setup
    public void setup(BenchmarkParams params) {
        Generator g = new Generator(61);
        x = Tensor.randn(g, tokens, HIDDEN);
        ValuesIndices routing = Tensor.randn(g, tokens, EXPERTS).topk(TOP_K);
        ids = routing.indices();
        weights = routing.values().softmax(-1);
        dy = Tensor.randn(g, tokens, HIDDEN);
        long[] owner = new long[tokens * TOP_K];
        for (int a = 0; a < owner.length; a++) {
            owner[a] = a / TOP_K;
        }
        tokenOf = Tensor.of(owner);
        double scale = 1 / Math.sqrt(HIDDEN);
        for (int e = 0; e < EXPERTS; e++) {
            gate.add(Tensor.randn(g, WIDTH, HIDDEN).mul(scale));
            up.add(Tensor.randn(g, WIDTH, HIDDEN).mul(scale));
            down.add(Tensor.randn(g, HIDDEN, WIDTH).mul(1 / Math.sqrt(WIDTH)));
        }
        MoePlan plan = Fused.moePlan(ids, EXPERTS, Long.MAX_VALUE);
        xp = Fused.moePermute(x, plan);
        counts = plan.counts();
        gateAll = gate.get(0).transpose(0, 1); // the layout each expert's weight has in groupedGate
        switch (Verify.method(params)) {
            case "fusedForward", "baselineForward" ->
                    Verify.close("fused vs baseline forward", fusedForward(), baselineForward(), 1e-5, 1e-4);
            case "fusedForwardBackward", "baselineForwardBackward" -> {
                Tensor[] fused = fusedForwardBackward();
                Tensor[] baseline = baselineForwardBackward();
                for (int i = 0; i < fused.length; i++) {
                    Verify.close("fused vs baseline gradient " + i, fused[i], baseline[i], 1e-4, 1e-3);
                }
            }
            case "groupedGate" -> Verify.close("groupedGate vs per-expert matmul", groupedGate(), perExpertGate(), 0, 0);
            case "plainGate" -> Verify.close("plainGate vs grouped with one shared weight", plainGate(),
                    Fused.groupedMatmul(xp, counts, Collections.nCopies(EXPERTS, gate.get(0))), 0, 0);
            default -> throw new IllegalStateException("MoeDispatchBench: no check for " + params.getBenchmark());
        }
    }

    @Benchmark
    public Tensor fusedForward() {
        return fused(x, weights);
    }

    @Benchmark
    public Tensor baselineForward() {
        return baseline(x, weights);
    }

    /** Gradients of x, the routing weights, and expert 0's gate, up and down, returned for the check. */
    @Benchmark
    public Tensor[] fusedForwardBackward() {
        return forwardBackward(true);
    }

    @Benchmark
    public Tensor[] baselineForwardBackward() {
        return forwardBackward(false);
    }

    @Benchmark
    public Tensor groupedGate() {
        return Fused.groupedMatmul(xp, counts, gate);
    }

    @Benchmark
    public Tensor plainGate() {
        return xp.matmul(gateAll);
    }

    private Tensor fused(Tensor in, Tensor w) {
        MoePlan plan = Fused.moePlan(ids, EXPERTS, Long.MAX_VALUE);
        Tensor rows = Fused.moePermute(in, plan);
        Tensor hidden = Fused.groupedMatmul(rows, plan.counts(), gate).silu().mul(Fused.groupedMatmul(rows, plan.counts(), up));
        return Fused.moeUnpermute(Fused.groupedMatmul(hidden, plan.counts(), down), plan, w);
    }

    private Tensor baseline(Tensor in, Tensor w) {
        Tensor flat = ids.flatten();
        Tensor order = flat.argsort(0, false);
        long[] perExpert = flat.oneHot(EXPERTS).sum(0).toLongArray();
        Tensor owners = tokenOf.indexSelect(0, order);
        Tensor rows = in.indexSelect(0, owners);
        List<Tensor> outs = new ArrayList<>();
        long first = 0;
        for (int e = 0; e < EXPERTS; e++) {
            Tensor slice = rows.narrow(0, first, perExpert[e]);
            Tensor hidden = slice.matmul(gate.get(e).transpose(0, 1)).silu().mul(slice.matmul(up.get(e).transpose(0, 1)));
            outs.add(hidden.matmul(down.get(e).transpose(0, 1)));
            first += perExpert[e];
        }
        Tensor weighted = Tensor.cat(outs, 0).mul(w.flatten().indexSelect(0, order).unsqueeze(1));
        return Tensor.zeros(DType.F32, tokens, HIDDEN).indexAdd(0, owners, weighted);
    }

    private Tensor[] forwardBackward(boolean fused) {
        Tensor in = x.detach().requiresGrad(true);
        Tensor w = weights.detach().requiresGrad(true);
        for (List<Tensor> matrices : List.of(gate, up, down)) {
            for (Tensor m : matrices) {
                m.requiresGrad(true);
                m.setGrad(null); // each call starts from no gradient, so both variants do the same work
            }
        }
        Tensor y = fused ? fused(in, w) : baseline(in, w);
        y.backward(dy);
        return new Tensor[] {in.grad(), w.grad(), gate.get(0).grad(), up.get(0).grad(), down.get(0).grad()};
    }

    private Tensor perExpertGate() {
        List<Tensor> outs = new ArrayList<>();
        long first = 0;
        long[] perExpert = counts.toLongArray();
        for (int e = 0; e < EXPERTS; e++) {
            outs.add(xp.narrow(0, first, perExpert[e]).matmul(gate.get(e).transpose(0, 1)));
            first += perExpert[e];
        }
        return Tensor.cat(outs, 0);
    }
}
