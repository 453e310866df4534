package dev.tessera.bench.gpu;

/**
 * Single rows of a big result, computed on the host in double: a benchmark's output is checked on
 * a slice at the size it is timed, without a second implementation of the whole kernel.
 */
final class HostReference {
    private HostReference() {}

    /** Row {@code aRow} [k] times b [k, n] (row-major): one row of a matrix product. */
    static double[] matmulRow(float[] aRow, float[] b, int n) {
        double[] out = new double[n];
        for (int p = 0; p < aRow.length; p++) {
            double a = aRow[p];
            int base = p * n;
            for (int j = 0; j < n; j++) {
                out[j] += a * b[base + j];
            }
        }
        return out;
    }

    /**
     * Query {@code row}'s attention output: softmax over keys of {@code scale * q . k_c} (keys
     * {@code c > row} hidden when causal; queries and keys aligned, as when Nq == Nk), times the values.
     * {@code keys} [nk, d] and {@code values} [nk, dv] are row-major.
     */
    static double[] attentionRow(float[] q, float[] keys, float[] values, int row, double scale, boolean causal) {
        int d = q.length;
        int nk = keys.length / d;
        int dv = values.length / nk;
        int seen = causal ? Math.min(row + 1, nk) : nk;
        double[] logits = new double[seen];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < seen; c++) {
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += (double) q[i] * keys[c * d + i];
            }
            logits[c] = scale * dot;
            max = Math.max(max, logits[c]);
        }
        double total = 0;
        double[] out = new double[dv];
        for (int c = 0; c < seen; c++) {
            double w = Math.exp(logits[c] - max);
            total += w;
            for (int i = 0; i < dv; i++) {
                out[i] += w * values[c * dv + i];
            }
        }
        for (int i = 0; i < dv; i++) {
            out[i] /= total;
        }
        return out;
    }
}
