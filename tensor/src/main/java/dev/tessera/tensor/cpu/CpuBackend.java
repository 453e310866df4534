package dev.tessera.tensor.cpu;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;

/**
 * The Vector API CPU backend: F32 kernels on {@code FloatVector}s of the machine's preferred width
 * ({@link Simd}), other dtypes through staged float, double or long paths, work split over the
 * fixed pool of {@link Parallel}. Each method hands over to the class that owns that family of ops.
 */
public final class CpuBackend implements Backend {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void fill(Tensor out, double value) {
        Elementwise.fill(out, value);
    }

    @Override
    public void copy(Tensor x, Tensor out) {
        Elementwise.copy(x, out);
    }

    @Override
    public void unary(Op op, Tensor x, Tensor out) {
        Elementwise.unary(op, x, out);
    }

    @Override
    public void binary(Op op, Tensor a, Tensor b, Tensor out) {
        Elementwise.binary(op, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Elementwise.where(cond, a, b, out);
    }

    @Override
    public void clamp(Tensor x, double lo, double hi, Tensor out) {
        Elementwise.clamp(x, lo, hi, out);
    }

    @Override
    public void reduce(Op op, Tensor x, Tensor out) {
        Reductions.reduce(op, x, out);
    }

    @Override
    public void argReduce(Op op, Tensor x, int dim, Tensor out) {
        ArgReductions.argReduce(op, x, dim, out);
    }

    @Override
    public void softmax(Op op, Tensor x, int dim, Tensor out) {
        RowOps.softmax(op, x, dim, out);
    }

    @Override
    public void cumsum(Tensor x, int dim, Tensor out) {
        RowOps.cumsum(x, dim, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        Gemm.matmul(a, b, out);
    }

    @Override
    public void topk(Tensor x, int dim, int k, boolean largest, Tensor values, Tensor indices) {
        TopK.topk(x, dim, k, largest, values, indices);
    }

    @Override
    public void gather(Tensor x, int dim, Tensor index, Tensor out) {
        Indexing.gather(x, dim, index, out);
    }

    @Override
    public void scatterAdd(Tensor src, int dim, Tensor index, Tensor out) {
        Indexing.scatterAdd(src, dim, index, out);
    }

    @Override
    public void indexSelect(Tensor x, int dim, Tensor index, Tensor out) {
        Indexing.indexSelect(x, dim, index, out);
    }

    @Override
    public void indexAdd(Tensor src, int dim, Tensor index, Tensor out) {
        Indexing.indexAdd(src, dim, index, out);
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, Tensor loss, Tensor lse) {
        CrossEntropyKernels.forward(logits, targets, ignoreIndex, loss, lse);
    }

    @Override
    public void crossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignoreIndex,
            Tensor gradLogits) {
        CrossEntropyKernels.backward(gradLoss, logits, targets, lse, ignoreIndex, gradLogits);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, double eps, Tensor out, Tensor rstd) {
        RmsNormKernels.forward(x, weight, eps, out, rstd);
    }

    @Override
    public void rmsNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd, Tensor gradX, Tensor gradWeight) {
        RmsNormKernels.backward(gradOut, x, weight, rstd, gradX, gradWeight);
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal, Tensor out, Tensor lse) {
        FlashAttention.forward(q, k, v, mask, scale, causal, out, lse);
    }

    @Override
    public void attentionBackward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse,
            double scale, boolean causal, Tensor gradQ, Tensor gradK, Tensor gradV) {
        FlashAttentionBackward.backward(gradOut, q, k, v, mask, out, lse, scale, causal, gradQ, gradK, gradV);
    }

    @Override
    public void moePlan(Tensor expertIds, long capacity, Tensor counts, Tensor order, Tensor position) {
        MoeKernels.plan(expertIds, capacity, counts, order, position);
    }

    @Override
    public void moePermute(Tensor x, Tensor order, int topK, Tensor out) {
        MoeKernels.permute(x, order, topK, out);
    }

    @Override
    public void moeUnpermute(Tensor yp, Tensor position, Tensor weights, Tensor out) {
        MoeKernels.unpermute(yp, position, weights, out);
    }

    @Override
    public void moeUnpermuteBackward(Tensor gradOut, Tensor yp, Tensor order, Tensor position, Tensor weights,
            Tensor gradYp, Tensor gradWeights) {
        MoeKernels.unpermuteBackward(gradOut, yp, order, position, weights, gradYp, gradWeights);
    }

    @Override
    public void groupedMatmul(Tensor x, Tensor counts, Tensor[] weights, Tensor out) {
        GroupedGemm.forward(x, counts, weights, out);
    }

    @Override
    public void groupedMatmulWeightGrad(Tensor gradOut, Tensor x, Tensor counts, Tensor[] gradWeights) {
        GroupedGemm.weightGrad(gradOut, x, counts, gradWeights);
    }
}
