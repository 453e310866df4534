package dev.tessera.opencl;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;

/**
 * The OpenCL backend: every primitive of the catalog as a hand-written kernel (the {@code .cl}
 * files beside this class), run on the device {@link ClRuntime} picks. Tensors on this device
 * keep their bytes in device buffers ({@link ClBuffer}); {@link #copy} also moves tensors between
 * the host and the device. Nothing touches OpenCL until the first tensor is made here, so the
 * backend can sit on the class path of a machine without a driver.
 */
public final class OpenClBackend implements Backend {
    private volatile Kernels kernels;

    /** The kernel families, created with the runtime on first use. */
    private record Kernels(ClRuntime runtime, ElementwiseKernels elementwise, Transfers transfers,
            ReductionKernels reductions, MatmulKernels matmul, IndexKernels indexing, LossNormKernels lossNorm,
            AttentionKernels attention, MoeKernels moe, RandomKernels random) {
        static Kernels create() {
            ClRuntime runtime = ClRuntime.get();
            ElementwiseKernels elementwise = new ElementwiseKernels(runtime);
            return new Kernels(runtime, elementwise, new Transfers(runtime, elementwise), new ReductionKernels(runtime),
                    new MatmulKernels(runtime), new IndexKernels(runtime), new LossNormKernels(runtime),
                    new AttentionKernels(runtime), new MoeKernels(runtime), new RandomKernels(runtime));
        }
    }

    private Kernels k() {
        Kernels k = kernels;
        if (k == null) {
            synchronized (this) {
                k = kernels;
                if (k == null) {
                    k = kernels = Kernels.create();
                }
            }
        }
        return k;
    }

    /** The buffer behind a tensor of this device. */
    static ClBuffer buffer(Tensor t) {
        if (!(t.storage().deviceMemory() instanceof ClBuffer b)) {
            throw new IllegalArgumentException("opencl: a tensor on " + t.device() + " reached an OpenCL kernel");
        }
        return b;
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public Storage allocate(long byteSize, boolean zeroed) {
        return Storage.onDevice(k().runtime.pool.allocate(byteSize, zeroed));
    }

    @Override
    public boolean hostMemory() {
        return false;
    }

    /** A one-line description of the device in use, e.g. for reports: name, platform, driver. */
    public static String deviceDescription() {
        ClRuntime r = ClRuntime.get();
        return r.deviceName + " (" + r.platformName + ", driver " + r.driverVersion + ")";
    }

    /** Waits for every kernel enqueued so far (benchmarks time whole ops with it). */
    public static void synchronize() {
        ClRuntime.get().finish();
    }

    /** Device buffers handed out and not yet returned to the pool (the leak test watches it). */
    public static int liveBuffers() {
        return ClRuntime.get().pool.liveBuffers();
    }

    /** Bytes read back from the device so far (every read waits for the queue): a training step should read few. */
    public static long bytesRead() {
        return ClRuntime.get().bytesRead.sum();
    }

    /** Kernel objects created; they are cached, so the count stops growing once every kernel has run. */
    public static int kernelCount() {
        return ClRuntime.get().programs.kernelCount();
    }

    @Override
    public void fillRandom(Generator.Distribution distribution, long seed, long start, long low, long high,
            Tensor out) {
        k().random.fill(distribution, seed, start, low, high, out);
    }

    @Override
    public void fill(Tensor out, double value) {
        k().elementwise.fill(out, value);
    }

    @Override
    public void copy(Tensor x, Tensor out) {
        boolean xHere = x.storage().deviceMemory() instanceof ClBuffer;
        boolean outHere = out.storage().deviceMemory() instanceof ClBuffer;
        if (xHere && outHere) {
            k().elementwise.copy(x, out);
        } else if (outHere) {
            k().transfers.upload(x, out);
        } else if (xHere) {
            k().transfers.download(x, out);
        } else {
            out.device().backend().copy(x, out);
        }
    }

    @Override
    public void unary(Op op, Tensor x, Tensor out) {
        k().elementwise.unary(op, x, out);
    }

    @Override
    public void binary(Op op, Tensor a, Tensor b, Tensor out) {
        k().elementwise.binary(op, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        k().elementwise.where(cond, a, b, out);
    }

    @Override
    public void clamp(Tensor x, double lo, double hi, Tensor out) {
        k().elementwise.clamp(x, lo, hi, out);
    }

    @Override
    public void reduce(Op op, Tensor x, Tensor out) {
        k().reductions.reduce(op, x, out);
    }

    @Override
    public void argReduce(Op op, Tensor x, int dim, Tensor out) {
        k().reductions.argReduce(op, x, dim, out);
    }

    @Override
    public void softmax(Op op, Tensor x, int dim, Tensor out) {
        k().reductions.softmax(op, x, dim, out);
    }

    @Override
    public void cumsum(Tensor x, int dim, Tensor out) {
        k().reductions.cumsum(x, dim, out);
    }

    @Override
    public void topk(Tensor x, int dim, int k, boolean largest, Tensor values, Tensor indices) {
        k().reductions.topk(x, dim, k, largest, values, indices);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        k().matmul.matmul(a, b, out);
    }

    @Override
    public void gather(Tensor x, int dim, Tensor index, Tensor out) {
        k().indexing.gather(x, dim, index, out);
    }

    @Override
    public void scatterAdd(Tensor src, int dim, Tensor index, Tensor out) {
        k().indexing.scatterAdd(src, dim, index, out);
    }

    @Override
    public void indexSelect(Tensor x, int dim, Tensor index, Tensor out) {
        k().indexing.indexSelect(x, dim, index, out);
    }

    @Override
    public void indexAdd(Tensor src, int dim, Tensor index, Tensor out) {
        k().indexing.indexAdd(src, dim, index, out);
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, Tensor loss, Tensor lse) {
        k().lossNorm.crossEntropy(logits, targets, ignoreIndex, loss, lse);
    }

    @Override
    public void crossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignoreIndex,
            Tensor gradLogits) {
        k().lossNorm.crossEntropyBackward(gradLoss, logits, targets, lse, ignoreIndex, gradLogits);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, double eps, Tensor out, Tensor rstd) {
        k().lossNorm.rmsNorm(x, weight, eps, out, rstd);
    }

    @Override
    public void rmsNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd, Tensor gradX, Tensor gradWeight) {
        k().lossNorm.rmsNormBackward(gradOut, x, weight, rstd, gradX, gradWeight);
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal, Tensor out,
            Tensor lse) {
        k().attention.attention(q, k, v, mask, scale, causal, out, lse);
    }

    @Override
    public void attentionBackward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse,
            double scale, boolean causal, Tensor gradQ, Tensor gradK, Tensor gradV) {
        k().attention.attentionBackward(gradOut, q, k, v, mask, out, lse, scale, causal, gradQ, gradK, gradV);
    }

    @Override
    public void moePlan(Tensor expertIds, long capacity, Tensor counts, Tensor order, Tensor position) {
        k().moe.moePlan(expertIds, capacity, counts, order, position);
    }

    @Override
    public void moePermute(Tensor x, Tensor order, int topK, Tensor out) {
        k().moe.moePermute(x, order, topK, out);
    }

    @Override
    public void moeUnpermute(Tensor yp, Tensor position, Tensor weights, Tensor out) {
        k().moe.moeUnpermute(yp, position, weights, out);
    }

    @Override
    public void moeUnpermuteBackward(Tensor gradOut, Tensor yp, Tensor order, Tensor position, Tensor weights,
            Tensor gradYp, Tensor gradWeights) {
        k().moe.moeUnpermuteBackward(gradOut, yp, order, position, weights, gradYp, gradWeights);
    }

    @Override
    public void groupedMatmul(Tensor x, Tensor counts, Tensor[] weights, Tensor out) {
        k().matmul.groupedMatmul(x, counts, weights, out);
    }

    @Override
    public void groupedMatmulWeightGrad(Tensor gradOut, Tensor x, Tensor counts, Tensor[] gradWeights) {
        k().matmul.groupedMatmulWeightGrad(gradOut, x, counts, gradWeights);
    }
}
