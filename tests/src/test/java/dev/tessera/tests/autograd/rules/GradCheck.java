package dev.tessera.tests.autograd.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The two sides of a gradient check for a case whose scalar loss is L = sum_k <w_k, out_k>
 * over its floating outputs, with fixed random weights w_k in ±[0.5, 1.5]: the analytic
 * gradient (autograd's backward through the rules) and the numerical one (central differences
 * of L in F64 on the reference backend).
 */
final class GradCheck {
    private GradCheck() {}

    /** dL/d(input) for each input that requires grad, by backward, in {@code dtype} on {@code device}. */
    static List<double[]> analytic(GradCase c, DType dtype, Device device) {
        List<Tensor> leaves = c.inputs().stream().map(input -> input.build(dtype, device)).toList();
        List<Tensor> outputs = c.call().apply(leaves, device);
        Tensor loss = null;
        for (int k = 0; k < outputs.size(); k++) {
            Tensor out = outputs.get(k);
            if (out.dtype().isFloating()) {
                Tensor w = GradLayout.place(weights(c, k, out.numel()), out.shape(), dtype, out.device());
                Tensor term = out.mul(w).sum();
                loss = loss == null ? term : loss.add(term);
            }
        }
        loss.backward();
        List<double[]> gradients = new ArrayList<>();
        for (int i = 0; i < leaves.size(); i++) {
            Tensor leaf = leaves.get(i);
            if (!leaf.requiresGrad()) {
                continue;
            }
            Tensor grad = leaf.grad();
            if (grad == null) { // no path from this input to the loss: its gradient is zero
                gradients.add(new double[Math.toIntExact(leaf.numel())]);
                continue;
            }
            String which = c + ": gradient of " + c.inputs().get(i).name();
            assertArrayEquals(leaf.shape(), grad.shape(), which + " has the wrong shape");
            assertEquals(dtype, grad.dtype(), which + " has the wrong dtype");
            assertEquals(device, grad.device(), which + " is on the wrong device");
            gradients.add(grad.toDoubleArray());
        }
        return gradients;
    }

    /**
     * dL/d(input) for each input that requires grad, by central differences in F64 on the
     * reference backend. Each output's difference out(v + h) - out(v - h) is taken element by
     * element before weighting and summing, so outputs the step does not touch contribute exact
     * zeros instead of the rounding error of a large loss. The step is divided by the difference
     * of the stepped values as actually stored, not by 2h.
     */
    static List<double[]> numeric(GradCase c) {
        Device device = Device.reference();
        List<double[]> gradients = new ArrayList<>();
        for (int i = 0; i < c.inputs().size(); i++) {
            GradInput input = c.inputs().get(i);
            if (!input.requiresGrad()) {
                continue;
            }
            double[] gradient = new double[input.values().length];
            for (int j = 0; j < gradient.length; j++) {
                double value = input.values()[j];
                double h = c.step().at(value);
                double[] up = input.values().clone();
                double[] down = input.values().clone();
                up[j] = value + h;
                down[j] = value - h;
                List<Tensor> plus = evaluate(c, i, up, device);
                List<Tensor> minus = evaluate(c, i, down, device);
                gradient[j] = weightedDifference(c, plus, minus) / (up[j] - down[j]);
            }
            gradients.add(gradient);
        }
        return gradients;
    }

    /** The case's outputs with input {@code i} holding {@code values}, every input a constant. */
    private static List<Tensor> evaluate(GradCase c, int i, double[] values, Device device) {
        List<Tensor> inputs = new ArrayList<>();
        for (int k = 0; k < c.inputs().size(); k++) {
            GradInput input = c.inputs().get(k);
            inputs.add(input.with(k == i ? values : input.values(), DType.F64, device));
        }
        return c.call().apply(inputs, device);
    }

    private static double weightedDifference(GradCase c, List<Tensor> plus, List<Tensor> minus) {
        double total = 0;
        for (int k = 0; k < plus.size(); k++) {
            if (!plus.get(k).dtype().isFloating()) {
                continue;
            }
            double[] up = plus.get(k).toDoubleArray();
            double[] down = minus.get(k).toDoubleArray();
            double[] w = weights(c, k, up.length);
            for (int e = 0; e < up.length; e++) {
                total += w[e] * (up[e] - down[e]);
            }
        }
        return total;
    }

    /** The loss weights of output {@code k}: fixed by the case's seed, magnitudes in [0.5, 1.5], random signs. */
    static double[] weights(GradCase c, int k, long n) {
        Random random = new Random(c.weightSeed() + 7919L * k);
        double[] w = new double[Math.toIntExact(n)];
        for (int e = 0; e < w.length; e++) {
            w[e] = (random.nextBoolean() ? 1 : -1) * (0.5 + random.nextDouble());
        }
        return w;
    }
}
