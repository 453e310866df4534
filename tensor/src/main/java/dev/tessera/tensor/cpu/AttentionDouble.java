package dev.tessera.tensor.cpu;

import dev.tessera.tensor.Tensor;

/**
 * Attention and its gradient for F64 inputs, in double throughout, one row at a time: F64 is the
 * checking dtype, so this path favours plain loops over blocking. The forward and dQ work per query
 * row (a scores row of Nk doubles per thread); dK and dV work per key, summing over the rows of
 * every query head that shares the kv head in a fixed order. Memory: O(Nk) per thread plus the
 * O(Nq) row sums D = rowsum(dO * O); never Nq x Nk.
 */
final class AttentionDouble {
    /** Multiply-adds a chunk of rows should hold at least, so that small problems run on one thread. */
    private static final long GRAIN = 1 << 16;

    private AttentionDouble() {}

    /** The inputs of one call, and the score of query row r against key c. */
    private record Problem(AttentionShape shape, AttentionOperand q, AttentionOperand k, AttentionOperand v,
            AttentionOperand mask, double scale) {
        /** Scale q.k plus the mask, or -infinity where the causal mask hides key c from row r. */
        double score(int b, int h, long r, long c, double[] qRow, double[] kRow, double maskValue) {
            if (shape.causal() && c > r + shape.shift()) {
                return Double.NEGATIVE_INFINITY;
            }
            k.rowToDoubles(b, shape.kvHead(h), c, shape.headDim(), kRow);
            return scale * dot(qRow, kRow, shape.headDim()) + maskValue;
        }

        long grain(long perItem) {
            return Math.max(1, GRAIN / Math.max(1, perItem));
        }
    }

    static void forward(AttentionShape shape, Tensor q, Tensor k, Tensor v, Tensor mask, double scale, Tensor out, Tensor lse) {
        Problem p = new Problem(shape, AttentionOperand.of(q), AttentionOperand.of(k), AttentionOperand.of(v),
                AttentionOperand.of(mask), scale);
        AttentionOperand os = AttentionOperand.of(out);
        AttentionOperand ls = AttentionOperand.ofRowStatistics(lse);
        int keys = Math.toIntExact(shape.keys());
        long rows = (long) shape.batch() * shape.heads() * shape.queries();
        Parallel.forRange(rows, p.grain(shape.keys() * (shape.headDim() + shape.valueDim())), (start, end) -> {
            double[] qRow = Scratch.newDoubles(shape.headDim());
            double[] kRow = Scratch.newDoubles(shape.headDim());
            double[] vRow = Scratch.newDoubles(shape.valueDim());
            double[] maskRow = Scratch.newDoubles(keys);
            double[] scores = Scratch.newDoubles(keys);
            double[] acc = Scratch.newDoubles(shape.valueDim());
            double[] one = Scratch.newDoubles(1);
            for (long row = start; row < end; row++) {
                int bh = (int) (row / shape.queries());
                int b = bh / shape.heads();
                int h = bh % shape.heads();
                long r = row % shape.queries();
                p.q.rowToDoubles(b, h, r, shape.headDim(), qRow);
                if (p.mask != null) {
                    p.mask.rowToDoubles(b, h, r, keys, maskRow);
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < keys; c++) {
                    scores[c] = p.score(b, h, r, c, qRow, kRow, p.mask == null ? 0 : maskRow[c]);
                    max = Math.max(max, scores[c]);
                }
                java.util.Arrays.fill(acc, 0);
                double sum = 0;
                for (int c = 0; max != Double.NEGATIVE_INFINITY && c < keys; c++) {
                    double e = Math.exp(scores[c] - max);
                    if (e != 0) {
                        sum += e;
                        p.v.rowToDoubles(b, shape.kvHead(h), c, shape.valueDim(), vRow);
                        for (int d = 0; d < acc.length; d++) {
                            acc[d] += e * vRow[d];
                        }
                    }
                }
                boolean empty = sum == 0;
                for (int d = 0; d < acc.length; d++) {
                    acc[d] = empty ? 0 : acc[d] / sum;
                }
                one[0] = empty ? Double.POSITIVE_INFINITY : max + Math.log(sum);
                os.writeRowDoubles(b, h, r, acc.length, acc);
                ls.writeRowDoubles(b, h, r, 1, one);
            }
        });
    }

    static void backward(AttentionShape shape, Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out,
            Tensor lse, double scale, Tensor gradQ, Tensor gradK, Tensor gradV) {
        Problem p = new Problem(shape, AttentionOperand.of(q), AttentionOperand.of(k), AttentionOperand.of(v),
                AttentionOperand.of(mask), scale);
        AttentionOperand dO = AttentionOperand.of(gradOut);
        AttentionOperand ls = AttentionOperand.ofRowStatistics(lse);
        double[] delta = rowDots(shape, dO, AttentionOperand.of(out));
        gradQ(p, dO, ls, delta, AttentionOperand.of(gradQ));
        gradKV(p, dO, ls, delta, AttentionOperand.of(gradK), AttentionOperand.of(gradV));
    }

    /** D = rowsum(dO * O) per (b, h, r), in (b, h, r) order. */
    private static double[] rowDots(AttentionShape shape, AttentionOperand dO, AttentionOperand out) {
        long rows = (long) shape.batch() * shape.heads() * shape.queries();
        double[] delta = Scratch.newDoubles(Math.toIntExact(rows));
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, shape.valueDim())), (start, end) -> {
            double[] a = Scratch.newDoubles(shape.valueDim());
            double[] o = Scratch.newDoubles(shape.valueDim());
            for (long row = start; row < end; row++) {
                int bh = (int) (row / shape.queries());
                long r = row % shape.queries();
                dO.rowToDoubles(bh / shape.heads(), bh % shape.heads(), r, a.length, a);
                out.rowToDoubles(bh / shape.heads(), bh % shape.heads(), r, o.length, o);
                delta[(int) row] = dot(a, o, a.length);
            }
        });
        return delta;
    }

    /** dQ_r = scale sum_c p_rc (dO_r . v_c - D_r) k_c, one query row per item. */
    private static void gradQ(Problem p, AttentionOperand dO, AttentionOperand lse, double[] delta, AttentionOperand gradQ) {
        AttentionShape shape = p.shape;
        int keys = Math.toIntExact(shape.keys());
        long rows = (long) shape.batch() * shape.heads() * shape.queries();
        Parallel.forRange(rows, p.grain(shape.keys() * (shape.headDim() + shape.valueDim())), (start, end) -> {
            double[] qRow = Scratch.newDoubles(shape.headDim());
            double[] kRow = Scratch.newDoubles(shape.headDim());
            double[] vRow = Scratch.newDoubles(shape.valueDim());
            double[] gRow = Scratch.newDoubles(shape.valueDim());
            double[] maskRow = Scratch.newDoubles(keys);
            double[] acc = Scratch.newDoubles(shape.headDim());
            double[] one = Scratch.newDoubles(1);
            for (long row = start; row < end; row++) {
                int bh = (int) (row / shape.queries());
                int b = bh / shape.heads();
                int h = bh % shape.heads();
                long r = row % shape.queries();
                p.q.rowToDoubles(b, h, r, shape.headDim(), qRow);
                dO.rowToDoubles(b, h, r, shape.valueDim(), gRow);
                lse.rowToDoubles(b, h, r, 1, one);
                if (p.mask != null) {
                    p.mask.rowToDoubles(b, h, r, keys, maskRow);
                }
                java.util.Arrays.fill(acc, 0);
                for (int c = 0; c < keys; c++) {
                    double prob = Math.exp(p.score(b, h, r, c, qRow, kRow, p.mask == null ? 0 : maskRow[c]) - one[0]);
                    if (prob != 0) {
                        p.v.rowToDoubles(b, shape.kvHead(h), c, shape.valueDim(), vRow);
                        double ds = prob * (dot(gRow, vRow, vRow.length) - delta[(int) row]);
                        for (int d = 0; d < acc.length; d++) {
                            acc[d] += ds * kRow[d];
                        }
                    }
                }
                for (int d = 0; d < acc.length; d++) {
                    acc[d] *= p.scale;
                }
                gradQ.writeRowDoubles(b, h, r, acc.length, acc);
            }
        });
    }

    /** dK_c = scale sum_r ds_rc q_r and dV_c = sum_r p_rc dO_r over every row of the group's query heads, one key per item. */
    private static void gradKV(Problem p, AttentionOperand dO, AttentionOperand lse, double[] delta, AttentionOperand gradK,
            AttentionOperand gradV) {
        AttentionShape shape = p.shape;
        long keys = (long) shape.batch() * shape.kvHeads() * shape.keys();
        long perKey = shape.group() * shape.queries() * (shape.headDim() + shape.valueDim());
        Parallel.forRange(keys, p.grain(perKey), (start, end) -> {
            double[] qRow = Scratch.newDoubles(shape.headDim());
            double[] kRow = Scratch.newDoubles(shape.headDim());
            double[] vRow = Scratch.newDoubles(shape.valueDim());
            double[] gRow = Scratch.newDoubles(shape.valueDim());
            double[] dk = Scratch.newDoubles(shape.headDim());
            double[] dv = Scratch.newDoubles(shape.valueDim());
            double[] one = Scratch.newDoubles(1);
            for (long key = start; key < end; key++) {
                int bg = (int) (key / shape.keys());
                int b = bg / shape.kvHeads();
                int g = bg % shape.kvHeads();
                long c = key % shape.keys();
                p.v.rowToDoubles(b, g, c, shape.valueDim(), vRow);
                java.util.Arrays.fill(dk, 0);
                java.util.Arrays.fill(dv, 0);
                long firstRow = shape.causal() ? Math.max(0, c - shape.shift()) : 0;
                for (int h = g * shape.group(); h < (g + 1) * shape.group(); h++) {
                    for (long r = firstRow; r < shape.queries(); r++) {
                        p.q.rowToDoubles(b, h, r, shape.headDim(), qRow);
                        lse.rowToDoubles(b, h, r, 1, one);
                        double maskValue = p.mask == null ? 0 : p.mask.element(b, h, r, c);
                        double prob = Math.exp(p.score(b, h, r, c, qRow, kRow, maskValue) - one[0]);
                        if (prob == 0) {
                            continue;
                        }
                        dO.rowToDoubles(b, h, r, shape.valueDim(), gRow);
                        double ds = prob * (dot(gRow, vRow, vRow.length) - delta[(int) (((long) b * shape.heads() + h) * shape.queries() + r)]);
                        for (int d = 0; d < dk.length; d++) {
                            dk[d] += p.scale * ds * qRow[d];
                        }
                        for (int d = 0; d < dv.length; d++) {
                            dv[d] += prob * gRow[d];
                        }
                    }
                }
                gradK.writeRowDoubles(b, g, c, dk.length, dk);
                gradV.writeRowDoubles(b, g, c, dv.length, dv);
            }
        });
    }

    private static double dot(double[] a, double[] b, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
