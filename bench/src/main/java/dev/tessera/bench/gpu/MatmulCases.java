package dev.tessera.bench.gpu;

import dev.tessera.bench.Verify;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/**
 * SGEMM: C [n, n] = A [n, n] B [n, n] in F32, 2 n^3 FLOPs. Checked at the timed size on three rows
 * of C against the host in double, within {@code 2e-6 * K}: fp32 accumulation stays well inside it
 * (its error grows like sqrt(K) eps |c|); TF32-rounded inputs (about 5e-4 relative error per
 * product) would exceed it several times over, so the same bound proves the peer ran in fp32.
 */
final class MatmulCases {
    static final int[] SIZES = {1024, 2048, 4096, 8192};
    static final int[] QUICK_SIZES = {64, 96};

    private MatmulCases() {}

    static void run(CaseRunner runner, boolean quick) {
        for (int n : quick ? QUICK_SIZES : SIZES) {
            runner.run("sgemm", n + "x" + n + "x" + n, 2.0 * n * n * n / 1e9, () -> prepare(runner.device(), n));
        }
    }

    private static CaseRunner.Prepared prepare(Device device, int n) {
        Generator g = new Generator(7 + n);
        Tensor a = Tensor.randn(g, n, n).to(device);
        Tensor b = Tensor.randn(g, n, n).to(device);
        return new CaseRunner.Prepared(() -> check(a, b, n), () -> a.matmul(b));
    }

    private static void check(Tensor a, Tensor b, int n) {
        Tensor c = a.matmul(b);
        float[] bHost = b.toFloatArray();
        for (int row : new int[] {0, n / 2 + 1, n - 1}) {
            double[] want = HostReference.matmulRow(a.select(0, row).toFloatArray(), bHost, n);
            Verify.close("sgemm " + n + " row " + row, c.select(0, row).toFloatArray(), Tensor.of(want), 2e-6 * n, 0);
        }
    }
}
