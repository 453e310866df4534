package dev.tessera.bench;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Causal self-attention, batch 1, 8 heads, head dim 64, F32: the fused flash kernel
 * ({@code Fused.attention}) against the plain materialised formula built from Tessera ops
 * (q k^T times scale plus a causal -infinity mask, softmax, times v), forward alone and forward
 * plus backward through autograd (with a fixed output gradient).
 *
 * <p>Work: the forward is 4 N^2 d FLOPs per head (2 N^2 d causal), the backward about 2.5 times
 * that. The materialised path holds an [8, N, N] F32 score matrix (and its softmax, and in backward
 * their gradients): 32 MiB each at N = 1024, 128 MiB at 2048; the flash path holds blocks only.
 */
public class AttentionBench extends KernelBench {
    private static final int HEADS = 8;
    private static final int HEAD_DIM = 64;

    @Param({"256", "1024", "2048"})
    public int seq;

    private Tensor q;
    private Tensor k;
    private Tensor v;
    private Tensor gradOut;
    private Tensor causalMask;
    private double scale;

    @Setup
    public void setup(BenchmarkParams params) {
        Generator g = new Generator(21);
        q = Tensor.randn(g, 1, HEADS, seq, HEAD_DIM).requiresGrad(true);
        k = Tensor.randn(g, 1, HEADS, seq, HEAD_DIM).requiresGrad(true);
        v = Tensor.randn(g, 1, HEADS, seq, HEAD_DIM).requiresGrad(true);
        gradOut = Tensor.randn(g, 1, HEADS, seq, HEAD_DIM);
        scale = 1 / Math.sqrt(HEAD_DIM);
        float[] mask = new float[seq * seq];
        for (int r = 0; r < seq; r++) {
            for (int c = r + 1; c < seq; c++) {
                mask[r * seq + c] = Float.NEGATIVE_INFINITY;
            }
        }
        causalMask = Tensor.of(mask, seq, seq);
        // The two paths agree (both F32), so neither is timed wrong.
        Verify.close("flash vs materialised", flash(), materialised(), 1e-4, 1e-4);
    }

    @Benchmark
    public Tensor flash() {
        return Fused.attention(q.detach(), k.detach(), v.detach(), null, scale, true);
    }

    @Benchmark
    public Tensor materialised() {
        return materialisedOf(q.detach(), k.detach(), v.detach());
    }

    @Benchmark
    public Tensor flashForwardBackward() {
        Fused.attention(q, k, v, null, scale, true).backward(gradOut);
        return takeGradients();
    }

    @Benchmark
    public Tensor materialisedForwardBackward() {
        materialisedOf(q, k, v).backward(gradOut);
        return takeGradients();
    }

    private Tensor materialisedOf(Tensor qs, Tensor ks, Tensor vs) {
        return qs.matmul(ks.transpose(-1, -2)).mul(scale).add(causalMask).softmax(-1).matmul(vs);
    }

    /** dq (returned so the work is used); the leaves' gradients are cleared for the next call. */
    private Tensor takeGradients() {
        Tensor dq = q.grad();
        q.zeroGrad();
        k.zeroGrad();
        v.zeroGrad();
        return dq;
    }
}
