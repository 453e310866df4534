package dev.tessera.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prints a tensor the way NumPy and PyTorch do: nested brackets, columns aligned, and big tensors
 * elided in the middle of each dim ({@code ...}), followed by shape, dtype and device.
 */
final class TensorFormat {
    /** Tensors with more elements than this are shortened. */
    static final long THRESHOLD = 1000;
    /** Items kept at each end of a dim when shortening. */
    static final int EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        long[] shape = t.shape();
        // Only the elements that will be printed are read, so printing a huge tensor stays cheap.
        Tensor shown = t.numel() > THRESHOLD ? edges(t) : t;
        String[] texts = texts(shown);
        int width = Arrays.stream(texts).mapToInt(String::length).max().orElse(0);
        StringBuilder sb = new StringBuilder("tensor(");
        if (t.numel() == 0) {
            sb.append("[]");
        } else {
            appendDim(sb, texts, width, shape, shown.shape(), 0, 0, "tensor(".length());
        }
        return sb.append(", shape=").append(Shape.str(shape)).append(", dtype=").append(t.dtype().numpyName())
                .append(", device=").append(t.device()).append(')').toString();
    }

    /** The first and last {@link #EDGE} entries of every dim longer than {@code 2 * EDGE}, joined. */
    private static Tensor edges(Tensor t) {
        Tensor kept = t;
        for (int d = 0; d < t.rank(); d++) {
            long n = kept.size(d);
            if (n > 2 * EDGE) {
                kept = Tensor.cat(List.of(kept.narrow(d, 0, EDGE), kept.narrow(d, n - EDGE, EDGE)), d);
            }
        }
        return kept;
    }

    /** Each element as text, in row-major order; integers exactly (an I64 beyond 2^53 too). */
    private static String[] texts(Tensor t) {
        if (t.dtype().isFloating()) {
            double[] values = t.toDoubleArray();
            FloatStyle style = FloatStyle.of(values);
            return Arrays.stream(values).mapToObj(style::text).toArray(String[]::new);
        }
        boolean bool = t.dtype() == DType.BOOL;
        return Arrays.stream(t.toLongArray()).mapToObj(v -> bool ? (v != 0 ? "True" : "False") : Long.toString(v))
                .toArray(String[]::new);
    }

    /**
     * Appends dim {@code dim}: {@code shape} is the tensor's, {@code shown} the shape of the texts,
     * which is smaller where a long dim kept only its edges; there a {@code ...} marks the gap.
     */
    private static void appendDim(StringBuilder sb, String[] texts, int width, long[] shape, long[] shown, int dim,
            long base, int indent) {
        if (dim == shape.length) {
            String text = texts[(int) base];
            sb.append(" ".repeat(width - text.length())).append(text);
            return;
        }
        long inner = 1;
        for (int d = dim + 1; d < shown.length; d++) {
            inner *= shown[d];
        }
        String separator = dim == shape.length - 1 ? ", " : "," + "\n".repeat(shape.length - 1 - dim) + " ".repeat(indent + 1);
        boolean elided = shown[dim] != shape[dim];
        sb.append('[');
        for (long i = 0; i < shown[dim]; i++) {
            if (elided && i == EDGE) {
                sb.append("...").append(separator);
            }
            appendDim(sb, texts, width, shape, shown, dim + 1, base + i * inner, indent + 1);
            if (i < shown[dim] - 1) {
                sb.append(separator);
            }
        }
        sb.append(']');
    }

    /** How to print the floats of one tensor: one notation for all of them. */
    private record FloatStyle(boolean scientific, boolean integral) {
        static FloatStyle of(double[] data) {
            double maxAbs = 0;
            double minAbs = Double.MAX_VALUE;
            boolean integral = true;
            for (double v : data) {
                if (Double.isFinite(v)) {
                    double a = Math.abs(v);
                    maxAbs = Math.max(maxAbs, a);
                    if (a > 0) {
                        minAbs = Math.min(minAbs, a);
                    }
                    integral &= v == Math.rint(v);
                }
            }
            boolean scientific = maxAbs >= 1e8 || (minAbs < 1e-4 && !integral)
                    || (maxAbs / minAbs > 1e3 && !integral && minAbs < 1e-2);
            return new FloatStyle(scientific, integral);
        }

        String text(double v) {
            if (Double.isNaN(v)) {
                return "nan";
            }
            if (Double.isInfinite(v)) {
                return v > 0 ? "inf" : "-inf";
            }
            if (scientific) {
                return String.format(Locale.ROOT, "%.4e", v);
            }
            return integral ? String.format(Locale.ROOT, "%.0f.", v) : String.format(Locale.ROOT, "%.4f", v);
        }
    }
}
