package dev.tessera.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The static factories behind {@link Tensor}: built on the host, on the cpu device, but for random samples drawn on a device. */
final class Factories {
    private Factories() {}

    static Tensor full(double value, DType dtype, long... shape) {
        long[] checked = Shape.checked("full", shape);
        // Zeroed memory is +0.0 in every dtype; -0.0 has its sign bit set and must be written.
        boolean allZeroBits = Double.doubleToRawLongBits(value) == 0;
        Storage storage = Storage.allocate(Shape.numel(checked) * dtype.byteSize(), allZeroBits);
        Tensor out = new Tensor(storage, dtype, checked, Shape.contiguousStrides(checked), 0, Device.cpu());
        if (!allZeroBits) {
            fillHost(out, value);
        }
        return out;
    }

    private static void fillHost(Tensor out, double value) {
        MemorySegment segment = out.storage().segment();
        long n = out.numel();
        if (n == 0) {
            return;
        }
        // Write the first element through DType (which converts), then replicate its bytes.
        out.dtype().write(segment, 0, value);
        long size = out.dtype().byteSize();
        for (long filled = 1; filled < n; filled *= 2) {
            long count = Math.min(filled, n - filled);
            MemorySegment.copy(segment, 0, segment, filled * size, count * size);
        }
    }

    static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || !Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)) {
            throw new IllegalArgumentException("arange: needs finite bounds and a non-zero step, got start=" + start
                    + ", end=" + end + ", step=" + step);
        }
        long n = Math.max(0, (long) Math.ceil((end - start) / step));
        Tensor out = Tensor.empty(dtype, Device.cpu(), n);
        MemorySegment segment = out.storage().segment();
        for (long i = 0; i < n; i++) {
            dtype.write(segment, i, start + i * step);
        }
        return out;
    }

    static Tensor linspace(double start, double end, long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: steps must be non-negative, got " + steps);
        }
        Tensor out = Tensor.empty(DType.F32, Device.cpu(), steps);
        MemorySegment segment = out.storage().segment();
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        for (long i = 0; i < steps; i++) {
            // Fill from both ends, as PyTorch does, so that the last value is exactly `end`; a single
            // step is `start`, as in PyTorch and NumPy.
            double v = i < steps / 2 || steps == 1 ? start + i * step : end - (steps - 1 - i) * step;
            DType.F32.write(segment, i, v);
        }
        return out;
    }

    static Tensor eye(long n, long m) {
        Tensor out = full(0, DType.F32, n, m);
        for (long i = 0; i < Math.min(n, m); i++) {
            DType.F32.write(out.storage().segment(), i * m + i, 1);
        }
        return out;
    }

    /** F32 samples of {@code distribution} (UNIFORM or NORMAL), drawn by the device's backend. */
    static Tensor random(Generator.Distribution distribution, Generator generator, Device device, long... shape) {
        Tensor out = Tensor.empty(DType.F32, device, shape);
        long start = generator.reserve(distribution, out.numel());
        device.backend().fillRandom(distribution, generator.seed(), start, 0, 0, out);
        return out;
    }

    static Tensor randint(Generator generator, long low, long high, Device device, long... shape) {
        if (high <= low || high - low <= 0) {
            throw new IllegalArgumentException("randint: needs low < high and high - low below 2^63, got ["
                    + low + ", " + high + ")");
        }
        Tensor out = Tensor.empty(DType.I64, device, shape);
        long start = generator.reserve(Generator.Distribution.INTEGERS, out.numel());
        device.backend().fillRandom(Generator.Distribution.INTEGERS, generator.seed(), start, low, high, out);
        return out;
    }

    /** Copies a Java array ({@code float[]}, {@code double[]}, {@code int[]}, {@code long[]} or {@code boolean[]}) into a new tensor. */
    static Tensor fromArray(Object data, int length, DType dtype, long... shape) {
        long[] target = shape.length == 0 ? new long[] {length} : Shape.checked("of", shape);
        if (Shape.numel(target) != length) {
            throw new IllegalArgumentException("of: " + length + " values do not fill shape " + Shape.str(target)
                    + " (" + Shape.numel(target) + " elements)");
        }
        Tensor out = Tensor.empty(dtype, Device.cpu(), target);
        MemorySegment segment = out.storage().segment();
        switch (data) {
            case float[] a -> MemorySegment.copy(a, 0, segment, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, length);
            case double[] a -> MemorySegment.copy(a, 0, segment, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, length);
            case int[] a -> MemorySegment.copy(a, 0, segment, ValueLayout.JAVA_INT_UNALIGNED, 0, length);
            case long[] a -> MemorySegment.copy(a, 0, segment, ValueLayout.JAVA_LONG_UNALIGNED, 0, length);
            case boolean[] a -> {
                for (int i = 0; i < length; i++) {
                    segment.set(ValueLayout.JAVA_BYTE, i, (byte) (a[i] ? 1 : 0));
                }
            }
            default -> throw new IllegalArgumentException("of: unsupported array type " + data.getClass().getSimpleName());
        }
        return out;
    }

    static Tensor fromRows(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new IllegalArgumentException("of: row " + r + " has " + rows[r].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[r], 0, flat, r * cols, cols);
        }
        return fromArray(flat, flat.length, DType.F32, rows.length, cols);
    }
}
