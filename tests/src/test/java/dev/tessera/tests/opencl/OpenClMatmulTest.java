package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenCL GEMM family beyond the OpInfo cases: sizes past one tile in every direction with
 * transposed operands, every tile configuration giving the same bits, repeat determinism, and the
 * grouped products (idle experts, one-row experts, odd sizes) against the reference backend.
 *
 * <p>Small-integer operands make every float sum exact (|sums| far below 2^24), so those checks
 * are bit-exact against the reference; the random-normal check allows the fma chain's bound
 * {@code 1.01 K u sum_k |a_ik| |b_kj|}, u = 2^-24 (Higham 3.1).
 */
@ExtendWith(OpenClAvailable.class)
class OpenClMatmulTest {
    /** matmul.cl's tile configurations (GemmConfig's names); an unknown name fails the run, so this list cannot go stale. */
    private static final String[] CONFIGS = {"simple", "128x64x16_8x4", "64x128x16_4x8", "128x128x16_8x8",
        "128x128x8_8x8", "64x64x16_4x4"};
    private static final String CONFIG_PROPERTY = "tessera.opencl.matmul";

    @Test
    void largeTransposedF32MatchesTheReference() {
        Generator g = new Generator(11);
        Tensor a = Tensor.randn(g, 129, 513).transpose(0, 1); // [513, 129], column-major
        Tensor b = Tensor.randn(g, 257, 129).transpose(0, 1); // [129, 257], column-major
        double[] got = a.to(Device.opencl()).matmul(b.to(Device.opencl())).toDoubleArray();
        Tensor ra = a.to(Device.reference());
        Tensor rb = b.to(Device.reference());
        double[] want = ra.matmul(rb).toDoubleArray();
        double[] magnitude = ra.abs().matmul(rb.abs()).toDoubleArray();
        assertEquals(513 * 257, got.length);
        for (int i = 0; i < got.length; i++) {
            double bound = 1.01 * 129 * 0x1p-24 * magnitude[i];
            assertTrue(Math.abs(got[i] - want[i]) <= bound, "element " + i + ": " + got[i] + " vs " + want[i]);
        }
    }

    @Test
    void everyConfigurationGivesTheSameBitsAndRepeatsDoToo() {
        Generator g = new Generator(5);
        // Two batches, A transposed, B a strided slice: every edge of every tile is ragged.
        Tensor a = Tensor.randn(g, 2, 70, 150).transpose(1, 2).to(Device.opencl());
        Tensor b = Tensor.randn(g, 2, 70, 262).slice(2, 1, 262, 2).to(Device.opencl());
        float[] tuned = a.matmul(b).toFloatArray();
        assertArrayEquals(tuned, a.matmul(b).toFloatArray(), "a repeat");
        for (String config : CONFIGS) {
            String before = System.setProperty(CONFIG_PROPERTY, config);
            try {
                assertArrayEquals(tuned, a.matmul(b).toFloatArray(), config);
            } finally {
                restore(before);
            }
        }
    }

    @Test
    void everyDtypeIsExactOnSmallIntegers() {
        for (DType dtype : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16}) {
            Generator g = new Generator(3);
            Tensor a = Tensor.randint(g, -3, 4, 3, 100, 90).to(dtype);
            Tensor b = Tensor.randint(g, -3, 4, 90, 140).to(dtype).expand(3, 90, 140); // a broadcast batch
            double[] want = a.to(Device.reference()).matmul(b.to(Device.reference())).toDoubleArray();
            for (String config : new String[] {null, "simple", "64x64x16_4x4"}) {
                String before = config == null ? null : System.setProperty(CONFIG_PROPERTY, config);
                try {
                    double[] got = a.to(Device.opencl()).matmul(b.to(Device.opencl())).toDoubleArray();
                    assertArrayEquals(want, got, dtype + " " + (config == null ? "tuned" : config));
                } finally {
                    restore(before);
                }
            }
        }
    }

    @Test
    void emptyAndDegenerateShapes() {
        Tensor a = Tensor.zeros(4, 0).to(Device.opencl());
        Tensor b = Tensor.zeros(0, 3).to(Device.opencl());
        assertArrayEquals(new double[12], a.matmul(b).toDoubleArray(), "K = 0 gives zeros");
        assertEquals(0, Tensor.zeros(0, 5).to(Device.opencl()).matmul(Tensor.zeros(5, 3).to(Device.opencl())).numel());
        Tensor x = Tensor.of(new float[] {2}, 1, 1).to(Device.opencl());
        assertArrayEquals(new float[] {4}, x.matmul(x).toFloatArray());
    }

    @Test
    void groupedMatmulMatchesTheReference() {
        long[] counts = {0, 1, 37, 0, 130, 5, 0};
        for (DType dtype : new DType[] {DType.F32, DType.F64, DType.BF16}) {
            Generator g = new Generator(17);
            long rows = 173;
            long in = 131;
            long out = 97;
            Tensor x = Tensor.randint(g, -3, 4, rows, in).to(dtype);
            List<Tensor> weights = new ArrayList<>();
            for (int e = 0; e < counts.length; e++) {
                weights.add(Tensor.randint(g, -3, 4, out, in).to(dtype));
            }
            Tensor cl = Tensor.of(counts).to(Device.opencl());
            List<Tensor> clWeights = weights.stream().map(w -> w.to(Device.opencl())).toList();
            double[] got = Fused.groupedMatmul(x.to(Device.opencl()), cl, clWeights).toDoubleArray();

            Tensor[] transposed = weights.stream().map(w -> w.to(Device.reference()).transpose(0, 1)).toArray(Tensor[]::new);
            Tensor want = Tensor.empty(dtype, Device.reference(), rows, out);
            Device.reference().backend().groupedMatmul(x.to(Device.reference()), Tensor.of(counts).to(Device.reference()),
                    transposed, want);
            assertArrayEquals(want.toDoubleArray(), got, dtype + " forward");

            Tensor gradOut = Tensor.randint(g, -3, 4, rows, out).to(dtype);
            Tensor[] grads = Fused.groupedMatmulWeightGrad(gradOut.to(Device.opencl()), x.to(Device.opencl()), cl);
            Tensor[] wantGrads = new Tensor[counts.length];
            for (int e = 0; e < counts.length; e++) {
                wantGrads[e] = Tensor.empty(dtype, Device.reference(), out, in);
            }
            Device.reference().backend().groupedMatmulWeightGrad(gradOut.to(Device.reference()), x.to(Device.reference()),
                    Tensor.of(counts).to(Device.reference()), wantGrads);
            for (int e = 0; e < counts.length; e++) {
                double[] grad = grads[e].toDoubleArray();
                assertArrayEquals(wantGrads[e].toDoubleArray(), grad, dtype + " weight gradient of expert " + e);
                if (counts[e] == 0) {
                    for (double v : grad) {
                        assertEquals(0, Double.compare(0.0, v), "an idle expert's gradient is +0.0");
                    }
                }
            }
        }
    }

    @Test
    void groupedMatmulOnRandomNormalsIsDeterministic() {
        Generator g = new Generator(23);
        long[] counts = {300, 0, 1, 211};
        Tensor x = Tensor.randn(g, 512, 96).to(Device.opencl());
        Tensor cl = Tensor.of(counts).to(Device.opencl());
        List<Tensor> weights = new ArrayList<>();
        for (int e = 0; e < counts.length; e++) {
            weights.add(Tensor.randn(g, 80, 96).to(Device.opencl()));
        }
        assertArrayEquals(Fused.groupedMatmul(x, cl, weights).toFloatArray(),
                Fused.groupedMatmul(x, cl, weights).toFloatArray());
        Tensor dy = Tensor.randn(g, 512, 80).to(Device.opencl());
        Tensor[] first = Fused.groupedMatmulWeightGrad(dy, x, cl);
        Tensor[] second = Fused.groupedMatmulWeightGrad(dy, x, cl);
        for (int e = 0; e < counts.length; e++) {
            assertArrayEquals(first[e].toFloatArray(), second[e].toFloatArray(), "expert " + e);
        }
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(CONFIG_PROPERTY);
        } else {
            System.setProperty(CONFIG_PROPERTY, before);
        }
    }
}
