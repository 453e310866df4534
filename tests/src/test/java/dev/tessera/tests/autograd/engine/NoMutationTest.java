package dev.tessera.tests.autograd.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.autograd.Autograd;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Tessera has no in-place ops: every op returns a new tensor (or a view) and leaves its inputs as
 * they were, so a node's saved inputs are still right when backward reads them; the only way to
 * change a tensor's slot is {@code setGrad}. This checks it for every op family the engine tests
 * use, forward and backward, by comparing the inputs' values before and after.
 */
class NoMutationTest {
    private static final Map<String, Function<Tensor[], Tensor>> OPS = Map.ofEntries(
            Map.entry("unary", in -> in[0].relu()),
            Map.entry("binary", in -> in[0].add(in[1]).mul(in[1])),
            Map.entry("broadcast", in -> in[0].mul(in[2]).add(in[2])),
            Map.entry("reduce", in -> in[0].sum(1)),
            Map.entry("matmul", in -> in[0].matmul(in[1].reshape(4, 3))),
            Map.entry("views", in -> in[0].reshape(1, 12).expand(3, 12)));

    @Test
    void noOpChangesItsInputsForwardOrBackward() {
        Generator g = new Generator(11);
        for (var entry : OPS.entrySet()) {
            Tensor[] inputs = {Tensor.randn(g, 3, 4).requiresGrad(true), Tensor.randn(g, 3, 4).requiresGrad(true),
                    Tensor.randn(g, 4).requiresGrad(true)};
            double[][] before = values(inputs);
            Tensor out = entry.getValue().apply(inputs);
            double[] result = out.toDoubleArray();
            assertArrayEquals(before, values(inputs), entry.getKey() + ": forward changed an input");
            if (out.requiresGrad()) {
                Autograd.grad(List.of(out), List.of(Tensor.ones(out.shape())), List.of(inputs), false);
                assertArrayEquals(before, values(inputs), entry.getKey() + ": backward changed an input");
                assertArrayEquals(result, out.toDoubleArray(), entry.getKey() + ": backward changed the output");
            }
        }
    }

    private static double[][] values(Tensor[] tensors) {
        double[][] all = new double[tensors.length][];
        for (int i = 0; i < tensors.length; i++) {
            all[i] = tensors[i].toDoubleArray();
        }
        return all;
    }
}
