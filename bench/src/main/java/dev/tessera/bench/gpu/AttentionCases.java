package dev.tessera.bench.gpu;

import dev.tessera.autograd.Grad;
import dev.tessera.bench.Verify;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/**
 * Flash attention in F32, q k v [B, H, N, D], scale 1/sqrt(D), with and without the causal mask:
 * forward alone (no graph) and forward plus backward through autograd with a fixed output gradient.
 * Work, as FlashAttention's benchmarks count it: forward 4 B H N^2 D FLOPs (half when causal), backward
 * 2.5 times the forward. The forward is checked at the timed size on six rows against the host; the
 * backward (out, dq, dk, dv) against the cpu backend at a smaller N of the same head dim.
 */
final class AttentionCases {
    static final int BATCH = 4;
    static final int HEADS = 16;
    static final int[] HEAD_DIMS = {64, 128};
    static final int[] SEQS = {1024, 2048, 4096};
    static final int QUICK_BATCH = 1;
    static final int QUICK_HEADS = 2;
    static final int[] QUICK_HEAD_DIMS = {16, 32};
    static final int[] QUICK_SEQS = {64, 128};
    /** The sequence length of the backward's check against the cpu backend (at most): not a multiple of a tile. */
    static final int CHECK_SEQ = 200;

    private AttentionCases() {}

    /** q, k, v and the output gradient, on the device. */
    private record Inputs(Tensor q, Tensor k, Tensor v, Tensor gradOut) {
        static Inputs random(long seed, Device device, long... shape) {
            Generator g = new Generator(seed);
            return new Inputs(Tensor.randn(g, shape).to(device), Tensor.randn(g, shape).to(device),
                    Tensor.randn(g, shape).to(device), Tensor.randn(g, shape).to(device));
        }
    }

    static void run(CaseRunner runner, boolean quick) {
        int batch = quick ? QUICK_BATCH : BATCH;
        int heads = quick ? QUICK_HEADS : HEADS;
        for (int d : quick ? QUICK_HEAD_DIMS : HEAD_DIMS) {
            for (int n : quick ? QUICK_SEQS : SEQS) {
                var inputs = new CaseRunner.Memo<>(() -> Inputs.random(31L * n + d, runner.device(), batch, heads, n, d));
                for (boolean backward : new boolean[] {false, true}) {
                    for (boolean causal : new boolean[] {false, true}) {
                        double forward = 4.0 * batch * heads * n * n * d / (causal ? 2 : 1) / 1e9;
                        String kernel = backward ? "attention.forward_backward" : "attention.forward";
                        String size = "B" + batch + " H" + heads + " N" + n + " D" + d + (causal ? " causal" : "");
                        runner.run(kernel, size, backward ? 3.5 * forward : forward,
                                () -> prepare(inputs.get(), causal, backward));
                    }
                }
            }
        }
    }

    private static CaseRunner.Prepared prepare(Inputs in, boolean causal, boolean backward) {
        if (!backward) {
            return new CaseRunner.Prepared(() -> checkForward(in, causal), () -> forward(in, causal));
        }
        Tensor q = in.q.detach().requiresGrad(true);
        Tensor k = in.k.detach().requiresGrad(true);
        Tensor v = in.v.detach().requiresGrad(true);
        int d = (int) in.q.size(3);
        int checkSeq = (int) Math.min(CHECK_SEQ, in.q.size(2));
        return new CaseRunner.Prepared(() -> checkBackward(in.q.device(), d, checkSeq, causal), () -> {
            Fused.attention(q, k, v, null, scale(q), causal).backward(in.gradOut);
            q.zeroGrad();
            k.zeroGrad();
            v.zeroGrad();
        });
    }

    private static Tensor forward(Inputs in, boolean causal) {
        try (var off = Grad.off()) {
            return Fused.attention(in.q, in.k, in.v, null, scale(in.q), causal);
        }
    }

    private static double scale(Tensor q) {
        return 1 / Math.sqrt(q.size(3));
    }

    /** Rows first, middle and last of the first and the last head against the host. */
    private static void checkForward(Inputs in, boolean causal) {
        Tensor out = forward(in, causal);
        long batch = in.q.size(0);
        long heads = in.q.size(1);
        int n = (int) in.q.size(2);
        for (long[] bh : new long[][] {{0, 0}, {batch - 1, heads - 1}}) {
            float[] keys = in.k.select(0, bh[0]).select(0, bh[1]).toFloatArray();
            float[] values = in.v.select(0, bh[0]).select(0, bh[1]).toFloatArray();
            for (int row : new int[] {0, n / 2 + 1, n - 1}) {
                float[] q = in.q.select(0, bh[0]).select(0, bh[1]).select(0, row).toFloatArray();
                double[] want = HostReference.attentionRow(q, keys, values, row, scale(in.q), causal);
                float[] got = out.select(0, bh[0]).select(0, bh[1]).select(0, row).toFloatArray();
                Verify.close("attention forward [" + bh[0] + ", " + bh[1] + ", " + row + "]", got, Tensor.of(want),
                        1e-4, 1e-3);
            }
        }
    }

    /** out, dq, dk and dv on the inputs' device against the cpu backend, from the same inputs [1, 2, n, d]. */
    private static void checkBackward(Device device, int d, int n, boolean causal) {
        Inputs host = Inputs.random(5, Device.cpu(), 1, 2, n, d);
        Tensor[] want = gradients(host, causal);
        Tensor[] got = gradients(new Inputs(host.q.to(device), host.k.to(device), host.v.to(device),
                host.gradOut.to(device)), causal);
        String[] names = {"out", "dq", "dk", "dv"};
        for (int i = 0; i < names.length; i++) {
            Verify.close("attention backward " + names[i] + " vs cpu", got[i], want[i], 1e-4, 1e-3);
        }
    }

    private static Tensor[] gradients(Inputs in, boolean causal) {
        Tensor q = in.q.detach().requiresGrad(true);
        Tensor k = in.k.detach().requiresGrad(true);
        Tensor v = in.v.detach().requiresGrad(true);
        Tensor out = Fused.attention(q, k, v, null, scale(q), causal);
        out.backward(in.gradOut);
        return new Tensor[] {out.detach(), q.grad(), k.grad(), v.grad()};
    }
}
