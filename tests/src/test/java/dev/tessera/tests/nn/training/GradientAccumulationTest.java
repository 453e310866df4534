package dev.tessera.tests.nn.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Linear;
import dev.tessera.nn.Losses;
import dev.tessera.nn.Losses.Reduction;
import dev.tessera.nn.Module;
import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Gradient accumulation needs no class: backward adds into each parameter's gradient, so k
 * micro-batches, each loss divided by k and back-propagated, then one optimizer step, take the
 * step of the mean loss over the whole batch.
 */
class GradientAccumulationTest {
    private static final int BATCH = 8;
    private static final int MICRO_BATCHES = 4;

    /**
     * Where every value is a small dyadic rational, float arithmetic is exact: the two gradients,
     * and so the AdamW steps taken from them, agree bit for bit. (Only the first step: AdamW's
     * update leaves weights that are no longer dyadic.)
     */
    @Test
    void withExactArithmeticAccumulationEqualsTheFullBatchBitForBit() {
        Linear full = dyadicLinear();
        Linear accumulated = dyadicLinear();
        Tensor x = Tensor.randint(new Generator(3), -3, 4, BATCH, 4).to(DType.F32);
        Tensor target = Tensor.randint(new Generator(4), -2, 3, BATCH, 4).to(DType.F32);
        Optimizer fullOptimizer = new AdamW(ParamGroups.decayAndNoDecay(full, 0.01, 0.1));
        Optimizer accumulatedOptimizer = new AdamW(ParamGroups.decayAndNoDecay(accumulated, 0.01, 0.1));

        fullOptimizer.zeroGrad();
        Losses.mse(full.forward(x), target, Reduction.MEAN).backward();
        accumulate(accumulatedOptimizer, micro -> Losses.mse(accumulated.forward(x.slice(0, micro.start, micro.end)),
                target.slice(0, micro.start, micro.end), Reduction.MEAN));

        Map<String, Parameter> a = full.namedParameters();
        Map<String, Parameter> b = accumulated.namedParameters();
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).grad().toFloatArray(), b.get(name).grad().toFloatArray(), name + " gradient");
        }
        fullOptimizer.step();
        accumulatedOptimizer.step();
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).value().toFloatArray(), b.get(name).value().toFloatArray(), name + " after the step");
        }
    }

    /**
     * With general floats only the order of the sum over the batch differs (the 1/k and 1/(N/k)
     * scalings are powers of two, so exact). A float sum of n terms is within n*eps*sum|terms|
     * of exact in any order, so the two gradients differ per element by at most
     * 2 * N * eps * sum over samples of |per-sample gradient|, which the test measures by
     * back-propagating every sample alone. Observed: some elements differ, by at most 5% of
     * that bound (a few ulps).
     */
    @Test
    void withGeneralFloatsAccumulationEqualsTheFullBatchWithinTheSummationBound() {
        Mlp full = new Mlp();
        Mlp accumulated = new Mlp();
        Generator data = new Generator(8);
        Tensor x = Tensor.randn(data, BATCH, 6);
        Tensor classes = Tensor.randint(data, 0, 5, BATCH);
        Optimizer accumulatedOptimizer = new AdamW(ParamGroups.decayAndNoDecay(accumulated, 0.01, 0.1));

        Losses.crossEntropy(full.forward(x), classes).backward();
        accumulate(accumulatedOptimizer, micro -> Losses.crossEntropy(accumulated.forward(x.slice(0, micro.start, micro.end)),
                classes.slice(0, micro.start, micro.end)));
        Map<String, double[]> bound = perSampleAbsoluteSums(x, classes);

        double eps = Math.ulp(1.0f);
        full.namedParameters().forEach((name, p) -> {
            float[] want = p.grad().toFloatArray();
            float[] got = accumulated.namedParameters().get(name).grad().toFloatArray();
            double[] absSum = bound.get(name);
            for (int i = 0; i < want.length; i++) {
                double allowed = 2 * BATCH * eps * absSum[i];
                assertTrue(Math.abs(want[i] - got[i]) <= allowed, name + "[" + i + "]: full batch " + want[i]
                        + ", accumulated " + got[i] + ", more than the " + allowed + " allowed");
            }
        });
    }

    private record Slice(long start, long end) {}

    /** The accumulation loop: clear, then per micro-batch backward of its loss / k, adding into the gradients. */
    private static void accumulate(Optimizer optimizer, Function<Slice, Tensor> microLoss) {
        optimizer.zeroGrad();
        long size = BATCH / MICRO_BATCHES;
        for (int m = 0; m < MICRO_BATCHES; m++) {
            microLoss.apply(new Slice(m * size, (m + 1) * size)).div(MICRO_BATCHES).backward();
        }
    }

    /** For each parameter element, the sum over samples of |that sample's gradient of the mean loss|. */
    private static Map<String, double[]> perSampleAbsoluteSums(Tensor x, Tensor classes) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (int s = 0; s < BATCH; s++) {
            Mlp alone = new Mlp();
            Losses.crossEntropy(alone.forward(x.slice(0, s, s + 1)), classes.slice(0, s, s + 1)).div(BATCH).backward();
            alone.namedParameters().forEach((name, p) -> {
                double[] g = p.grad().toDoubleArray();
                double[] sum = sums.computeIfAbsent(name, k -> new double[g.length]);
                for (int i = 0; i < g.length; i++) {
                    sum[i] += Math.abs(g[i]);
                }
            });
        }
        return sums;
    }

    /** Weights and biases that are multiples of 1/8 in [-1, 1]: every product and sum below stays exact in F32. */
    private static Linear dyadicLinear() {
        Linear linear = new Linear(4, 4, true, new Generator(0));
        Generator g = new Generator(21);
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("weight", Tensor.randint(g, -8, 9, 4, 4).to(DType.F32).div(8));
        state.put("bias", Tensor.randint(g, -8, 9, 4).to(DType.F32).div(8));
        linear.loadStateDict(state, true);
        return linear;
    }

    /** Linear -> tanh -> Linear, always from the same weights. */
    private static final class Mlp extends Module {
        final Linear first;
        final Linear second;

        Mlp() {
            Generator init = new Generator(5);
            first = register("fc1", new Linear(6, 16, true, init));
            second = register("fc2", new Linear(16, 5, true, init));
        }

        Tensor forward(Tensor x) {
            return second.forward(first.forward(x).tanh());
        }
    }
}
