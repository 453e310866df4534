package dev.tessera.tests.autograd.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.autograd.Autograd;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Tessera has no in-place ops: every op returns a new tensor (or a view) and leaves its inputs as
 * they were, so a node's saved inputs are still right when backward reads them; the only way to
 * change a tensor's slot is {@code setGrad}. This checks it for each op family, forward and
 * backward, by comparing the inputs' values before and after.
 */
class NoMutationTest {
    private static final Map<String, Function<Tensor[], Tensor>> OPS = Map.ofEntries(
            Map.entry("unary", in -> in[0].relu().neg().exp().add(1).sqrt().tanh().sigmoid()),
            Map.entry("binary", in -> in[0].add(in[1]).mul(in[1]).sub(in[0]).div(in[1].abs().add(1))),
            Map.entry("broadcast", in -> in[0].mul(in[2]).add(in[2]).maximum(in[2])),
            Map.entry("reduce", in -> in[0].sum(1).add(in[1].max(1)).add(in[0].mean(1))),
            Map.entry("alongDim", in -> in[0].softmax(1).add(in[1].logSoftmax(0)).add(in[0].cumsum(1))),
            Map.entry("matmul", in -> in[0].matmul(in[1].t())),
            Map.entry("views", in -> in[0].t().reshape(12).slice(0, 1, 10, 2).unsqueeze(0).expand(3, 5).select(0, 1)),
            Map.entry("copies", in -> in[0].t().contiguous().to(DType.F64).to(DType.F32)),
            Map.entry("joins", in -> Tensor.cat(List.of(in[0], in[1]), 0).add(Tensor.stack(List.of(in[1], in[0]), 0).reshape(6, 4))),
            Map.entry("masks", in -> Tensor.where(in[0].gt(in[1]), in[0], in[1]).clamp(-0.5, 0.5)));

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
