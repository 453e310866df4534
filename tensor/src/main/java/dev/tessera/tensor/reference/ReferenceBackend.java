package dev.tessera.tensor.reference;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The oracle every other backend is compared against: each primitive op as plain loops over
 * coordinates, written to be obviously right and never optimised.
 *
 * <p>Numerics: float values are read as doubles, every sum and product is accumulated in double,
 * and each output element is rounded once to its dtype by {@link dev.tessera.tensor.DType#write}.
 * Integer and BOOL values travel as longs and are computed exactly (I64 beyond 2^53 included),
 * wrapping on overflow as two's complement does. Unary ops that PyTorch keeps integral (neg, abs,
 * square, relu) run in long on integer tensors; any other op that reaches an integer tensor is
 * computed in double and truncated by the write. Integer division truncates toward zero and throws
 * {@link ArithmeticException} for a zero divisor; integer pow follows PyTorch for negative exponents.
 *
 * <p>Where the {@link Backend} javadoc leaves a choice, this backend follows PyTorch: NaN
 * propagates through maximum, minimum, clamp, MAX and MIN; softmax and log_softmax of a row that
 * is all -infinity (or holds +infinity or NaN) give NaN; argmax and argmin both pick the first NaN;
 * index values out of range throw {@link IllegalArgumentException} (negative indices are not
 * wrapped). scatterAdd and indexAdd add in increasing order of src's row-major index, rounding to
 * the output dtype after every addition.
 */
public final class ReferenceBackend implements Backend {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public void fill(Tensor out, double value) {
        Elements o = new Elements(out);
        for (long i = 0; i < o.numel(); i++) {
            o.set(o.coords(i), value);
        }
    }

    @Override
    public void copy(Tensor x, Tensor out) {
        Elements in = new Elements(x);
        Elements o = new Elements(out);
        for (long i = 0; i < o.numel(); i++) {
            long[] c = o.coords(i);
            o.setFrom(c, in, c);
        }
    }

    @Override
    public void unary(Op op, Tensor x, Tensor out) {
        Elements in = new Elements(x);
        Elements o = new Elements(out);
        boolean exact = !o.isFloating() && UnaryMath.keepsIntegers(op);
        for (long i = 0; i < o.numel(); i++) {
            long[] c = o.coords(i);
            if (exact) {
                o.setLong(c, UnaryMath.apply(op, in.getLong(c)));
            } else {
                o.set(c, UnaryMath.apply(op, in.get(c)));
            }
        }
    }

    @Override
    public void binary(Op op, Tensor a, Tensor b, Tensor out) {
        Elements ea = new Elements(a);
        Elements eb = new Elements(b);
        Elements o = new Elements(out);
        boolean comparison = op.group() == Op.Group.COMPARISON;
        boolean exact = comparison ? !ea.isFloating() && !eb.isFloating() : !o.isFloating();
        for (long i = 0; i < o.numel(); i++) {
            long[] c = o.coords(i);
            if (comparison) {
                boolean holds = exact
                        ? BinaryMath.compare(op, ea.getLong(c), eb.getLong(c))
                        : BinaryMath.compare(op, ea.get(c), eb.get(c));
                o.setLong(c, holds ? 1 : 0);
            } else if (exact) {
                o.setLong(c, BinaryMath.apply(op, ea.getLong(c), eb.getLong(c)));
            } else {
                o.set(c, BinaryMath.apply(op, ea.get(c), eb.get(c)));
            }
        }
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Elements ec = new Elements(cond);
        Elements ea = new Elements(a);
        Elements eb = new Elements(b);
        Elements o = new Elements(out);
        for (long i = 0; i < o.numel(); i++) {
            long[] c = o.coords(i);
            o.setFrom(c, ec.getLong(c) != 0 ? ea : eb, c);
        }
    }

    /** Integer tensors compare exactly: their bounds round inward, to ceil(lo) and floor(hi). */
    @Override
    public void clamp(Tensor x, double lo, double hi, Tensor out) {
        Elements in = new Elements(x);
        Elements o = new Elements(out);
        long loInteger = (long) Math.ceil(lo); // the casts saturate, so infinite bounds stay unbounding
        long hiInteger = (long) Math.floor(hi);
        for (long i = 0; i < o.numel(); i++) {
            long[] c = o.coords(i);
            if (o.isFloating()) {
                o.set(c, Math.min(Math.max(in.get(c), lo), hi)); // Math.max and Math.min keep NaN
            } else {
                o.setLong(c, Math.min(Math.max(in.getLong(c), loInteger), hiInteger));
            }
        }
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public void reduce(Op op, Tensor x, Tensor out) {
        Reductions.reduce(op, new Elements(x), new Elements(out), out.shape());
    }

    @Override
    public void argReduce(Op op, Tensor x, int dim, Tensor out) {
        if (op != Op.ARGMAX && op != Op.ARGMIN) {
            throw new IllegalArgumentException("argReduce: " + op.opName() + " is not argmax or argmin");
        }
        Elements in = new Elements(x);
        Elements o = new Elements(out);
        long length = in.size(dim);
        if (length == 0 && o.numel() > 0) {
            throw new IllegalArgumentException(op.opName() + ": cannot reduce dim " + dim + " of size 0 (shape "
                    + Shape.str(x.shape()) + ")");
        }
        for (long i = 0; i < o.numel(); i++) {
            long[] line = o.coords(i);
            long best = 0;
            for (long j = 1; j < length; j++) {
                if (beats(op, in, Elements.with(line, dim, j), Elements.with(line, dim, best))) {
                    best = j;
                }
            }
            o.setLong(line, best);
        }
    }

    /** Whether the element at {@code c} strictly beats the best so far; a NaN beats every number and no later NaN beats it. */
    private static boolean beats(Op op, Elements in, long[] c, long[] best) {
        if (!in.isFloating()) {
            long v = in.getLong(c);
            long b = in.getLong(best);
            return op == Op.ARGMAX ? v > b : v < b;
        }
        double v = in.get(c);
        double b = in.get(best);
        if (Double.isNaN(b) || Double.isNaN(v)) {
            return !Double.isNaN(b);
        }
        return op == Op.ARGMAX ? v > b : v < b;
    }

    // ---------------------------------------------------------------- along one dim

    @Override
    public void softmax(Op op, Tensor x, int dim, Tensor out) {
        if (op != Op.SOFTMAX && op != Op.LOG_SOFTMAX) {
            throw new IllegalArgumentException("softmax: " + op.opName() + " is not softmax or log_softmax");
        }
        Elements in = new Elements(x);
        Elements o = new Elements(out);
        long length = in.size(dim);
        long[] lineShape = lineShape(x, dim);
        for (long i = 0; i < Shape.numel(lineShape); i++) {
            long[] line = Elements.coords(lineShape, i);
            double max = Double.NEGATIVE_INFINITY;
            for (long j = 0; j < length; j++) {
                max = Math.max(max, in.get(Elements.with(line, dim, j)));
            }
            double sum = 0;
            for (long j = 0; j < length; j++) {
                sum += Math.exp(in.get(Elements.with(line, dim, j)) - max);
            }
            for (long j = 0; j < length; j++) {
                long[] c = Elements.with(line, dim, j);
                double shifted = in.get(c) - max;
                o.set(c, op == Op.SOFTMAX ? Math.exp(shifted) / sum : shifted - Math.log(sum));
            }
        }
    }

    @Override
    public void cumsum(Tensor x, int dim, Tensor out) {
        Elements in = new Elements(x);
        Elements o = new Elements(out);
        long length = in.size(dim);
        long[] lineShape = lineShape(x, dim);
        for (long i = 0; i < Shape.numel(lineShape); i++) {
            long[] line = Elements.coords(lineShape, i);
            double sum = 0;
            long exactSum = 0;
            for (long j = 0; j < length; j++) {
                long[] c = Elements.with(line, dim, j);
                if (in.isFloating()) {
                    sum += in.get(c);
                    o.set(c, sum);
                } else {
                    exactSum += in.getLong(c);
                    o.setLong(c, exactSum);
                }
            }
        }
    }

    @Override
    public void topk(Tensor x, int dim, int k, boolean largest, Tensor values, Tensor indices) {
        Elements in = new Elements(x);
        Elements ov = new Elements(values);
        Elements oi = new Elements(indices);
        long[] lineShape = lineShape(x, dim);
        for (long i = 0; i < Shape.numel(lineShape); i++) {
            long[] line = Elements.coords(lineShape, i);
            Comparator<Long> ascending = (p, q) -> compareForSort(in, Elements.with(line, dim, p), Elements.with(line, dim, q));
            Long[] order = new Long[Math.toIntExact(in.size(dim))];
            Arrays.setAll(order, j -> (long) j);
            Arrays.sort(order, largest ? ascending.reversed() : ascending); // stable: equal values keep index order
            for (int rank = 0; rank < k; rank++) {
                long[] to = Elements.with(line, dim, rank);
                ov.setFrom(to, in, Elements.with(line, dim, order[rank]));
                oi.setLong(to, order[rank]);
            }
        }
    }

    /** Ascending order with NaN above every number; -0.0 and 0.0 are equal (they tie, as in PyTorch). */
    private static int compareForSort(Elements in, long[] p, long[] q) {
        if (!in.isFloating()) {
            return Long.compare(in.getLong(p), in.getLong(q));
        }
        double a = in.get(p);
        double b = in.get(q);
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Boolean.compare(Double.isNaN(a), Double.isNaN(b));
        }
        return a < b ? -1 : a > b ? 1 : 0;
    }

    /** x's shape with {@code dim} set to 1: one entry per line along {@code dim}. */
    private static long[] lineShape(Tensor x, int dim) {
        long[] shape = x.shape();
        shape[dim] = 1;
        return shape;
    }

    // ---------------------------------------------------------------- matmul

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        Elements ea = new Elements(a);
        Elements eb = new Elements(b);
        Elements o = new Elements(out);
        int rows = out.rank() - 2;
        int cols = out.rank() - 1;
        long depth = ea.size(cols);
        for (long i = 0; i < o.numel(); i++) {
            long[] c = o.coords(i);
            // a[..., m, p] and b[..., p, n] share out[..., m, n]'s batch coordinates.
            long[] ac = c.clone();
            long[] bc = c.clone();
            double sum = 0;
            long exactSum = 0;
            for (long p = 0; p < depth; p++) {
                ac[cols] = p;
                bc[rows] = p;
                if (o.isFloating()) {
                    sum += ea.get(ac) * eb.get(bc);
                } else {
                    exactSum += ea.getLong(ac) * eb.getLong(bc);
                }
            }
            if (o.isFloating()) {
                o.set(c, sum);
            } else {
                o.setLong(c, exactSum);
            }
        }
    }

    // ---------------------------------------------------------------- indexing

    @Override
    public void gather(Tensor x, int dim, Tensor index, Tensor out) {
        Elements in = new Elements(x);
        Elements ei = new Elements(index);
        Elements o = new Elements(out);
        checkIndices(Op.GATHER, ei, dim, in.size(dim));
        for (long i = 0; i < o.numel(); i++) {
            long[] c = o.coords(i);
            o.setFrom(c, in, Elements.with(c, dim, ei.getLong(c)));
        }
    }

    @Override
    public void scatterAdd(Tensor src, int dim, Tensor index, Tensor out) {
        Elements es = new Elements(src);
        Elements ei = new Elements(index);
        Elements o = new Elements(out);
        checkIndices(Op.SCATTER_ADD, ei, dim, o.size(dim));
        for (long i = 0; i < ei.numel(); i++) {
            long[] c = ei.coords(i);
            addInto(o, Elements.with(c, dim, ei.getLong(c)), es, c);
        }
    }

    @Override
    public void indexSelect(Tensor x, int dim, Tensor index, Tensor out) {
        Elements in = new Elements(x);
        Elements ei = new Elements(index);
        Elements o = new Elements(out);
        checkIndices(Op.INDEX_SELECT, ei, dim, in.size(dim));
        for (long i = 0; i < o.numel(); i++) {
            long[] c = o.coords(i);
            long picked = ei.getLong(ei.coords(c[dim]));
            o.setFrom(c, in, Elements.with(c, dim, picked));
        }
    }

    @Override
    public void indexAdd(Tensor src, int dim, Tensor index, Tensor out) {
        Elements es = new Elements(src);
        Elements ei = new Elements(index);
        Elements o = new Elements(out);
        checkIndices(Op.INDEX_ADD, ei, dim, o.size(dim));
        for (long i = 0; i < es.numel(); i++) {
            long[] c = es.coords(i);
            long target = ei.getLong(ei.coords(c[dim]));
            addInto(o, Elements.with(c, dim, target), es, c);
        }
    }

    /** {@code dst[to] += src[from]}, rounded to dst's dtype; exact in long for integer dtypes. */
    private static void addInto(Elements dst, long[] to, Elements src, long[] from) {
        if (dst.isFloating()) {
            dst.set(to, dst.get(to) + src.get(from));
        } else {
            dst.setLong(to, dst.getLong(to) + src.getLong(from));
        }
    }

    /**
     * Checks every index value before anything is written, so a bad index leaves the output untouched.
     *
     * @throws IllegalArgumentException naming the op, the index value, the dim and its size
     */
    private static void checkIndices(Op op, Elements index, int dim, long size) {
        for (long i = 0; i < index.numel(); i++) {
            long value = index.getLong(index.coords(i));
            if (value < 0 || value >= size) {
                throw new IllegalArgumentException(op.opName() + ": index " + value + " is out of range for dim "
                        + dim + " of size " + size);
            }
        }
    }

    // ---------------------------------------------------------------- cross-entropy

    @Override
    public void crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, Tensor loss, Tensor lse) {
        Elements x = new Elements(logits);
        Elements t = new Elements(targets);
        Elements outLoss = new Elements(loss);
        Elements outLse = new Elements(lse);
        long classes = x.size(1);
        for (long n = 0; n < x.size(0); n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (long c = 0; c < classes; c++) {
                max = Math.max(max, x.get(new long[] {n, c}));
            }
            double sum = 0;
            for (long c = 0; c < classes; c++) {
                sum += Math.exp(x.get(new long[] {n, c}) - max);
            }
            // A row of -infinity only (or no classes) has nothing to shift by: its log-sum is -infinity.
            double logSum = max == Double.NEGATIVE_INFINITY ? max : max + Math.log(sum);
            long target = t.getLong(new long[] {n});
            long[] at = {n};
            outLse.set(at, logSum);
            outLoss.set(at, target == ignoreIndex ? 0 : logSum - x.get(new long[] {n, target}));
        }
    }

    @Override
    public void crossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignoreIndex,
            Tensor gradLogits) {
        Elements g = new Elements(gradLoss);
        Elements x = new Elements(logits);
        Elements t = new Elements(targets);
        Elements l = new Elements(lse);
        Elements out = new Elements(gradLogits);
        for (long n = 0; n < x.size(0); n++) {
            long[] row = {n};
            long target = t.getLong(row);
            boolean ignored = target == ignoreIndex;
            for (long c = 0; c < x.size(1); c++) {
                long[] at = {n, c};
                double p = Math.exp(x.get(at) - l.get(row));
                out.set(at, ignored ? 0 : g.get(row) * (p - (c == target ? 1 : 0)));
            }
        }
    }

    // ---------------------------------------------------------------- fused nn ops

    /** r from a double mean square; y = w (x r) in double, rounded once. F32 rows cannot overflow in double. */
    @Override
    public void rmsNorm(Tensor x, Tensor weight, double eps, Tensor out, Tensor rstd) {
        Elements in = new Elements(x);
        Elements w = new Elements(weight);
        Elements o = new Elements(out);
        Elements r = new Elements(rstd);
        int last = x.rank() - 1;
        long n = in.size(last);
        long[] rowShape = rstd.shape();
        for (long row = 0; row < Shape.numel(rowShape); row++) {
            long[] c = Elements.coords(rowShape, row);
            long[] at = Arrays.copyOf(c, last + 1);
            double squares = 0;
            for (long j = 0; j < n; j++) {
                at[last] = j;
                double v = in.get(at);
                squares += v * v;
            }
            double rs = 1 / Math.sqrt(squares / n + eps);
            r.set(c, rs);
            for (long j = 0; j < n; j++) {
                at[last] = j;
                o.set(at, w.get(new long[] {j}) * (in.get(at) * rs));
            }
        }
    }

    /** Both gradients in double from the saved r; gradWeight summed over the rows in row order. */
    @Override
    public void rmsNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd, Tensor gradX, Tensor gradWeight) {
        Elements dy = new Elements(gradOut);
        Elements in = new Elements(x);
        Elements w = new Elements(weight);
        Elements r = new Elements(rstd);
        Elements dx = new Elements(gradX);
        int last = x.rank() - 1;
        int n = Math.toIntExact(in.size(last));
        double[] dw = new double[n];
        long[] rowShape = rstd.shape();
        for (long row = 0; row < Shape.numel(rowShape); row++) {
            long[] c = Elements.coords(rowShape, row);
            long[] at = Arrays.copyOf(c, last + 1);
            double rs = r.get(c);
            double dot = 0;
            for (int j = 0; j < n; j++) {
                at[last] = j;
                double xhat = in.get(at) * rs;
                double gy = dy.get(at);
                dot += gy * w.get(new long[] {j}) * xhat;
                dw[j] += gy * xhat;
            }
            double meanDot = dot / n;
            for (int j = 0; j < n; j++) {
                at[last] = j;
                double g = dy.get(at) * w.get(new long[] {j});
                dx.set(at, rs * (g - in.get(at) * rs * meanDot));
            }
        }
        Elements gw = new Elements(gradWeight);
        for (int j = 0; j < n; j++) {
            gw.set(new long[] {j}, dw[j]);
        }
    }

    // ---------------------------------------------------------------- attention

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal, Tensor out, Tensor lse) {
        AttentionReference.forward(q, k, v, mask, scale, causal, out, lse);
    }

    @Override
    public void attentionBackward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse,
            double scale, boolean causal, Tensor gradQ, Tensor gradK, Tensor gradV) {
        AttentionReference.backward(gradOut, q, k, v, mask, out, lse, scale, causal, gradQ, gradK, gradV);
    }

    // ---------------------------------------------------------------- MoE dispatch

    @Override
    public void moePlan(Tensor expertIds, long capacity, Tensor counts, Tensor order, Tensor position) {
        MoeReference.plan(expertIds, capacity, counts, order, position);
    }

    @Override
    public void moePermute(Tensor x, Tensor order, int topK, Tensor out) {
        MoeReference.permute(x, order, topK, out);
    }

    @Override
    public void moeUnpermute(Tensor yp, Tensor position, Tensor weights, Tensor out) {
        MoeReference.unpermute(yp, position, weights, out);
    }

    @Override
    public void moeUnpermuteBackward(Tensor gradOut, Tensor yp, Tensor order, Tensor position, Tensor weights,
            Tensor gradYp, Tensor gradWeights) {
        MoeReference.unpermuteBackward(gradOut, yp, order, position, weights, gradYp, gradWeights);
    }

    @Override
    public void groupedMatmul(Tensor x, Tensor counts, Tensor[] weights, Tensor out) {
        MoeReference.groupedMatmul(x, counts, weights, out);
    }

    @Override
    public void groupedMatmulWeightGrad(Tensor gradOut, Tensor x, Tensor counts, Tensor[] gradWeights) {
        MoeReference.groupedMatmulWeightGrad(gradOut, x, counts, gradWeights);
    }
}
