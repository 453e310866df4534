package dev.tessera.nn;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.List;

/**
 * Rotary position embedding (RoPE) in the half-split layout of Llama and Hugging Face: the last
 * dim of a head is two halves x1, x2, and pair (x1[i], x2[i]) turns by the angle {@code pos *
 * inv_freq[i]} with {@code inv_freq[i] = theta^(-2i / D)}:
 * <pre>
 * out = x * cos + rotate_half(x) * sin,   rotate_half(x) = cat(-x2, x1),
 * cos = cos(cat(freqs, freqs)),  sin likewise,  freqs[n][i] = positions[n] * inv_freq[i]
 * </pre>
 * The angles and their cos and sin are computed in double from the positions, then cast to x's
 * dtype; the rotation is built from differentiable tensor ops, so autograd derives its gradient.
 * The positions are explicit, so a KV cache passes the offsets of the new tokens. Holds no
 * parameters.
 */
public final class RotaryEmbedding {
    private static final String OP = "rotary_embedding";

    private final int headDim;
    private final double theta;
    private final double[] invFreq;

    /**
     * @param headDim D, the size of the last dim of the heads it rotates; even and positive
     * @param theta the base of the frequencies (10000 in Llama 2, 500000 in Llama 3); finite and above 1
     */
    public RotaryEmbedding(int headDim, double theta) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException(OP + ": headDim must be even and positive, got " + headDim);
        }
        if (!(theta > 1) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException(OP + ": theta must be finite and above 1, got " + theta);
        }
        this.headDim = headDim;
        this.theta = theta;
        this.invFreq = new double[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = 1 / Math.pow(theta, 2.0 * i / headDim);
        }
    }

    public int headDim() {
        return headDim;
    }

    public double theta() {
        return theta;
    }

    /**
     * Rotates {@code x} [B, H, N, D] (any floating dtype) by the positions of its N tokens:
     * {@code positions} is I64 or I32, [N] (shared by the batch) or [B, N] (one row per sequence).
     * Returns x's shape and dtype.
     *
     * @throws IllegalArgumentException for an x that is not floating of rank 4 with last dim D, or
     *     positions that are not integers of shape [N] or [B, N]
     */
    public Tensor apply(Tensor x, Tensor positions) {
        if (!x.dtype().isFloating() || x.rank() != 4 || x.size(3) != headDim) {
            throw new IllegalArgumentException(OP + ": x must be floating of shape [B, H, N, " + headDim + "], got "
                    + x.dtype() + " " + Shape.str(x.shape()));
        }
        if (!positions.dtype().isInteger()) {
            throw new IllegalArgumentException(OP + ": positions must be I64 or I32, got " + positions.dtype() + " "
                    + Shape.str(positions.shape()));
        }
        long batch = x.size(0);
        long tokens = x.size(2);
        boolean shared = positions.rank() == 1 && positions.size(0) == tokens;
        boolean perSequence = positions.rank() == 2 && positions.size(0) == batch && positions.size(1) == tokens;
        if (!shared && !perSequence) {
            throw new IllegalArgumentException(OP + ": positions must have shape [" + tokens + "] or [" + batch + ", "
                    + tokens + "] for x of shape " + Shape.str(x.shape()) + ", got " + Shape.str(positions.shape()));
        }
        // [N, D] broadcasts over batch and heads; [B, N] becomes [B, 1, N, D], broadcast over heads.
        long[] tableShape = shared ? new long[] {tokens, headDim} : new long[] {batch, 1, tokens, headDim};
        long[] at = positions.to(DType.I64).contiguous().toLongArray();
        Tensor cos = table(at, tableShape, false, x);
        Tensor sin = table(at, tableShape, true, x);
        long half = headDim / 2;
        Tensor rotated = Tensor.cat(List.of(x.narrow(3, half, half).neg(), x.narrow(3, 0, half)), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }

    /** cos (or sin) of cat(freqs, freqs) for each position, in double, then in x's dtype on x's device. */
    private Tensor table(long[] positions, long[] shape, boolean sine, Tensor x) {
        double[] values = new double[positions.length * headDim];
        int half = headDim / 2;
        for (int n = 0; n < positions.length; n++) {
            for (int i = 0; i < half; i++) {
                double angle = positions[n] * invFreq[i];
                double v = sine ? Math.sin(angle) : Math.cos(angle);
                values[n * headDim + i] = v;
                values[n * headDim + half + i] = v;
            }
        }
        return Tensor.of(values, shape).to(x.dtype()).to(x.device());
    }
}
