package dev.tessera.tests.autograd.engine;

import static dev.tessera.tests.autograd.engine.Graphs.assertClose;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Backward through views and their copies. For a view V, d/dx of sum(V(x) * w) sends each
 * w[p] to the element of x that position p of the view shows; applying V to a tensor holding
 * each element's own index tells which one that is, so the expected gradient needs no rule.
 */
class ViewBackwardTest {
    enum View {
        TRANSPOSE(x -> x.transpose(0, 2)),
        PERMUTE(x -> x.permute(2, 0, 1)),
        SLICE_WITH_STEP(x -> x.slice(1, 1, x.size(1), 2)),
        SELECT(x -> x.select(0, -1)),
        NARROW(x -> x.narrow(2, 0, Math.max(1, x.size(2) - 1))),
        UNSQUEEZE_EXPAND(x -> x.unsqueeze(1).expand(x.size(0), 3, x.size(1), x.size(2))),
        SQUEEZE(x -> x.unsqueeze(0).squeeze(0)),
        RESHAPE(x -> x.reshape(-1)),
        COPYING_RESHAPE(x -> x.transpose(0, 1).reshape(-1)),
        CONTIGUOUS(x -> x.permute(1, 2, 0).contiguous()),
        CHAIN(x -> x.t().slice(0, 0, x.size(2), 2).unsqueeze(0).expand(2, -1, -1, -1).select(0, 1).transpose(0, 2));

        final Function<Tensor, Tensor> apply;

        View(Function<Tensor, Tensor> apply) {
            this.apply = apply;
        }
    }

    @Property(tries = 200)
    void viewsSendEachGradientToTheElementTheyShow(@ForAll View view, @ForAll @IntRange(min = 1, max = 4) int a,
            @ForAll @IntRange(min = 1, max = 4) int b, @ForAll @IntRange(min = 1, max = 4) int c,
            @ForAll @IntRange(min = 0, max = 999) int seed) {
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, a, b, c).requiresGrad(true);
        Tensor shown = view.apply.apply(x);
        Tensor w = Tensor.randn(g, shown.shape());
        shown.mul(w).sum().backward();
        assertClose(expectedGradient(view, w, a, b, c), x.grad(), 1e-6);
    }

    private static Tensor expectedGradient(View view, Tensor w, int a, int b, int c) {
        Tensor positions = Tensor.arange(a * b * c).to(DType.F32).reshape(a, b, c);
        double[] which = view.apply.apply(positions).toDoubleArray();
        double[] weights = w.toDoubleArray();
        double[] gradient = new double[a * b * c];
        for (int p = 0; p < which.length; p++) {
            gradient[(int) which[p]] += weights[p];
        }
        return Graphs.tensor(gradient, a, b, c);
    }
}
