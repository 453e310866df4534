package dev.tessera.tensor.reference;

import dev.tessera.tensor.Tensor;

/**
 * The MoE dispatch ops as plain loops: the plan as one scan of all assignments per expert
 * (O(E T K), obviously a stable sort), the gathers element by element, and the products and dot
 * products summed in double and rounded once.
 */
final class MoeReference {
    private MoeReference() {}

    static void plan(Tensor expertIds, long capacity, Tensor counts, Tensor order, Tensor position) {
        Elements ids = new Elements(expertIds);
        Elements c = new Elements(counts);
        Elements o = new Elements(order);
        Elements pos = new Elements(position);
        long tokens = ids.size(0);
        long topK = ids.size(1);
        long experts = c.size(0);
        for (long t = 0; t < tokens; t++) {
            for (long k = 0; k < topK; k++) {
                long e = ids.getLong(new long[] {t, k});
                if (e < 0 || e >= experts) {
                    throw new IllegalArgumentException("moe_plan: expert id " + e + " at [" + t + ", " + k
                            + "] is outside [0, " + experts + ")");
                }
            }
        }
        for (long a = 0; a < tokens * topK; a++) {
            pos.setLong(new long[] {a / topK, a % topK}, -1);
        }
        long row = 0;
        for (long e = 0; e < experts; e++) {
            long kept = 0;
            for (long a = 0; a < tokens * topK; a++) {
                long[] slot = {a / topK, a % topK};
                if (ids.getLong(slot) == e && kept < capacity) {
                    o.setLong(new long[] {row}, a);
                    pos.setLong(slot, row);
                    row++;
                    kept++;
                }
            }
            c.setLong(new long[] {e}, kept);
        }
        for (; row < tokens * topK; row++) {
            o.setLong(new long[] {row}, -1);
        }
    }

    static void permute(Tensor x, Tensor order, int topK, Tensor out) {
        Elements in = new Elements(x);
        Elements o = new Elements(order);
        Elements dst = new Elements(out);
        long assignments = in.size(0) * topK;
        for (long p = 0; p < dst.size(0); p++) {
            long a = o.getLong(new long[] {p});
            if (a < 0 || a >= assignments) {
                throw new IllegalArgumentException("moe_permute: order[" + p + "] = " + a + " is outside [0, "
                        + assignments + ") for " + in.size(0) + " tokens of " + topK + " slots");
            }
            for (long h = 0; h < dst.size(1); h++) {
                dst.setFrom(new long[] {p, h}, in, new long[] {a / topK, h});
            }
        }
    }

    static void unpermute(Tensor yp, Tensor position, Tensor weights, Tensor out) {
        Elements rows = new Elements(yp);
        Elements pos = new Elements(position);
        Elements w = new Elements(weights);
        Elements dst = new Elements(out);
        for (long t = 0; t < dst.size(0); t++) {
            for (long h = 0; h < dst.size(1); h++) {
                double sum = 0;
                for (long k = 0; k < pos.size(1); k++) {
                    long p = row(pos, t, k, rows.size(0), "moe_unpermute");
                    if (p >= 0) {
                        sum += w.get(new long[] {t, k}) * rows.get(new long[] {p, h});
                    }
                }
                dst.set(new long[] {t, h}, sum);
            }
        }
    }

    static void unpermuteBackward(Tensor gradOut, Tensor yp, Tensor order, Tensor position, Tensor weights,
            Tensor gradYp, Tensor gradWeights) {
        Elements dy = new Elements(gradOut);
        Elements rows = new Elements(yp);
        Elements o = new Elements(order);
        Elements pos = new Elements(position);
        Elements w = new Elements(weights);
        Elements dRows = new Elements(gradYp);
        Elements dw = new Elements(gradWeights);
        long topK = pos.size(1);
        long assignments = pos.size(0) * topK;
        for (long p = 0; p < dRows.size(0); p++) {
            long a = o.getLong(new long[] {p});
            if (a < 0 || a >= assignments) {
                throw new IllegalArgumentException("moe_unpermute_backward: order[" + p + "] = " + a + " is outside [0, "
                        + assignments + ")");
            }
            double weight = w.get(new long[] {a / topK, a % topK});
            for (long h = 0; h < dRows.size(1); h++) {
                dRows.set(new long[] {p, h}, weight * dy.get(new long[] {a / topK, h}));
            }
        }
        for (long t = 0; t < pos.size(0); t++) {
            for (long k = 0; k < topK; k++) {
                long p = row(pos, t, k, rows.size(0), "moe_unpermute_backward");
                double dot = 0;
                for (long h = 0; p >= 0 && h < rows.size(1); h++) {
                    dot += dy.get(new long[] {t, h}) * rows.get(new long[] {p, h});
                }
                dw.set(new long[] {t, k}, dot);
            }
        }
    }

    static void groupedMatmul(Tensor x, Tensor counts, Tensor[] weights, Tensor out) {
        Elements in = new Elements(x);
        Elements dst = new Elements(out);
        long[] rows = counts.toLongArray();
        long first = 0;
        for (int e = 0; e < rows.length; e++) {
            Elements w = new Elements(weights[e]);
            for (long r = first; r < first + rows[e]; r++) {
                for (long j = 0; j < dst.size(1); j++) {
                    double sum = 0;
                    for (long i = 0; i < in.size(1); i++) {
                        sum += in.get(new long[] {r, i}) * w.get(new long[] {i, j});
                    }
                    dst.set(new long[] {r, j}, sum);
                }
            }
            first += rows[e];
        }
    }

    static void groupedMatmulWeightGrad(Tensor gradOut, Tensor x, Tensor counts, Tensor[] gradWeights) {
        Elements dy = new Elements(gradOut);
        Elements in = new Elements(x);
        long[] rows = counts.toLongArray();
        long first = 0;
        for (int e = 0; e < rows.length; e++) {
            Elements dw = new Elements(gradWeights[e]);
            for (long o = 0; o < dy.size(1); o++) {
                for (long i = 0; i < in.size(1); i++) {
                    double sum = 0;
                    for (long r = first; r < first + rows[e]; r++) {
                        sum += dy.get(new long[] {r, o}) * in.get(new long[] {r, i});
                    }
                    dw.set(new long[] {o, i}, sum);
                }
            }
            first += rows[e];
        }
    }

    /** position[t, k], checked to lie in [-1, rows). */
    private static long row(Elements pos, long t, long k, long rows, String op) {
        long p = pos.getLong(new long[] {t, k});
        if (p < -1 || p >= rows) {
            throw new IllegalArgumentException(op + ": position[" + t + ", " + k + "] = " + p + " is outside [-1, "
                    + rows + ")");
        }
        return p;
    }
}
