package dev.tessera.opencl;

import dev.tessera.tensor.Tensor;

/**
 * matmul, batched and grouped (matmul.cl): every product is a {@link Gemm} over views, run with
 * the configuration the {@link GemmTuner} picked for its shape class.
 */
final class MatmulKernels {
    private final ClRuntime runtime;
    private final GemmTuner tuner;

    MatmulKernels(ClRuntime runtime) {
        this.runtime = runtime;
        this.tuner = new GemmTuner(runtime);
    }

    void matmul(Tensor a, Tensor b, Tensor out) {
        gemm(a, b, out);
    }

    /** Rows {@code [off_e, off_e + counts[e])} of out = those rows of x times weights[e]; one launch per expert with rows. */
    void groupedMatmul(Tensor x, Tensor counts, Tensor[] weights, Tensor out) {
        // The counts are read to the host once: they size each expert's launch (the front end has
        // read them too, to check them).
        long[] rows = counts.toLongArray();
        long first = 0;
        for (int e = 0; e < rows.length; e++) {
            if (rows[e] > 0) {
                gemm(x.detach().narrow(0, first, rows[e]), weights[e], out.narrow(0, first, rows[e]));
            }
            first += rows[e];
        }
    }

    /** gradWeights[e] = gradOut_e^T x_e; an expert without rows is a product over K = 0: exact zeros. */
    void groupedMatmulWeightGrad(Tensor gradOut, Tensor x, Tensor counts, Tensor[] gradWeights) {
        long[] rows = counts.toLongArray(); // read once, as in groupedMatmul
        long first = 0;
        for (int e = 0; e < rows.length; e++) {
            Tensor dy = gradOut.detach().narrow(0, first, rows[e]).t();
            gemm(dy, x.detach().narrow(0, first, rows[e]), gradWeights[e]);
            first += rows[e];
        }
    }

    private void gemm(Tensor a, Tensor b, Tensor out) {
        Gemm g = new Gemm(a, b, out);
        if (g.isEmpty()) {
            return;
        }
        g.run(runtime, tuner.choose(g));
    }
}
