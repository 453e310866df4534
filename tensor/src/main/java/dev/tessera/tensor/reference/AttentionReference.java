package dev.tessera.tensor.reference;

import dev.tessera.tensor.Tensor;

/**
 * Attention and its gradient as the plain formulas, one query row at a time in double: the row's
 * scores over every key, their softmax, the weighted sum of values. Memory is O(Nk) per row (and
 * O(Nk x D) for the key and value gradients of one kv head); the Nq x Nk matrix never exists.
 */
final class AttentionReference {
    private AttentionReference() {}

    /** The shared sizes and the row readers of one call. */
    private record Problem(Elements q, Elements k, Elements v, Elements mask, double scale, boolean causal,
            long batch, long heads, long kvHeads, long queries, long keys, long headDim, long valueDim) {
        static Problem of(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal) {
            return new Problem(new Elements(q), new Elements(k), new Elements(v), mask == null ? null : new Elements(mask),
                    scale, causal, q.size(0), q.size(1), k.size(1), q.size(2), k.size(2), q.size(3), v.size(3));
        }

        /** The kv head that query head h reads. */
        long kvHead(long h) {
            return h / (heads / kvHeads);
        }

        /** The scores of query row r of (b, h) against every key: scale q.k + mask, -infinity where causal hides the key. */
        double[] scores(long b, long h, long r) {
            double[] qr = row(q, b, h, r, headDim);
            long g = kvHead(h);
            double[] s = new double[Math.toIntExact(keys)];
            for (long c = 0; c < keys; c++) {
                if (causal && c > r + keys - queries) {
                    s[(int) c] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double[] kc = row(k, b, g, c, headDim);
                double dot = 0;
                for (int d = 0; d < headDim; d++) {
                    dot += qr[d] * kc[d];
                }
                s[(int) c] = scale * dot + (mask == null ? 0 : mask.get(new long[] {b, h, r, c}));
            }
            return s;
        }
    }

    static void forward(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal, Tensor out, Tensor lse) {
        Problem p = Problem.of(q, k, v, mask, scale, causal);
        Elements o = new Elements(out);
        Elements l = new Elements(lse);
        for (long b = 0; b < p.batch; b++) {
            for (long h = 0; h < p.heads; h++) {
                long g = p.kvHead(h);
                for (long r = 0; r < p.queries; r++) {
                    double[] s = p.scores(b, h, r);
                    double max = Double.NEGATIVE_INFINITY;
                    for (double x : s) {
                        max = Math.max(max, x);
                    }
                    double[] acc = new double[Math.toIntExact(p.valueDim)];
                    double sum = 0;
                    if (max != Double.NEGATIVE_INFINITY) {
                        for (long c = 0; c < p.keys; c++) {
                            double e = Math.exp(s[(int) c] - max);
                            sum += e;
                            double[] vc = row(p.v, b, g, c, p.valueDim);
                            for (int d = 0; d < acc.length; d++) {
                                acc[d] += e * vc[d];
                            }
                        }
                    }
                    // A row that sees no key: out 0 and lse +infinity, so that the gradient's exp(s - lse) is 0.
                    boolean empty = sum == 0;
                    for (int d = 0; d < acc.length; d++) {
                        o.set(new long[] {b, h, r, d}, empty ? 0 : acc[d] / sum);
                    }
                    l.set(new long[] {b, h, r}, empty ? Double.POSITIVE_INFINITY : max + Math.log(sum));
                }
            }
        }
    }

    static void backward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse,
            double scale, boolean causal, Tensor gradQ, Tensor gradK, Tensor gradV) {
        Problem p = Problem.of(q, k, v, mask, scale, causal);
        Elements dO = new Elements(gradOut);
        Elements o = new Elements(out);
        Elements l = new Elements(lse);
        Elements dq = new Elements(gradQ);
        Elements dk = new Elements(gradK);
        Elements dv = new Elements(gradV);
        int keys = Math.toIntExact(p.keys);
        int headDim = Math.toIntExact(p.headDim);
        int valueDim = Math.toIntExact(p.valueDim);
        long group = p.kvHeads == 0 ? 0 : p.heads / p.kvHeads;
        for (long b = 0; b < p.batch; b++) {
            for (long g = 0; g < p.kvHeads; g++) {
                double[][] sumK = new double[keys][headDim];
                double[][] sumV = new double[keys][valueDim];
                for (long h = g * group; h < (g + 1) * group; h++) {
                    for (long r = 0; r < p.queries; r++) {
                        double[] s = p.scores(b, h, r);
                        double rowLse = l.get(new long[] {b, h, r});
                        double[] qr = row(p.q, b, h, r, p.headDim);
                        double[] gr = row(dO, b, h, r, p.valueDim);
                        double[] or = row(o, b, h, r, p.valueDim);
                        double delta = 0;
                        for (int d = 0; d < valueDim; d++) {
                            delta += gr[d] * or[d];
                        }
                        double[] gq = new double[headDim];
                        for (int c = 0; c < keys; c++) {
                            double prob = Math.exp(s[c] - rowLse); // 0 when masked or when the row is empty
                            double[] vc = row(p.v, b, g, c, p.valueDim);
                            double[] kc = row(p.k, b, g, c, p.headDim);
                            double dp = 0;
                            for (int d = 0; d < valueDim; d++) {
                                dp += gr[d] * vc[d];
                                sumV[c][d] += prob * gr[d];
                            }
                            double ds = prob * (dp - delta);
                            for (int d = 0; d < headDim; d++) {
                                gq[d] += scale * ds * kc[d];
                                sumK[c][d] += scale * ds * qr[d];
                            }
                        }
                        for (int d = 0; d < headDim; d++) {
                            dq.set(new long[] {b, h, r, d}, gq[d]);
                        }
                    }
                }
                for (int c = 0; c < keys; c++) {
                    for (int d = 0; d < headDim; d++) {
                        dk.set(new long[] {b, g, c, d}, sumK[c][d]);
                    }
                    for (int d = 0; d < valueDim; d++) {
                        dv.set(new long[] {b, g, c, d}, sumV[c][d]);
                    }
                }
            }
        }
    }

    /** Row {@code (b, head, i, :)} of a 4-d tensor, as doubles. */
    private static double[] row(Elements t, long b, long head, long i, long length) {
        double[] values = new double[Math.toIntExact(length)];
        long[] c = {b, head, i, 0};
        for (int d = 0; d < values.length; d++) {
            c[3] = d;
            values[d] = t.get(c);
        }
        return values;
    }
}
