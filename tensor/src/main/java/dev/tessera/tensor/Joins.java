package dev.tessera.tensor;

import java.util.ArrayList;
import java.util.List;

/** Joining tensors along a dim (cat, stack) and splitting one into views (split, chunk). */
final class Joins {
    private Joins() {}

    static List<Tensor> split(Tensor x, long size, int dim) {
        int d = Shape.dim("split", dim, x.shape());
        if (size <= 0) {
            throw new IllegalArgumentException("split: size must be positive, got " + size);
        }
        long n = x.shape()[d];
        List<Tensor> parts = new ArrayList<>();
        for (long start = 0; start < n; start += size) {
            parts.add(x.narrow(d, start, Math.min(size, n - start)));
        }
        if (parts.isEmpty()) {
            parts.add(x);
        }
        return parts;
    }

    static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        int d = Shape.dim("chunk", dim, x.shape());
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
        }
        long n = x.shape()[d];
        return split(x, Math.max(1, (n + chunks - 1) / chunks), d);
    }
}
