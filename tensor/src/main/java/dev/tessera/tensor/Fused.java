package dev.tessera.tensor;

/** Fused kernels of the catalog that nn is built on: each a primitive with its own gradient kernel. */
public final class Fused {
    private Fused() {}

    /**
     * RMSNorm over the last dim: {@code y = weight * x / sqrt(mean(x^2) + eps)}, in x's shape and
     * dtype, the statistics in F32 (F64 for F64 x). Recorded as {@code rms_norm}, whose second
     * output, the per-row {@code 1 / sqrt(mean(x^2) + eps)}, is what the gradient reuses.
     *
     * @param x any floating tensor of rank >= 1 with a non-empty last dim of size n
     * @param weight 1-D of size n, x's dtype and device
     * @param eps finite, >= 0
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return RmsNorm.forward(x, weight, eps);
    }

    /**
     * The gradient kernel of {@link #rmsNorm}: {@code {gradX, gradWeight}} from {@code gradOut}
     * (x's shape and dtype) and the forward's x, weight and saved rstd (x's shape without the
     * last dim, F32 or F64 for F64 x). Not recorded: it runs inside a derivative rule.
     */
    public static Tensor[] rmsNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd) {
        return RmsNorm.backward(gradOut, x, weight, rstd);
    }
}
