package dev.tessera.tests.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.Lion;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two steps of AdamW and of Lion, with weight decay, against PyTorch 1.13 (AdamW) and the Lion
 * paper's update written out in PyTorch (golden/optim.safetensors, written by
 * tests/golden/make_optim_golden.py, which documents the settings), in F32 on the cpu backend.
 *
 * <p><b>Tolerance.</b> Each step is a handful of F32 operations per element, each rounding once,
 * in both programs, which may round differently (PyTorch, for one, fuses {@code m*b1 + (1-b1)*g}
 * into one kernel). So every value is compared norm-wise, {@code |got - want| <= TOL * max|want|}
 * over the tensor, with {@code TOL = 8 eps} (eps = 2^-23): two steps of about four roundings on
 * the way to each value, about 2e-6 here. A wrong formula is far outside: decay applied after
 * the update instead of before moves p by lr * wd * lr = 1e-5, a missing bias correction by
 * about lr, the wrong beta in Lion's sign by 2 * lr where a sign flips. Observed: AdamW within
 * 2 ulps per element (under 0.5 eps * max|want|); Lion bit for bit.
 */
class OptimizerGoldenTest {
    private static final double EPS = 0x1p-23;
    private static final double TOL = 8 * EPS;

    @Test
    void twoAdamWStepsMatchPyTorch() throws IOException {
        Map<String, Tensor> golden = SafeTensors.read(file());
        Map<String, String> meta = SafeTensors.readMetadata(file());
        Parameter p = new Parameter(golden.get("p0").copy());
        AdamW adamw = new AdamW(group(p, meta, "adamw"), number(meta, "adamw_beta1"), number(meta, "adamw_beta2"),
                number(meta, "adamw_eps"));
        step(adamw, p, golden.get("g1"));
        assertClose("AdamW p after step 1", golden.get("adamw_p1"), p.value());
        step(adamw, p, golden.get("g2"));
        assertClose("AdamW p after step 2", golden.get("adamw_p2"), p.value());
        assertClose("AdamW exp_avg", golden.get("adamw_exp_avg"), adamw.stateDict().get("w.exp_avg"));
        assertClose("AdamW exp_avg_sq", golden.get("adamw_exp_avg_sq"), adamw.stateDict().get("w.exp_avg_sq"));
        assertEquals(2.0, adamw.stateDict().get("w.step").item());
    }

    @Test
    void twoLionStepsMatchThePaperFormula() throws IOException {
        Map<String, Tensor> golden = SafeTensors.read(file());
        Map<String, String> meta = SafeTensors.readMetadata(file());
        Parameter p = new Parameter(golden.get("p0").copy());
        Lion lion = new Lion(group(p, meta, "lion"), number(meta, "lion_beta1"), number(meta, "lion_beta2"));
        step(lion, p, golden.get("g1"));
        assertClose("Lion p after step 1", golden.get("lion_p1"), p.value());
        step(lion, p, golden.get("g2"));
        assertClose("Lion p after step 2", golden.get("lion_p2"), p.value());
        assertClose("Lion exp_avg", golden.get("lion_exp_avg"), lion.stateDict().get("w.exp_avg"));
    }

    private static List<ParamGroup> group(Parameter p, Map<String, String> meta, String prefix) {
        return Fixtures.group("w", p, number(meta, prefix + "_lr"), number(meta, prefix + "_weight_decay"));
    }

    private static double number(Map<String, String> meta, String key) {
        return Double.parseDouble(meta.get(key));
    }

    private static void step(Optimizer optimizer, Parameter p, Tensor grad) {
        p.value().setGrad(grad.copy());
        optimizer.step();
    }

    /** {@code |got - want| <= TOL * max|want|} for every element, with a message naming the worst one. */
    private static void assertClose(String what, Tensor wantTensor, Tensor gotTensor) {
        double[] want = wantTensor.toDoubleArray();
        double[] got = gotTensor.toDoubleArray();
        assertEquals(want.length, got.length, what + ": element count");
        double scale = 0;
        int worst = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            if (Math.abs(got[i] - want[i]) > Math.abs(got[worst] - want[worst])) {
                worst = i;
            }
        }
        double error = Math.abs(got[worst] - want[worst]);
        if (error > TOL * scale) {
            fail(String.format("%s: element %d is %.9g, the golden value %.9g: error %.3g eps * max|want|, over the %.3g allowed",
                    what, worst, got[worst], want[worst], error / scale / EPS, TOL / EPS));
        }
    }

    private static Path file() {
        try {
            return Path.of(OptimizerGoldenTest.class.getResource("/golden/optim.safetensors").toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
