package dev.tessera.opencl;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * Fused cross-entropy and RMSNorm, forward and backward (loss_norm.cl). Each row is one work-group
 * whose items stride through it and reduce in local memory; the group size is a power of two fixed
 * by the row length, so a row's bits never change between runs. RMSNorm's backward gives each
 * group a fixed chunk of rows, and the chunks' weight-gradient partials are added in chunk order.
 */
final class LossNormKernels {
    private static final String FAMILY = "loss_norm";
    /** Most work items per row: enough to stream a 32k-class row, few enough for any GPU. */
    private static final long MAX_GROUP = 256;
    /** Most work-groups in RMSNorm's backward, and so the most weight-gradient partial rows. */
    private static final long MAX_BACKWARD_GROUPS = 512;

    private final ClRuntime runtime;

    LossNormKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, Tensor loss, Tensor lse) {
        long rows = logits.shape()[0];
        long classes = logits.shape()[1];
        if (rows == 0) {
            return;
        }
        long group = groupFor(classes);
        launch(logits.dtype(), "cross_entropy")
                .buffer(logits).i64(logits.offset()).i64(logits.strides()[0]).i64(logits.strides()[1]).i64(classes)
                .buffer(targets).i64(targets.offset()).i64(targets.strides()[0]).i64(ignoreIndex)
                .buffer(loss).i64(loss.offset()).buffer(lse).i64(lse.offset())
                .local(group * accBytes(logits.dtype()))
                .run(new long[] {rows * group}, new long[] {group});
    }

    void crossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignoreIndex,
            Tensor gradLogits) {
        long rows = logits.shape()[0];
        long classes = logits.shape()[1];
        if (rows == 0) {
            return;
        }
        long group = groupFor(classes);
        launch(logits.dtype(), "cross_entropy_backward")
                .buffer(gradLoss).i64(gradLoss.offset()).i64(gradLoss.strides()[0])
                .buffer(logits).i64(logits.offset()).i64(logits.strides()[0]).i64(logits.strides()[1]).i64(classes)
                .buffer(targets).i64(targets.offset()).i64(targets.strides()[0])
                .buffer(lse).i64(lse.offset()).i64(lse.strides()[0]).i64(ignoreIndex)
                .buffer(gradLogits).i64(gradLogits.offset())
                .run(new long[] {rows * group}, new long[] {group});
    }

    void rmsNorm(Tensor x, Tensor weight, double eps, Tensor out, Tensor rstd) {
        long n = lastDim(x);
        // The rows' layout: x's leading dims (KernelLayout reads only the strides of the dims it is given).
        KernelLayout rows = KernelLayout.of(leadingDims(x), x);
        if (rows.numel() == 0) {
            return;
        }
        long group = groupFor(n);
        launch(x.dtype(), "rms_norm")
                .buffer(x).struct(rows.view(0)).struct(rows.shape()).i64(lastStride(x))
                .buffer(weight).i64(weight.offset()).i64(weight.strides()[0]).i64(n).f64(eps)
                .buffer(out).i64(out.offset()).buffer(rstd).i64(rstd.offset())
                .local(group * accBytes(x.dtype())).local(group * Double.BYTES)
                .run(new long[] {rows.numel() * group}, new long[] {group});
    }

    void rmsNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd, Tensor gradX, Tensor gradWeight) {
        long n = lastDim(x);
        KernelLayout rows = KernelLayout.of(leadingDims(x), gradOut, x, rstd);
        long rowsPerGroup = Math.max(1, (rows.numel() + MAX_BACKWARD_GROUPS - 1) / MAX_BACKWARD_GROUPS);
        long groups = (rows.numel() + rowsPerGroup - 1) / rowsPerGroup;
        ClBuffer partials = runtime.pool.allocate(Math.max(1, groups) * n * accBytes(x.dtype()), false);
        if (groups > 0) {
            long group = groupFor(n);
            launch(x.dtype(), "rms_norm_backward")
                    .buffer(gradOut).struct(rows.view(0)).i64(lastStride(gradOut))
                    .buffer(x).struct(rows.view(1)).i64(lastStride(x))
                    .buffer(rstd).struct(rows.view(2)).struct(rows.shape())
                    .buffer(weight).i64(weight.offset()).i64(weight.strides()[0]).i64(n)
                    .i64(rowsPerGroup).buffer(gradX).i64(gradX.offset()).buffer(partials)
                    .local(group * accBytes(x.dtype()))
                    .run(new long[] {groups * group}, new long[] {group});
        }
        launch(x.dtype(), "rms_norm_weight_grad")
                .buffer(partials).i64(groups).i64(n).buffer(gradWeight).i64(gradWeight.offset())
                .run1d(Grid.items(n), Grid.GROUP);
    }

    /**
     * Work items for a row of {@code length}: the next power of two, at most {@link #MAX_GROUP} and
     * what the device allows (the local trees need a power of two).
     */
    private long groupFor(long length) {
        long cap = Long.highestOneBit(Math.min(MAX_GROUP, runtime.maxWorkGroupSize));
        long wanted = Math.min(Math.max(1, length), cap);
        return Long.highestOneBit(2 * wanted - 1);
    }

    private Launch launch(DType dtype, String kernel) {
        String options = ClTypes.operand("X", dtype) + "-DNARROW=" + (dtype == DType.F64 ? 0 : 1);
        return new Launch(runtime, FAMILY, options, kernel);
    }

    /** Bytes of an X_ACC value: float, or double for F64. */
    private static long accBytes(DType dtype) {
        return dtype == DType.F64 ? Double.BYTES : Float.BYTES;
    }

    private static long lastDim(Tensor t) {
        return t.shape()[t.rank() - 1];
    }

    private static long lastStride(Tensor t) {
        return t.strides()[t.rank() - 1];
    }

    private static long[] leadingDims(Tensor t) {
        return Arrays.copyOf(t.shape(), t.rank() - 1);
    }
}
