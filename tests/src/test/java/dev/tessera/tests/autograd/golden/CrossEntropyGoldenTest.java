package dev.tessera.tests.autograd.golden;

import static dev.tessera.tests.golden.GoldenFiles.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.nn.Losses;
import dev.tessera.nn.Losses.Reduction;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import dev.tessera.tests.golden.GoldenFiles;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Losses.crossEntropy (on the fused kernel) against PyTorch 1.13's F.cross_entropy
 * (golden/xent.safetensors, written by tests/golden/make_xent_golden.py): logits [6, 11], mean,
 * sum and none, the gradient of the mean, with ignore_index -100 and with ignore_index 2 (a
 * class id); on the cpu backend in F32 and on the reference backend in F64.
 *
 * <p><b>Tolerance</b>, absolute, in eps = 2^-23 and L = max|logits| (about 8 here). A row's loss is
 * lse - x[t] with lse = m + log sum exp(x - m): in float32, x - m rounds by up to L eps (|x - m| <=
 * 2L), exp and log add a few ulps, the sum of 11 positive terms 11 eps relative, and lse and the
 * difference round by eps times their size (under 2L + log 11). So a float32 loss is within
 * (5L + 20) eps of exact; the mean's 6 terms add 6 eps of its size. PyTorch's float32 has that
 * error and so does Tessera's (the F64 reference's is negligible): {@code LOSS_TOL = 2 (5L + 26)
 * eps}. The gradient (exp(x - lse) - [c == t]) / count carries the relative error of exp(x - lse),
 * |x - lse| + lse's own error, under (5L + 20) eps of p <= 1, over count: {@code GRAD_TOL = 2 (5L
 * + 20) eps / count}. Observed on the cpu: within 4 eps (losses), 0.3 eps (gradients). A wrong
 * gradient (a missing 1/count, a gradient on an ignored row, the one-hot on the wrong class) is
 * off by order 1/count.
 */
class CrossEntropyGoldenTest {
    private static final double EPS = 0x1p-23;

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void lossesAndGradientsMatchPyTorch(String deviceName) throws IOException {
        Device device = Device.of(deviceName);
        DType dtype = device.equals(Device.reference()) ? DType.F64 : DType.F32;
        Map<String, Tensor> golden = SafeTensors.read(GoldenFiles.file("xent.safetensors"));
        double[] logitValues = golden.get("logits").toDoubleArray();
        double maxLogit = 0;
        for (double v : logitValues) {
            maxLogit = Math.max(maxLogit, Math.abs(v));
        }
        double lossTol = 2 * (5 * maxLogit + 26) * EPS;
        check(golden, device, dtype, "targets", -100, "", lossTol, 2 * (5 * maxLogit + 20) * EPS);
        check(golden, device, dtype, "targets_ignore2", 2, "_ignore2", lossTol, 2 * (5 * maxLogit + 20) * EPS);
        Tensor logits = golden.get("logits").to(dtype).to(device);
        Tensor targets = golden.get("targets").to(device);
        assertWithin("loss_sum", golden.get("loss_sum").toDoubleArray(),
                Losses.crossEntropy(logits, targets, -100, Reduction.SUM), 6 * lossTol); // at most 6 rows, each within lossTol
    }

    private static void check(Map<String, Tensor> golden, Device device, DType dtype, String targetsName, int ignore,
            String suffix, double lossTol, double gradTolTimesCount) {
        Tensor logits = golden.get("logits").to(dtype).to(device).copy().requiresGrad(true); // a fresh leaf per case
        Tensor targets = golden.get(targetsName).to(device);
        long count = 0;
        for (long t : targets.toLongArray()) {
            count += t == ignore ? 0 : 1;
        }
        Tensor mean = Losses.crossEntropy(logits, targets, ignore, Reduction.MEAN);
        mean.backward();
        assertWithin("loss_mean" + suffix, golden.get("loss_mean" + suffix).toDoubleArray(), mean, lossTol);
        assertWithin("loss_none" + suffix, golden.get("loss_none" + suffix).toDoubleArray(),
                Losses.crossEntropy(logits.detach(), targets, ignore, Reduction.NONE), lossTol);
        assertWithin("grad_mean" + suffix, golden.get("grad_mean" + suffix).toDoubleArray(), logits.grad(),
                gradTolTimesCount / count);
        assertEquals(dtype, logits.grad().dtype(), "gradient dtype");
    }
}
