package dev.tessera.tests.nn;

/**
 * Attention the textbook way, in double, materialising each head's Nq x Nk score matrix: S =
 * scale Q K^T + mask (causal: -infinity where c > r + Nk - Nq), P = softmax(S) by rows (a row of
 * -infinity gives P = 0, lse = +infinity), O = P V; and the analytic gradients dV = P^T dO,
 * dP = dO V^T, D = rowsum(P * dP), dS = P * (dP - D), dQ = scale dS K, dK = scale dS^T Q, summed
 * over the query heads that share a kv head. All arrays are row-major [B, H, N, D]; the mask,
 * when present, is a full [B, H, Nq, Nk].
 */
record NaiveAttention(double[] out, double[] lse, double[] gradQ, double[] gradK, double[] gradV) {
    record Sizes(int batch, int heads, int kvHeads, int queries, int keys, int headDim, int valueDim) {}

    static NaiveAttention compute(Sizes z, double[] q, double[] k, double[] v, double[] mask, double scale, boolean causal,
            double[] gradOut) {
        double[] out = new double[z.batch * z.heads * z.queries * z.valueDim];
        double[] lse = new double[z.batch * z.heads * z.queries];
        double[] dq = new double[q.length];
        double[] dk = new double[k.length];
        double[] dv = new double[v.length];
        int group = z.heads / z.kvHeads;
        for (int b = 0; b < z.batch; b++) {
            for (int h = 0; h < z.heads; h++) {
                int g = h / group;
                int qBase = (b * z.heads + h) * z.queries;
                int kBase = (b * z.kvHeads + g) * z.keys;
                double[][] p = new double[z.queries][z.keys];
                for (int r = 0; r < z.queries; r++) {
                    double[] s = new double[z.keys];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < z.keys; c++) {
                        double dot = 0;
                        for (int d = 0; d < z.headDim; d++) {
                            dot += q[(qBase + r) * z.headDim + d] * k[(kBase + c) * z.headDim + d];
                        }
                        s[c] = scale * dot + (mask == null ? 0 : mask[(qBase + r) * z.keys + c]);
                        if (causal && c > r + z.keys - z.queries) {
                            s[c] = Double.NEGATIVE_INFINITY;
                        }
                        max = Math.max(max, s[c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < z.keys && max != Double.NEGATIVE_INFINITY; c++) {
                        sum += Math.exp(s[c] - max);
                    }
                    lse[qBase + r] = sum == 0 ? Double.POSITIVE_INFINITY : max + Math.log(sum);
                    for (int c = 0; c < z.keys && sum > 0; c++) {
                        p[r][c] = Math.exp(s[c] - max) / sum;
                    }
                }
                for (int r = 0; r < z.queries; r++) {
                    for (int e = 0; e < z.valueDim; e++) {
                        double o = 0;
                        for (int c = 0; c < z.keys; c++) {
                            o += p[r][c] * v[(kBase + c) * z.valueDim + e];
                        }
                        out[(qBase + r) * z.valueDim + e] = o;
                    }
                }
                if (gradOut == null) {
                    continue;
                }
                double[][] dp = new double[z.queries][z.keys];
                for (int r = 0; r < z.queries; r++) {
                    double rowDot = 0;
                    for (int c = 0; c < z.keys; c++) {
                        for (int e = 0; e < z.valueDim; e++) {
                            double go = gradOut[(qBase + r) * z.valueDim + e];
                            dp[r][c] += go * v[(kBase + c) * z.valueDim + e];
                            dv[(kBase + c) * z.valueDim + e] += p[r][c] * go;
                        }
                        rowDot += p[r][c] * dp[r][c];
                    }
                    for (int c = 0; c < z.keys; c++) {
                        double ds = p[r][c] * (dp[r][c] - rowDot);
                        for (int d = 0; d < z.headDim; d++) {
                            dq[(qBase + r) * z.headDim + d] += scale * ds * k[(kBase + c) * z.headDim + d];
                            dk[(kBase + c) * z.headDim + d] += scale * ds * q[(qBase + r) * z.headDim + d];
                        }
                    }
                }
            }
        }
        return new NaiveAttention(out, lse, dq, dk, dv);
    }
}
