package dev.tessera.tensor;

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
        Tensor values = t.dtype() == DType.F64 ? t : t.to(DType.F64);
        boolean shorten = t.numel() > THRESHOLD;
        double[] data = values.contiguous().toDoubleArray();
        Style style = Style.of(t.dtype(), data);
        StringBuilder sb = new StringBuilder("tensor(");
        if (t.numel() == 0) {
            sb.append("[]");
        } else {
            appendDim(sb, data, t.shape(), 0, 0, style, shorten, "tensor(".length());
        }
        return sb.append(", shape=").append(Shape.str(t.shape())).append(", dtype=").append(t.dtype().numpyName())
                .append(", device=").append(t.device()).append(')').toString();
    }

    private static void appendDim(StringBuilder sb, double[] data, long[] shape, int dim, long base, Style style,
            boolean shorten, int indent) {
        if (dim == shape.length) {
            sb.append(style.pad(data[(int) base]));
            return;
        }
        long inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        String separator = dim == shape.length - 1 ? ", " : "," + "\n".repeat(shape.length - 1 - dim) + " ".repeat(indent + 1);
        sb.append('[');
        long n = shape[dim];
        for (long i = 0; i < n; i++) {
            if (shorten && n > 2 * EDGE && i == EDGE) {
                sb.append("...").append(separator);
                i = n - EDGE;
            }
            appendDim(sb, data, shape, dim + 1, base + i * inner, style, shorten, indent + 1);
            if (i < n - 1) {
                sb.append(separator);
            }
        }
        sb.append(']');
    }

    /** How to print the elements of one tensor: one width and one notation for all of them. */
    private record Style(DType dtype, boolean scientific, boolean integral, int width) {
        static Style of(DType dtype, double[] data) {
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
            boolean scientific = dtype.isFloating() && (maxAbs >= 1e8 || (minAbs < 1e-4 && !integral)
                    || (maxAbs / minAbs > 1e3 && !integral && minAbs < 1e-2));
            Style unpadded = new Style(dtype, scientific, integral, 0);
            int width = 0;
            for (double v : data) {
                width = Math.max(width, unpadded.text(v).length());
            }
            return new Style(dtype, scientific, integral, width);
        }

        String text(double v) {
            if (dtype == DType.BOOL) {
                return v != 0 ? "True" : "False";
            }
            if (!dtype.isFloating()) {
                return Long.toString((long) v);
            }
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

        String pad(double v) {
            String s = text(v);
            return " ".repeat(width - s.length()) + s;
        }
    }
}
