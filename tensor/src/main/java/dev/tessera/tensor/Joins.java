package dev.tessera.tensor;

import java.util.ArrayList;
import java.util.Arrays;
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

    static Tensor cat(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("cat: needs at least one tensor");
        }
        Tensor first = parts.get(0);
        int d = Shape.dim("cat", dim, first.shape());
        long total = 0;
        for (int i = 0; i < parts.size(); i++) {
            Tensor t = parts.get(i);
            Checks.sameDevice("cat", first, t);
            Checks.sameDtype("cat", first, t);
            long[] expected = first.shape();
            expected[d] = t.rank() == first.rank() ? t.shape()[d] : -1;
            if (!Arrays.equals(expected, t.shape())) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.str(t.shape())
                        + ", tensor 0 has " + Shape.str(first.shape()) + "; all sizes but dim " + d + " must match");
            }
            total += t.shape()[d];
        }
        long[] shape = first.shape();
        shape[d] = total;
        Tensor out = first.emptyLike(first.dtype(), shape);
        long at = 0;
        for (Tensor t : parts) {
            long size = t.shape()[d];
            first.device().backend().copy(t, out.narrow(d, at, size));
            at += size;
        }
        return Recording.record(Op.CAT, new OpArgs.Dim(d), out, parts.toArray(Tensor[]::new));
    }

    static Tensor stack(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one tensor");
        }
        long[] shape = parts.get(0).shape();
        int d = Shape.newDim("stack", dim, shape);
        List<Tensor> unsqueezed = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Tensor t = parts.get(i);
            Checks.sameDevice("stack", parts.get(0), t);
            Checks.sameDtype("stack", parts.get(0), t);
            if (!Arrays.equals(shape, t.shape())) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.str(t.shape())
                        + ", tensor 0 has " + Shape.str(shape) + "; all must match");
            }
            unsqueezed.add(t.unsqueeze(d));
        }
        return cat(unsqueezed, d);
    }
}
