package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * How a gradient-check input sits in memory. The non-contiguous layouts hand the op (and so its
 * derivative rule) strided inputs, as real graphs do after a transpose or a slice.
 */
enum GradLayout {
    /** Row-major, offset 0. */
    CONTIGUOUS,
    /** The last two dims swapped in memory and swapped back by a transpose view. */
    TRANSPOSED,
    /** Every other element along the last dim of a larger tensor whose gaps hold NaN. */
    SLICED;

    /** The layout a tensor of this shape can have: a vector cannot be transposed, a scalar not sliced. */
    GradLayout effectiveFor(long[] shape) {
        return switch (this) {
            case CONTIGUOUS -> CONTIGUOUS;
            case TRANSPOSED -> shape.length >= 2 ? TRANSPOSED : SLICED.effectiveFor(shape);
            case SLICED -> shape.length >= 1 ? SLICED : CONTIGUOUS;
        };
    }

    /** A tensor of {@code shape} showing {@code values} (row-major) in this layout, in {@code dtype} on {@code device}. */
    Tensor build(double[] values, long[] shape, DType dtype, Device device) {
        return switch (effectiveFor(shape)) {
            case CONTIGUOUS -> place(values, shape, dtype, device);
            case TRANSPOSED -> {
                int rank = shape.length;
                Tensor swapped = place(values, shape, dtype, device).transpose(rank - 2, rank - 1).contiguous();
                yield swapped.transpose(rank - 2, rank - 1);
            }
            case SLICED -> {
                int last = shape.length - 1;
                long width = shape[last];
                long[] wide = shape.clone();
                wide[last] = 2 * width + 1;
                double[] physical = new double[Math.toIntExact(numel(wide))];
                Arrays.fill(physical, Double.NaN);
                for (int q = 0; q < values.length; q++) {
                    long row = q / width;
                    long column = q % width;
                    physical[Math.toIntExact(row * (2 * width + 1) + 2 * column + 1)] = values[q];
                }
                yield place(physical, wide, dtype, device).slice(last, 1, 2 * width + 1, 2);
            }
        };
    }

    /** A contiguous tensor of any rank (0 included) over a copy of {@code values}. */
    static Tensor place(double[] values, long[] shape, DType dtype, Device device) {
        return Tensor.of(values).view(shape).to(dtype).to(device);
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long size : shape) {
            n *= size;
        }
        return n;
    }
}
