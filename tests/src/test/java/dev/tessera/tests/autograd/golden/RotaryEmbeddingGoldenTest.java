package dev.tessera.tests.autograd.golden;

import static dev.tessera.tests.golden.GoldenFiles.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.nn.RotaryEmbedding;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import dev.tessera.tests.golden.GoldenFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RotaryEmbedding against Hugging Face's rotate_half formulation written out in PyTorch 1.13
 * (golden/xent.safetensors, see tests/golden/make_xent_golden.py): x [2, 3, 5, 8], theta 10000,
 * positions [5] (up to 100) and [2, 5] (a KV-cache offset), and the gradient of sum(out * w).
 *
 * <p><b>Tolerance</b>: both sides take cos and sin in float64 and round them to float32 (a table
 * entry may differ by one float32 ulp where the two libms round across a boundary), then compute
 * x cos + rotate_half(x) sin with three float32 roundings. So each output is within 2 eps (|x cos|
 * + |x' sin|) <= 4 eps max|x| of the other side; the gradient w cos + rotate_half^T(w sin) alike
 * with max|w|. The F64 reference skips the cast of the table, half an eps of each term, inside
 * the same bound. A sign error in rotate_half or a swapped half is off by order |x|.
 */
class RotaryEmbeddingGoldenTest {
    private static final double EPS = 0x1p-23;

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void rotationAndGradientMatchPyTorch(String deviceName) throws IOException {
        Device device = Device.of(deviceName);
        DType dtype = device.equals(Device.reference()) ? DType.F64 : DType.F32;
        Path file = GoldenFiles.file("xent.safetensors");
        Map<String, Tensor> golden = SafeTensors.read(file);
        RotaryEmbedding rope = new RotaryEmbedding(8, Double.parseDouble(SafeTensors.readMetadata(file).get("rope_theta")));
        Tensor x = golden.get("rope_x").to(dtype).to(device).copy().requiresGrad(true);
        Tensor w = golden.get("rope_w").to(dtype).to(device);
        double xTol = 4 * EPS * maxAbs(golden.get("rope_x"));

        Tensor out = rope.apply(x, golden.get("rope_pos").to(device));
        out.mul(w).sum().backward();
        assertWithin("rope_out", golden.get("rope_out").toDoubleArray(), out, xTol);
        Tensor out2 = rope.apply(x.detach(), golden.get("rope_pos2").to(device));
        assertWithin("rope_out2", golden.get("rope_out2").toDoubleArray(), out2, xTol);
        assertWithin("rope_grad", golden.get("rope_grad").toDoubleArray(), x.grad(), 4 * EPS * maxAbs(golden.get("rope_w")));
        assertEquals(dtype, out.dtype());
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
