package dev.tessera.tests.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A plain n-d array, the oracle for view tests: row-major data and each view op written as the
 * index map it means ("element idx of the result is element f(idx) of the input"), with no
 * strides anywhere. Every op builds a new array, so nothing here can share a bug with the
 * stride arithmetic it checks.
 */
record NdModel(int[] shape, double[] data) {
    /** The array of this shape whose element at row-major position i is i. */
    static NdModel positions(int[] shape) {
        double[] data = new double[numel(shape)];
        Arrays.setAll(data, i -> i);
        return new NdModel(shape, data);
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    int rank() {
        return shape.length;
    }

    long[] longShape() {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    double get(int[] index) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + index[d];
        }
        return data[flat];
    }

    /** Every index of a shape, in row-major order. */
    static List<int[]> indices(int[] shape) {
        List<int[]> all = new ArrayList<>();
        if (numel(shape) == 0) {
            return all;
        }
        int[] index = new int[shape.length];
        while (true) {
            all.add(index.clone());
            int d = shape.length - 1;
            while (d >= 0 && ++index[d] == shape[d]) {
                index[d] = 0;
                d--;
            }
            if (d < 0) {
                return all;
            }
        }
    }

    static NdModel build(int[] shape, ToDoubleFunction<int[]> element) {
        List<int[]> all = indices(shape);
        double[] data = new double[all.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = element.applyAsDouble(all.get(i));
        }
        return new NdModel(shape, data);
    }

    /** Dim i of the result is dim perm[i] of this one (perm already normalised to 0..rank-1). */
    NdModel permute(int[] perm) {
        int[] newShape = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            newShape[i] = shape[perm[i]];
        }
        return build(newShape, idx -> {
            int[] src = new int[perm.length];
            for (int i = 0; i < perm.length; i++) {
                src[perm[i]] = idx[i];
            }
            return get(src);
        });
    }

    NdModel transpose(int a, int b) {
        int[] perm = new int[shape.length];
        Arrays.setAll(perm, i -> i);
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** Keeps the positions {@code picked} (in that order) along {@code dim}. */
    NdModel pick(int dim, List<Integer> picked) {
        int[] newShape = shape.clone();
        newShape[dim] = picked.size();
        return build(newShape, idx -> {
            int[] src = idx.clone();
            src[dim] = picked.get(idx[dim]);
            return get(src);
        });
    }

    /** Python's {@code x[start:stop:step]} along {@code dim}, written as Python defines it. */
    NdModel slice(int dim, long start, long stop, long step) {
        long n = shape[dim];
        long from = start < 0 ? Math.max(start + n, 0) : Math.min(start, n);
        long to = stop < 0 ? Math.max(stop + n, 0) : Math.min(stop, n);
        List<Integer> picked = new ArrayList<>();
        for (long i = from; i < to; i += step) {
            picked.add((int) i);
        }
        return pick(dim, picked);
    }

    NdModel narrow(int dim, int start, int length) {
        List<Integer> picked = new ArrayList<>();
        for (int i = start; i < start + length; i++) {
            picked.add(i);
        }
        return pick(dim, picked);
    }

    NdModel select(int dim, int index) {
        return build(without(shape, dim), idx -> get(with(idx, dim, index)));
    }

    /** NumPy broadcasting to {@code sizes}: new dims on the left, size-1 dims repeat. */
    NdModel expand(int[] sizes) {
        int lead = sizes.length - shape.length;
        return build(sizes, idx -> {
            int[] src = new int[shape.length];
            for (int d = 0; d < shape.length; d++) {
                src[d] = shape[d] == 1 ? 0 : idx[d + lead];
            }
            return get(src);
        });
    }

    NdModel squeezeAll() {
        int[] newShape = Arrays.stream(shape).filter(s -> s != 1).toArray();
        return new NdModel(newShape, data);
    }

    NdModel squeeze(int dim) {
        return shape[dim] == 1 ? new NdModel(without(shape, dim), data) : this;
    }

    NdModel unsqueeze(int dim) {
        return new NdModel(with(shape, dim, 1), data);
    }

    /** Same elements in the same row-major order, another shape. */
    NdModel reshape(int[] newShape) {
        return new NdModel(newShape, data);
    }

    static int[] without(int[] array, int at) {
        int[] out = new int[array.length - 1];
        for (int i = 0, j = 0; i < array.length; i++) {
            if (i != at) {
                out[j++] = array[i];
            }
        }
        return out;
    }

    static int[] with(int[] array, int at, int value) {
        int[] out = new int[array.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) {
            out[i] = i == at ? value : array[j++];
        }
        return out;
    }

    @Override
    public String toString() {
        return "NdModel" + Arrays.toString(shape);
    }
}
